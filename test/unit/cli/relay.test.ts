import { signToken } from "../../helpers/jwt-sign.ts";
import { afterEach, describe, expect, it } from "vitest";
import { generateJwk, parseAuthKey } from "../../../main/moq/relay/auth.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAuthServer } from "../relay/auth-server.ts";
import { jsonLines, killAll, runCli, startCli } from "./helpers.ts";

afterEach(() => killAll());

async function startRelay(args: string[] = []) {
  const relay = startCli(["relay", "--bind", "127.0.0.1:0", "--json", ...args]);
  const ready = JSON.parse(await relay.line((l) => l.includes('"event":"ready"'), "the ready line")) as {
    port: number;
    fingerprint: string;
    urls: string[];
  };
  return { relay, ready };
}

describe("moqscope relay", () => {
  it("serves the demo so that inspect shows it with no other setup, and stops cleanly on Ctrl-C", async () => {
    const { relay, ready } = await startRelay(["--demo"]);
    expect(ready.urls).toContain(`http://127.0.0.1:${ready.port}/`);
    expect(ready.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    await relay.line((l) => l.includes('"event":"demo"'), "the demo line");

    const inspect = await runCli(["inspect", `http://127.0.0.1:${ready.port}/`, "--json", "--duration", "2"]);
    expect(inspect.code, inspect.stderr).toBe(0);
    const announced = jsonLines(inspect.stdout).filter((l) => l.event === "announce" && l.active);
    expect(announced.map((l) => l.path).sort()).toEqual(["demo/clock", "demo/video.hang"]);

    const sub = await runCli([
      "sub",
      `ws://127.0.0.1:${ready.port}/`,
      "demo/video.hang",
      "video/synthetic",
      "--count",
      "5",
      "--json",
    ]);
    expect(sub.code, sub.stderr).toBe(0);
    expect(jsonLines(sub.stdout).filter((l) => l.event === "frame")).toHaveLength(5);

    relay.child.kill("SIGINT");
    const done = await relay.exited;
    expect(done.code).toBe(0);
    const lines = jsonLines(done.stdout);
    expect(lines.some((l) => l.event === "log" && l.type === "session-opened")).toBe(true);
    expect(lines.some((l) => l.event === "log" && l.type === "subscribe")).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: "summary" });
  });

  it("refuses sessions without a valid token when --auth-key is given, and admits a signed one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "moqscope-relay-key-"));
    try {
      const jwk = generateJwk("HS256");
      writeFileSync(join(dir, "key.jwk"), JSON.stringify(jwk));
      const { relay, ready } = await startRelay(["--auth-key", join(dir, "key.jwk"), "--demo"]);
      const refused = await runCli(["inspect", `ws://127.0.0.1:${ready.port}/`, "--json", "--duration", "1"]);
      expect(refused.code).toBe(1);
      await relay.line((l) => l.includes('"type":"session-refused"'), "the refusal in the relay log");

      const token = signToken(
        { root: "", get: [""], exp: Math.floor(Date.now() / 1000) + 60 },
        parseAuthKey(JSON.stringify(jwk)),
      );
      const admitted = await runCli([
        "inspect",
        `ws://127.0.0.1:${ready.port}/?jwt=${token}`,
        "--json",
        "--duration",
        "2",
      ]);
      expect(admitted.code, admitted.stderr).toBe(0);
      expect(
        jsonLines(admitted.stdout)
          .filter((l) => l.event === "announce")
          .map((l) => l.path),
      ).toContain("demo/clock");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--auth-public* take moq-relay's patterns for anonymous sessions", async () => {
    const { relay, ready } = await startRelay(["--auth-public", "anon/**", "--auth-public-subscribe", "*/chat"]);
    const base = `ws://127.0.0.1:${ready.port}`;
    const inside = await runCli(["inspect", `${base}/anon/room`, "--json", "--duration", "1"]);
    expect(inside.code, inside.stderr).toBe(0);
    // `*/chat` rooted at / reaches /rooms (as `chat`), not two segments down.
    const chat = await runCli(["inspect", `${base}/rooms`, "--json", "--duration", "1"]);
    expect(chat.code, chat.stderr).toBe(0);
    const outside = await runCli(["inspect", `${base}/rooms/123`, "--json", "--duration", "1"]);
    expect(outside.code).toBe(1);
    expect(outside.stdout + outside.stderr).toContain("not public (public patterns: anon/**, */chat)");
    relay.child.kill("SIGINT");
  });

  it("--protocol narrows the versions the relay accepts", async () => {
    const { relay, ready } = await startRelay(["--protocol", "moq-lite-05"]);
    const url = `ws://127.0.0.1:${ready.port}/`;
    const modern = await runCli(["inspect", url, "--json", "--duration", "1", "--protocol", "05"]);
    expect(modern.code, modern.stderr).toBe(0);
    expect(jsonLines(modern.stdout)[0]).toMatchObject({ event: "connected", version: "moq-lite-05" });
    const old = await runCli(["inspect", url, "--json", "--duration", "1", "--protocol", "04"]);
    expect(old.code).toBe(1);
    relay.child.kill("SIGINT");
  });

  it("rejects bad options with exit 2", async () => {
    expect((await runCli(["relay", "--bind", "nowhere"])).code).toBe(2);
    expect((await runCli(["relay", "--cert", "a.pem"])).code).toBe(2);
    // As moq-relay: a public pattern without a wildcard is refused, saying what to write instead.
    const exact = await runCli(["relay", "--auth-public", "anon"]);
    expect(exact.code).toBe(2);
    expect(exact.stderr).toContain('write "anon/**" for anon and everything under it');
    const broken = await runCli(["relay", "--auth-public-subscribe", "live/**,a//b"]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('--auth-public-subscribe: pattern "a//b" has an empty segment');
  });

  it("--auth-url asks the auth server about each session (the demo's own session excepted)", async () => {
    const auth = await startAuthServer((b) =>
      b.event === "end"
        ? { status: 204 }
        : b.path === "/ok"
          ? { status: 200, json: { subscribe: ["**"] } }
          : { status: 403, text: "not this one" },
    );
    try {
      const { relay, ready } = await startRelay(["--auth-url", auth.url, "--node", "edge-7", "--demo"]);
      const base = `ws://127.0.0.1:${ready.port}`;
      const refused = await runCli(["inspect", `${base}/no`, "--json", "--duration", "1"]);
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain("refused by the auth server: not this one");
      const admitted = await runCli(["inspect", `${base}/ok`, "--json", "--duration", "1"]);
      expect(admitted.code, admitted.stderr).toBe(0);
      expect(auth.bodies.filter((b) => b.event === "connect").map((b) => [b.path, b.node])).toEqual([
        ["/no", "edge-7"],
        ["/ok", "edge-7"],
      ]);
      await auth.received((b) => b.event === "end" && b.path === "/ok", "the end of the admitted session");
      relay.child.kill("SIGINT");
    } finally {
      await auth.close();
    }
  });

  it("--internal-listen serves the operator endpoints: health and the live sessions with the relay's node", async () => {
    const { relay } = await startRelay(["--internal-listen", "127.0.0.1:0", "--node", "edge-9", "--demo"]);
    const ops = JSON.parse(await relay.line((l) => l.includes('"event":"ops"'), "the ops line")) as { url: string };
    expect(ops.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${ops.url}/health`)).text()).toBe("ok\n");
    // The demo's own publishing session is a live session like any other.
    await relay.line((l) => l.includes('"event":"demo"'), "the demo line");
    const { sessions } = (await (await fetch(`${ops.url}/sessions?node=edge-9`)).json()) as {
      sessions: { node: string; transport: string }[];
    };
    expect(sessions).toEqual([expect.objectContaining({ node: "edge-9", transport: "websocket" })]);
    relay.child.kill("SIGINT");
    expect((await relay.exited).code).toBe(0);
    const bad = await runCli(["relay", "--internal-listen", "nowhere"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--internal-listen wants HOST:PORT");
    const lonely = await runCli(["relay", "--node", "edge-9"]);
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain("add --auth-url or --internal-listen");
  });

  it("refuses --auth-url beside other auth flags, and an auth URL it may not use, with exit 2", async () => {
    const both = await runCli(["relay", "--auth-url", "http://127.0.0.1:9/", "--auth-public", "anon/**"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--auth-url cannot be combined with --auth-public");
    const key = await runCli(["relay", "--auth-url", "http://127.0.0.1:9/", "--auth-key", "k.jwk", "--public", "a"]);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain("--auth-url cannot be combined with --public, --auth-key");
    const clear = await runCli(["relay", "--auth-url", "http://auth.example/"]);
    expect(clear.code).toBe(2);
    expect(clear.stderr).toContain(
      "--auth-url: the auth URL must be https://, unix:///path/to.sock, or http:// to a loopback address",
    );
    expect((await runCli(["relay", "--auth-url", "ftp://auth.example/"])).code).toBe(2);
  });

  it("names an unreadable auth key file and exits 1", async () => {
    const result = await runCli(["relay", "--bind", "127.0.0.1:0", "--auth-key", "/nonexistent/key.jwk"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/nonexistent/key.jwk");
  });
});
