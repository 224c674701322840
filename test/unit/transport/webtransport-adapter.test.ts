// One test per workaround in main/moq/transport/fails-adapter: each checks, over real sockets on
// 127.0.0.1 (or in a child process where the behaviour would take this one down), that
// @fails-components/webtransport (and Node) still behave the way the workaround relies on. When an
// upgrade changes that, the failure says which workaround to revisit, and whether it can simply go.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateCertificate, type Certificate } from "../../../main/moq/transport/certificate.ts";
import {
  dialWebTransport,
  FailsStreamError,
  LOST_DURING_HANDSHAKE,
} from "../../../main/moq/transport/fails-adapter/index.ts";
import { FLOW_WINDOW, SETTINGS_WT_INITIAL_MAX_DATA } from "../../../main/moq/transport/fails-adapter/flow-window.ts";
import { loadFailsPackage, PACKAGE_NOISE } from "../../../main/moq/transport/fails-adapter/load.ts";
import type { FailsClient } from "../../../main/moq/transport/fails-adapter/package-types.ts";
import { guardHttp2StreamClose, isCloseGuarded } from "../../../main/moq/transport/fails-adapter/stream-guard.ts";
import { because, onCleanup, pair, runCleanup, startAdapterServer } from "./fails-adapter-harness.ts";
import { pattern, readAll } from "./helpers.ts";

const ROOT = process.cwd();
const ADAPTER = join(ROOT, "main/moq/transport/fails-adapter");

afterEach(runCleanup);

// --- plumbing -----------------------------------------------------------------------------------

/** A plain node:http2 server on 127.0.0.1 standing in for a peer the adapter must cope with. */
async function startPlainHttp2(
  cert: Certificate,
  settings: http2.Settings,
  setup: (server: http2.Http2SecureServer) => void,
): Promise<number> {
  const server = http2.createSecureServer({ key: cert.keyPem, cert: cert.certPem, settings });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  setup(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run node with `args` in the repository root, tsx loaded so .ts imports work. */
function runNode(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

// --- load.ts ------------------------------------------------------------------------------------

describe("loading the package (load.ts)", () => {
  it("prints only the lines the console filter drops, when imported bare", async () => {
    const http3 = await loadFailsPackage().then((p) => p.http3);
    if (http3) return; // the native HTTP/3 part is installed here: the package has nothing to complain about
    // A process of its own: the package prints once per process, a few ticks after the import.
    const { code, stdout, stderr } = await runNode([
      "--input-type=module",
      "-e",
      'const m = await import("@fails-components/webtransport"); await m.quicheLoaded;',
    ]);
    expect(code, stderr).toBe(0);
    // Only the first line of each print counts: the error object that follows spans several lines.
    const printed = [...lines(stdout), ...lines(stderr)].filter((l) => !/^\s/.test(l) && !/^[\]}]/.test(l));
    expect(
      printed.length,
      because(
        "the package no longer prints anything while it loads without its HTTP/3 part: the console filter in fails-adapter/load.ts can go",
      ),
    ).toBeGreaterThan(0);
    const unfiltered = printed.filter((l) => !PACKAGE_NOISE.some((p) => p.test(l)));
    expect(
      unfiltered,
      because(
        "the package prints lines on load that PACKAGE_NOISE in fails-adapter/load.ts does not drop: update the patterns",
      ),
    ).toEqual([]);
  });

  it("loads through the adapter without a line on the console, and puts console back", async () => {
    const script = `
      const log = console.log, error = console.error;
      const { loadFailsPackage } = await import(${JSON.stringify(join(ADAPTER, "load.ts"))});
      await loadFailsPackage();
      if (console.log !== log || console.error !== error) throw new Error("console left patched");
      process.stdout.write("loaded\\n");
    `;
    const { code, stdout, stderr } = await runNode(["--input-type=module", "-e", script]);
    expect(code, stderr).toBe(0);
    // The process runs until nothing is pending, so anything printed late would show here too.
    expect(
      { stdout, stderr },
      because(
        "loading the package through fails-adapter/load.ts printed something: the filter window or PACKAGE_NOISE no longer covers it",
      ),
    ).toEqual({ stdout: "loaded\n", stderr: "" });
  });
});

// --- dial.ts ------------------------------------------------------------------------------------

describe("dialling (dial.ts)", () => {
  it("reaches the HTTP/2 connection through startUpConnection, so a server leaving mid-handshake fails it at once", async () => {
    const cert = generateCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    // No extended CONNECT: the client waits for it, and the server goes away gracefully meanwhile.
    const port = await startPlainHttp2(cert, {}, (server) => {
      server.on("session", (session: http2.ServerHttp2Session) =>
        session.once("remoteSettings", () => session.close()),
      );
    });
    const dialed = await dialWebTransport({
      url: `https://127.0.0.1:${port}/`,
      fingerprint: cert.fingerprintHex,
      protocols: ["moq-lite-04"],
      // The package's own deadline, kept below the test's: only our hook can fail the dial sooner.
      timeoutMs: 20_000,
    });
    onCleanup(() => dialed.abandon());
    expect(
      dialed.watchesConnection,
      because(
        "WebTransport no longer calls startUpConnection({ client }) with client.transportInt.clientInt as the HTTP/2 session; fails-adapter/dial.ts cannot see the connection",
      ),
    ).toBe(true);
    await expect(
      dialed.established,
      because("a connection closed mid-handshake did not fail the dial with our error"),
    ).rejects.toThrow(LOST_DURING_HANDSHAKE);
  });

  it("reads the HTTP status of a refused CONNECT through sessionint.setSessionObj", async () => {
    const cert = generateCertificate({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    const port = await startPlainHttp2(cert, { enableConnectProtocol: true }, (server) => {
      server.on("stream", (stream) => {
        stream.respond({ ":status": 403 });
        stream.end();
      });
    });
    const dialed = await dialWebTransport({
      url: `https://127.0.0.1:${port}/`,
      fingerprint: cert.fingerprintHex,
      protocols: ["moq-lite-04"],
      timeoutMs: 20_000,
    });
    onCleanup(() => dialed.abandon());
    await expect(dialed.established).rejects.toThrow();
    expect(
      dialed.responseStatus(),
      because(
        "the status of a refused CONNECT did not reach us: sessionint.setSessionObj(object) no longer gets the request stream as object.stream (fails-adapter/dial.ts)",
      ),
    ).toBe(403);
  });
});

// --- serve.ts -----------------------------------------------------------------------------------

describe("serving (serve.ts)", () => {
  it("runs the package's HTTP/2 server on sockets we hand it, with the offer parsed and the choice sent back verbatim", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    expect(
      server.offers,
      because(
        "the request callback no longer receives wt-available-protocols as a parsed list (fails-adapter/serve.ts)",
      ),
    ).toEqual([["moq-lite-04", "moq-lite-03"]]);
    expect(served.request.protocol).toBe("moq-lite-04");
    expect(
      client.session.protocol,
      because(
        "the client no longer sees the selectedProtocol we returned, verbatim, as its protocol (fails-adapter/serve.ts)",
      ),
    ).toBe("moq-lite-04");
    expect(
      served.request.url.href,
      because("the session no longer carries the request headers (:authority, :path) the adapter reads"),
    ).toBe(`https://127.0.0.1:${server.port}/adapter?x=1`);
    expect(served.request.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(served.adapted.kind).toBe("webtransport-h2");
    expect(server.errors).toEqual([]);
  });
});

// --- flow-window.ts -----------------------------------------------------------------------------

describe("flow-control windows (flow-window.ts)", () => {
  it("announces the window we set, and 1 MiB crosses a session", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    const [connection] = server.connections;
    expect(
      sessionWindowIn(connection?.remoteSettings),
      because("the client no longer announces initialSessionFlowControlWindow as SETTINGS_WT_INITIAL_MAX_DATA"),
    ).toBe(FLOW_WINDOW);
    expect(
      sessionWindowIn(connection?.localSettings),
      because("the server no longer announces initialSessionFlowControlWindow as SETTINGS_WT_INITIAL_MAX_DATA"),
    ).toBe(FLOW_WINDOW);
    const payload = pattern(1024 * 1024);
    const uni = await client.session.createUnidirectionalStream();
    const incoming = served.adapted.session.incomingUnidirectionalStreams.getReader();
    const writer = uni.getWriter();
    void writer.write(payload).then(() => writer.close());
    const { value: readable } = await incoming.read();
    incoming.releaseLock();
    expect((await readAll(readable!)).byteLength).toBe(payload.byteLength);
  });
});

/** SETTINGS_WT_INITIAL_MAX_DATA from a settings frame (Node parses it as the package asks; @types/node 20 lacks the field). */
function sessionWindowIn(settings: http2.Settings | undefined): number | undefined {
  return (settings as { customSettings?: Record<number, number> } | undefined)?.customSettings?.[
    SETTINGS_WT_INITIAL_MAX_DATA
  ];
}

// --- session.ts ---------------------------------------------------------------------------------

describe("sessions (session.ts)", () => {
  it("pings over the HTTP/2 connection found at objint.stream.session, on both ends", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    for (const [side, adapted] of [
      ["client", client],
      ["server", served.adapted],
    ] as const) {
      expect(
        adapted.ping,
        because(
          `no HTTP/2 connection at objint.stream.session on the ${side} session: RTT would fall back to getStats(), which says 0 over HTTP/2`,
        ),
      ).toBeTypeOf("function");
      const rtt = await adapted.ping!();
      expect(rtt).toBeGreaterThanOrEqual(0);
    }
  });

  it("closes once: a second close() on the package's session still loses the first one's code and reason", async () => {
    const server = await startAdapterServer();
    const { mod } = await loadFailsPackage();
    const arriving = server.next();
    const raw: FailsClient = new mod.WebTransport(`https://127.0.0.1:${server.port}/`, {
      forceReliable: true,
      serverCertificateHashes: [{ algorithm: "sha-256", value: Buffer.from(server.cert.fingerprintHex, "hex") }],
      protocols: ["moq-lite-04"],
    });
    raw.closed.catch(() => {});
    await raw.ready;
    // Keep Node's runaway out of this (see stream-guard.ts): only the double close is under test.
    guardHttp2StreamClose(raw.sessionint?.objint?.stream);
    const { adapted: peer } = await arriving;
    raw.close({ closeCode: 7, reason: "first" });
    raw.close({ closeCode: 8, reason: "second" });
    expect(
      await peer.session.closed,
      because("the package now handles a second close() on a session: closingOnce in fails-adapter/session.ts can go"),
    ).not.toEqual({ closeCode: 7, reason: "first" });
  });

  it("closes once: through the adapter the peer gets the first close's code and reason", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    client.session.close({ closeCode: 7, reason: "first" });
    client.session.close({ closeCode: 8, reason: "second" });
    expect(await served.adapted.session.closed).toEqual({ closeCode: 7, reason: "first" });
  });
});

// --- stream-error.ts ----------------------------------------------------------------------------

describe("stream reset codes (stream-error.ts)", () => {
  it("sends the reason's code, and the peer reads it only from the message text", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    const uni = await client.session.createUnidirectionalStream();
    const writer = uni.getWriter();
    await writer.write(new Uint8Array([1]));
    const incoming = served.adapted.session.incomingUnidirectionalStreams.getReader();
    const { value: readable } = await incoming.read();
    incoming.releaseLock();
    const reader = readable!.getReader();
    await reader.read();
    await writer.abort(new FailsStreamError(42));
    const err = await reader.read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(
      err instanceof Error ? err.message : err,
      because(
        "a peer reset no longer arrives as 'Resetstream with code:N' (errors.ts streamErrorCode parses that text), or the package no longer reads the reason's `code`",
      ),
    ).toBe("Resetstream with code:42");
  });
});

// --- stream-guard.ts ----------------------------------------------------------------------------

describe("the HTTP/2 stream close guard (stream-guard.ts)", () => {
  it("sits on the stream the package ends a session with, and the package still ends it with close() then destroy()", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    const [stream] = server.connectStreams;
    expect(
      isCloseGuarded(stream),
      because("the server session's HTTP/2 stream is not guarded: objint.stream is no longer the CONNECT stream"),
    ).toBe(true);
    const calls: string[] = [];
    const { close, destroy } = stream!;
    stream!.close = function (this: http2.ServerHttp2Stream, ...args: Parameters<typeof close>) {
      calls.push("close");
      return close.apply(this, args);
    } as typeof close;
    stream!.destroy = function (this: http2.ServerHttp2Stream, ...args: Parameters<typeof destroy>) {
      calls.push("destroy");
      return destroy.apply(this, args);
    } as typeof destroy;
    client.session.close({ closeCode: 0, reason: "bye" });
    await served.adapted.session.closed;
    expect(
      calls.slice(0, 2),
      because(
        "the package no longer ends a session with Http2Stream.close(code) then destroy(): check whether fails-adapter/stream-guard.ts is still on the path",
      ),
    ).toEqual(["close", "destroy"]);
  });

  // In child processes: unguarded, the runaway would take this one down with it.
  it("is still needed: unguarded, Node runs away on close() then destroy() with writes queued; guarded, it does not", async () => {
    const fixture = "test/unit/transport/fixtures/http2-close-race.ts";
    const guarded = await raceRunaway([fixture, "guarded"]);
    expect(guarded.outcome, "the guarded run must close every round").toBe("done");
    expect(lines(guarded.stdout), "each round must have closed with writes still queued").toEqual([
      "queued",
      "queued",
      "queued",
      "queued",
      "done",
    ]);
    const unguarded = await raceRunaway([fixture, "unguarded"]);
    expect(
      unguarded.outcome,
      because(
        `Node ${process.version} no longer runs away when an Http2Stream is closed and destroyed with writes queued: fails-adapter/stream-guard.ts can go`,
      ),
    ).toBe("runaway");
  });
});

/** Memory a 64 KiB exchange never needs: crossing it means the event loop is spinning. */
const RUNAWAY_RSS_BYTES = 512 * 1024 * 1024;

/**
 * Run the fixture until it either finishes ("done") or its memory shows the runaway ("runaway"),
 * killing it then; anything else is described in `outcome`.
 */
function raceRunaway(args: string[]): Promise<{ outcome: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const watch = setInterval(() => {
      if (child.pid !== undefined && rssOf(child.pid) > RUNAWAY_RSS_BYTES) {
        clearInterval(watch);
        child.kill("SIGKILL");
        resolve({ outcome: "runaway", stdout });
      }
    }, 20);
    onCleanup(() => {
      clearInterval(watch);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    child.once("error", reject);
    child.once("close", (code) => {
      clearInterval(watch);
      const done = code === 0 && lines(stdout).at(-1) === "done";
      resolve({ outcome: done ? "done" : `exited with ${code}: ${stderr.slice(0, 500)}`, stdout });
    });
  });
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0; // gone already
  }
}
