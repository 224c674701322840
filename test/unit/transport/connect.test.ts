// connectTransport against our listener: URL rules, fingerprint convention, pinning, negotiation,
// and the messages a user sees when something is wrong.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectTransport, type ConnectTransportOptions } from "../../../main/moq/transport/connect.ts";
import { connectWebSocket } from "../../../main/moq/transport/qmux-client.ts";
import { connectWebTransport } from "../../../main/moq/transport/webtransport-client.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { startServer, type TestServer } from "./helpers.ts";

const BOTH = ["moq-lite-04", "moq-lite-03"];
let server: TestServer; // 04 and 03, no legacy
let only03: TestServer; // 03 only
let legacy: TestServer; // 04, 03 and bare subprotocols

beforeAll(async () => {
  server = await startServer();
  only03 = await startServer({ versions: ["moq-lite-03"] });
  legacy = await startServer({ versions: BOTH, legacy: true });
});
afterAll(async () => {
  await Promise.all([server.close(), only03.close(), legacy.close()]);
});

const opened: Transport[] = [];
async function dial(url: string, opts: Partial<ConnectTransportOptions> = {}): Promise<Transport> {
  const t = await connectTransport(url, { transport: "auto", versions: BOTH, timeoutMs: 5000, ...opts });
  opened.push(t);
  return t;
}
afterAll(() => {
  for (const t of opened) {
    t.session.close();
    t.dispose();
  }
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("URL forms", () => {
  it("ws:// gives WebSocket with moq-lite-04", async () => {
    const accepted = server.next();
    const t = await dial(`ws://127.0.0.1:${server.port}/`);
    expect(t.info.kind).toBe("websocket");
    expect(t.info.negotiated).toBe("qmux-02.moq-lite-04");
    expect(t.session.protocol).toBe("moq-lite-04");
    expect(t.info.tls).toBeUndefined();
    expect((await accepted).request.url.protocol).toBe("ws:");
  });

  it("http:// fetches the fingerprint and uses WebTransport", async () => {
    const accepted = server.next();
    const t = await dial(`http://127.0.0.1:${server.port}/`);
    expect(t.info.kind).toBe("webtransport-h2");
    expect(t.info.url).toBe(`https://127.0.0.1:${server.port}/`);
    expect(t.info.tls).toEqual({ verification: "pinned", fingerprint: server.listener.fingerprint });
    expect(t.session.protocol).toBe("moq-lite-04");
    expect((await accepted).request.url.protocol).toBe("https:");
  });

  it("http:// with WebSocket forced dials plain ws://", async () => {
    const t = await dial(`http://127.0.0.1:${server.port}/`, { transport: "websocket" });
    expect(t.info.kind).toBe("websocket");
    expect(t.info.url).toBe(`ws://127.0.0.1:${server.port}/`);
  });

  it("http:// with WebTransport forced", async () => {
    const t = await dial(`http://127.0.0.1:${server.port}/`, { transport: "webtransport" });
    expect(t.info.kind).toBe("webtransport-h2");
  });

  it("https:// with a pinned fingerprint (WebTransport, and WebSocket over wss://)", async () => {
    const fingerprint = server.listener.fingerprint.toUpperCase().match(/../g)!.join(":"); // colon form works too
    const wt = await dial(`https://127.0.0.1:${server.port}/`, { fingerprint });
    expect(wt.info.kind).toBe("webtransport-h2");
    const ws = await dial(`https://127.0.0.1:${server.port}/`, { fingerprint, transport: "websocket" });
    expect(ws.info.kind).toBe("websocket");
    expect(ws.info.url).toBe(`wss://127.0.0.1:${server.port}/`);
    expect(ws.info.tls).toEqual({ verification: "pinned", fingerprint: server.listener.fingerprint });
  });

  it("https:// with insecure skips verification", async () => {
    const t = await dial(`https://localhost:${server.port}/`, { insecure: true, transport: "websocket" });
    expect(t.info.tls?.verification).toBe("insecure");
    const wt = await dial(`https://localhost:${server.port}/`, { insecure: true, transport: "webtransport" });
    expect(wt.info.tls?.verification).toBe("insecure");
  });

  it("passes path and ?jwt= through to the server unchanged", async () => {
    for (const transport of ["webtransport", "websocket"] as const) {
      const accepted = server.next();
      await dial(`http://127.0.0.1:${server.port}/room/alice?jwt=abc&x=1`, { transport });
      const { request } = await accepted;
      expect(request.url.pathname).toBe("/room/alice");
      expect(request.url.searchParams.get("jwt")).toBe("abc");
      expect(request.url.searchParams.get("x")).toBe("1");
      expect(request.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });

  it("hides the jwt in the reported URL", async () => {
    const t = await dial(`ws://127.0.0.1:${server.port}/room?jwt=secret`);
    expect(t.info.url).not.toContain("secret");
  });
});

describe("negotiation", () => {
  for (const transport of ["websocket", "webtransport"] as const) {
    const url = (s: TestServer) => `http://127.0.0.1:${s.port}/`;

    it(`${transport}: moq-lite-04 when both sides offer 04 and 03`, async () => {
      const accepted = server.next();
      const t = await dial(url(server), { transport });
      expect(t.session.protocol).toBe("moq-lite-04");
      expect((await accepted).transport.session.protocol).toBe("moq-lite-04");
    });

    it(`${transport}: moq-lite-03 when the client offers only 03`, async () => {
      const accepted = server.next();
      const t = await dial(url(server), { transport, versions: ["moq-lite-03"] });
      expect(t.session.protocol).toBe("moq-lite-03");
      expect((await accepted).transport.session.protocol).toBe("moq-lite-03");
    });

    it(`${transport}: moq-lite-03 when the server speaks only 03`, async () => {
      const t = await dial(url(only03), { transport });
      expect(t.session.protocol).toBe("moq-lite-03");
    });

    it(`${transport}: legacy with no version gives protocol ""`, async () => {
      const accepted = legacy.next();
      const t = await dial(url(legacy), { transport, versions: [], legacy: true });
      expect(t.session.protocol).toBe("");
      expect((await accepted).transport.session.protocol).toBe("");
    });
  }

  it("legacy WebSocket lands on a bare qmux wire format", async () => {
    const t = await connectWebSocket(new URL(`ws://127.0.0.1:${legacy.port}/`), { versions: [], legacy: true });
    opened.push(t);
    expect(t.info.negotiated).toBe("qmux-01");
  });

  it("refuses over WebSocket when no version is common, saying what was offered", async () => {
    await expect(
      connectWebSocket(new URL(`ws://127.0.0.1:${server.port}/`), { versions: ["moq-lite-05"], timeoutMs: 5000 }),
    ).rejects.toThrow(/does not speak moq-lite-05 over WebSocket \(offered qmux-02\.moq-lite-05, qmux-01\.moq-lite-05/);
  });

  it("refuses over WebTransport when no version is common", async () => {
    await expect(
      connectWebTransport(new URL(`https://127.0.0.1:${server.port}/`), {
        versions: ["moq-lite-05"],
        fingerprint: server.listener.fingerprint,
        timeoutMs: 5000,
      }),
    ).rejects.toThrow(/refused the WebTransport session with HTTP 400: no common protocol \(offered moq-lite-05\)/);
  });

  it("a server without legacy refuses a bare-only client", async () => {
    await expect(
      connectWebSocket(new URL(`ws://127.0.0.1:${server.port}/`), { versions: [], legacy: true, timeoutMs: 5000 }),
    ).rejects.toThrow(/does not speak/);
  });
});

describe("errors a user can act on", () => {
  it("wrong fingerprint: WebTransport says expected vs got", async () => {
    const wrong = "ab".repeat(32);
    const err = await connectTransport(`https://127.0.0.1:${server.port}/`, {
      transport: "auto",
      versions: BOTH,
      fingerprint: wrong,
      timeoutMs: 5000,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(`expected ${wrong}, got ${server.listener.fingerprint}`);
    expect((err as Error).message).toMatch(/fingerprint mismatch/);
  });

  it("wrong fingerprint: wss:// is refused before the upgrade", async () => {
    const wrong = "cd".repeat(32);
    await expect(dial(`wss://127.0.0.1:${server.port}/?jwt=secret`, { fingerprint: wrong })).rejects.toThrow(
      new RegExp(`fingerprint mismatch .*expected ${wrong}, got ${server.listener.fingerprint}`),
    );
  });

  it("an untrusted self-signed certificate without pinning says how to proceed", async () => {
    await expect(dial(`wss://localhost:${server.port}/`)).rejects.toThrow(/not trusted .*fingerprint/);
    await expect(dial(`https://localhost:${server.port}/`, { transport: "webtransport" })).rejects.toThrow(
      /not trusted .*fingerprint/,
    );
  });

  it("a refused port names host:port and suggests the server is not running", async () => {
    const port = await freePort();
    for (const url of [`http://127.0.0.1:${port}/`, `https://127.0.0.1:${port}/`, `ws://127.0.0.1:${port}/`]) {
      const err = (await dial(url).catch((e: Error) => e)) as Error;
      expect(err.message).toContain(`127.0.0.1:${port}`);
      expect(err.message).toMatch(/connection refused.*Is the server running/);
    }
  });

  it("a malformed fingerprint is reported as such", async () => {
    await expect(dial(`https://127.0.0.1:${server.port}/`, { fingerprint: "xyz" })).rejects.toThrow(
      /invalid certificate fingerprint/,
    );
  });

  it("bad URLs say what is wrong and show a valid one", async () => {
    await expect(dial("ftp://relay.example.com/")).rejects.toThrow(/unsupported URL scheme "ftp".*e\.g\. http:\/\//);
    await expect(dial("localhost:4443/anon")).rejects.toThrow(/has no scheme: try http:\/\/localhost:4443\/anon/);
    await expect(dial("not a url")).rejects.toThrow(/not a valid URL.*e\.g\. http:\/\//);
    await expect(dial("http://:4443/anon")).rejects.toThrow(/not a valid URL.*e\.g\. http:\/\//);
    await expect(dial("")).rejects.toThrow(/no relay URL/);
  });

  it("WebTransport cannot be forced on a ws:// URL", async () => {
    await expect(dial(`ws://127.0.0.1:${server.port}/`, { transport: "webtransport" })).rejects.toThrow(
      /WebSocket URL; for WebTransport use https:\/\//,
    );
  });
});

describe("the listener's plain HTTP side", () => {
  it("serves the fingerprint and 404s everything else", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/certificate.sha256`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(server.listener.fingerprint);
    const other = await fetch(`http://127.0.0.1:${server.port}/index.html`);
    expect(other.status).toBe(404);
    expect(await other.text()).toMatch(/moq-lite endpoint/);
  });

  it("says so when its port is taken", async () => {
    await expect(startServer({ port: server.port })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${server.port}: the port is already in use`),
    );
  });

  it("lists URLs for every scheme on its port", () => {
    expect(server.listener.urls).toEqual([
      `http://127.0.0.1:${server.port}/`,
      `https://127.0.0.1:${server.port}/`,
      `ws://127.0.0.1:${server.port}/`,
      `wss://127.0.0.1:${server.port}/`,
    ]);
  });
});

function opensslCertificate(days: number): { certPem: string; keyPem: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "moqscope-long-"));
  try {
    const [cert, key] = [join(dir, "c.pem"), join(dir, "k.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-days",
        String(days),
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    return { certPem: readFileSync(cert, "utf8"), keyPem: readFileSync(key, "utf8") };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const longLived = opensslCertificate(30);
describe.runIf(longLived !== undefined)("a user-supplied certificate valid for 30 days", () => {
  let long: TestServer;
  beforeAll(async () => {
    long = await startServer({ certificate: longLived! });
  });
  afterAll(async () => {
    await long.close();
  });

  it("is served with its own fingerprint", async () => {
    const res = await fetch(`http://127.0.0.1:${long.port}/certificate.sha256`);
    expect(await res.text()).toBe(long.listener.fingerprint);
  });

  it("cannot be pinned for WebTransport, and the message says why", async () => {
    await expect(
      dial(`https://127.0.0.1:${long.port}/`, { transport: "webtransport", fingerprint: long.listener.fingerprint }),
    ).rejects.toThrow(
      /valid for 30 days; WebTransport accepts a pinned certificate only if it is valid for at most 14 days/,
    );
  });

  it("auto mode falls back to WebSocket over wss://", async () => {
    const t = await dial(`https://127.0.0.1:${long.port}/`, { fingerprint: long.listener.fingerprint });
    expect(t.info.kind).toBe("websocket");
    expect(t.session.protocol).toBe("moq-lite-04");
  });
});
