import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ServerMessage } from "../../../main/ipc/contract.ts";
import { checkHost, startWebHost, type WebHost } from "../../../main/ipc/web-host.ts";
import { APP_INFO, testServices, treeNode, type TestServices } from "./services.ts";

const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'";
const PAGE = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}" /></head><body><script type="module" src="./assets/app.js"></script></body></html>`;

let dir: string;
let host: WebHost;
let services: TestServices;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "moqscope-web-host-"));
  await mkdir(join(dir, "renderer", "assets"), { recursive: true });
  await writeFile(join(dir, "renderer", "index.html"), PAGE);
  await writeFile(join(dir, "renderer", "assets", "app.js"), "console.log('ui');\n");
  await writeFile(join(dir, "secret.txt"), "do not serve\n");
  services = testServices();
  services.trees.get("default")!.set(treeNode("demo"));
  host = await startWebHost({ services, rendererDir: join(dir, "renderer"), host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP GET: the path is sent as written (no normalising of ".."), any Host header. */
function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: host.port,
        path,
        method: "GET",
        headers: { Host: `127.0.0.1:${host.port}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const origin = () => `http://127.0.0.1:${host.port}`;
const apiUrl = (token = host.token) => `ws://127.0.0.1:${host.port}/api?token=${encodeURIComponent(token)}`;

/** Opens a WebSocket; resolves with it once open, or with the refusal's status and reason. */
function openSocket(
  url: string,
  options: WebSocket.ClientOptions = { origin: origin() },
): Promise<{ ws: WebSocket } | { status: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, reason: Buffer.concat(chunks).toString("utf8") }));
    });
    ws.once("error", reject);
  });
}

async function openApi(): Promise<WebSocket> {
  const opened = await openSocket(apiUrl());
  if (!("ws" in opened)) throw new Error(`refused: ${opened.reason}`);
  return opened.ws;
}

function nextMessage(ws: WebSocket, match: (m: ServerMessage) => boolean = () => true): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (!match(message)) return;
      ws.off("message", onMessage);
      resolve(message);
    };
    ws.on("message", onMessage);
  });
}

describe("moqscope ui web host: HTTP", () => {
  it("prints a URL with a 32-character token on the bound address", () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("serves the page with the token, with the renderer's CSP and no referrer", async () => {
    const reply = await get(`/?token=${host.token}`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(reply.headers["content-security-policy"]).toBe(`${CSP}; frame-ancestors 'none'`);
    expect(reply.headers["referrer-policy"]).toBe("no-referrer");
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    expect(reply.body).toBe(PAGE);
  });

  it("refuses the page without the right token, in one line", async () => {
    for (const path of ["/", "/index.html", "/?token=wrong", `/?token=${host.token}x`]) {
      const reply = await get(path);
      expect(reply.status).toBe(403);
      expect(reply.body).toBe("missing or wrong token: open the URL that `moqscope ui` printed\n");
    }
  });

  it("serves assets with their content type", async () => {
    const reply = await get("/assets/app.js");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect((await get("/assets/missing.js")).status).toBe(404);
    expect((await get("/favicon.ico")).status).toBe(204);
  });

  it("refuses paths that leave the UI's folder", async () => {
    for (const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..\\secret.txt",
      "/%00",
    ]) {
      const reply = await get(path);
      expect(reply.status, path).toBe(403);
      expect(reply.body).not.toContain("do not serve");
    }
  });

  it("refuses a Host header that is not this server (DNS rebinding)", async () => {
    for (const hostHeader of [
      `evil.example:${host.port}`,
      "127.0.0.1:1",
      "127.0.0.1",
      `localhost.evil.example:${host.port}`,
    ]) {
      const reply = await get(`/?token=${host.token}`, { Host: hostHeader });
      expect(reply.status, hostHeader).toBe(403);
      expect(reply.body).toMatch(/^Host must be/);
    }
    expect((await get(`/?token=${host.token}`, { Host: `localhost:${host.port}` })).status).toBe(200);
  });
});

describe("moqscope ui web host: Host rule", () => {
  it("accepts loopback names for a loopback bind, IP literals for a wildcard bind, and never other names", () => {
    expect(checkHost("localhost:80", "127.0.0.1", 80)).toBeUndefined();
    expect(checkHost("[::1]:80", "127.0.0.1", 80)).toBeUndefined();
    expect(checkHost("192.168.1.5:80", "127.0.0.1", 80)).toBeDefined();
    expect(checkHost("192.168.1.5:80", "192.168.1.5", 80)).toBeUndefined();
    expect(checkHost("localhost:80", "192.168.1.5", 80)).toBeDefined();
    expect(checkHost("10.0.0.2:80", "0.0.0.0", 80)).toBeUndefined();
    expect(checkHost("myhost.lan:80", "0.0.0.0", 80)).toBeDefined();
    expect(checkHost(undefined, "127.0.0.1", 80)).toBe("missing Host header");
  });
});

describe("moqscope ui web host: WebSocket", () => {
  it("round-trips app:info with the right token and Origin", async () => {
    const ws = await openApi();
    const answer = nextMessage(ws);
    ws.send(JSON.stringify({ type: "invoke", id: 1, channel: "app:info", args: [] }));
    expect(await answer).toEqual({ type: "result", id: 1, ok: true, value: APP_INFO });
    ws.close();
  });

  it("feeds a watched view as JSON", async () => {
    const ws = await openApi();
    const update = nextMessage(ws);
    ws.send(JSON.stringify({ type: "watch", watchId: 3, view: "tree", params: { connectionId: "default" } }));
    expect(await update).toEqual({
      type: "update",
      watchId: 3,
      update: { seq: 1, kind: "snapshot", items: [treeNode("demo")] },
    });
    ws.close();
  });

  it("refuses a wrong or missing token", async () => {
    // Our own page with a stale token (the host restarted) learns why from a close code, and is served nothing.
    const stale = await openSocket(apiUrl("wrong"));
    if (!("ws" in stale)) throw new Error(`expected an upgrade, got ${stale.status}`);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      stale.ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
    );
    expect(closed).toEqual({ code: 4401, reason: "this moqscope ui does not accept the page's token" });
    expect(await openSocket(`ws://127.0.0.1:${host.port}/api`)).toEqual({
      status: 403,
      reason: "missing or wrong token\n",
    });
  });

  it("refuses another site's Origin, and none", async () => {
    const refusal = { status: 403, reason: "Origin must be this page's own (no cross-site WebSocket)\n" };
    expect(await openSocket(apiUrl(), { origin: "http://evil.example" })).toEqual(refusal);
    expect(await openSocket(apiUrl(), { origin: `https://127.0.0.1:${host.port}` })).toEqual(refusal);
    expect(await openSocket(apiUrl(), {})).toEqual(refusal);
  });

  it("refuses a wrong Host and another path", async () => {
    const wrongHost = await openSocket(apiUrl(), {
      origin: `http://evil.example:${host.port}`,
      headers: { Host: `evil.example:${host.port}` },
    });
    expect(wrongHost).toMatchObject({ status: 403, reason: expect.stringMatching(/^Host must be/) as unknown });
    expect(await openSocket(`ws://127.0.0.1:${host.port}/other?token=${host.token}`)).toEqual({
      status: 403,
      reason: "no WebSocket endpoint here (it is /api)\n",
    });
  });

  it("answers malformed messages with errors and keeps the socket", async () => {
    const ws = await openApi();
    const replies: ServerMessage[] = [];
    ws.on("message", (data) => replies.push(JSON.parse(String(data)) as ServerMessage));
    const last = nextMessage(ws, (m) => m.type === "result" && m.id === 8);
    ws.send("not json {");
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ type: "invoke", id: 7, channel: "connection:close", args: [{ connectionId: 5 }] }));
    ws.send(JSON.stringify({ type: "watch", watchId: 1, view: "tree", params: { connectionId: "x", __proto__: 1 } }));
    ws.send(JSON.stringify({ type: "invoke", id: 8, channel: "app:info", args: [] }));
    await last;
    expect(replies).toEqual([
      { type: "error", error: "message is not JSON" },
      { type: "error", error: "binary messages are not accepted: send JSON text" },
      {
        type: "result",
        id: 7,
        ok: false,
        error: "connection:close request.connectionId: must be a string (got number)",
      },
      { type: "watch-error", watchId: 1, error: 'no connection "x": it was closed' },
      { type: "result", id: 8, ok: true, value: APP_INFO },
    ]);
    ws.close();
  });

  it("closes the socket on a message over 1 MiB", async () => {
    const ws = await openApi();
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send(JSON.stringify({ type: "invoke", id: 1, channel: "app:info", args: ["x".repeat(1100 * 1024)] }));
    expect(await closed).toBe(1009);
  });
});
