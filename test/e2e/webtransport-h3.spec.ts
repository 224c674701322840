/// <reference lib="dom" />
// Debian Chromium's own WebTransport against `moqscope relay` over HTTP/3 (UDP, same port as TCP):
// the handshake with a pinned self-signed certificate, moq-lite-06 chosen from the protocols the
// page offers, and then real moq-lite-06 bytes both ways: the relay's SETUP uni stream, our SETUP,
// and an announce request answered with the demo broadcasts. The relay's own JSON log confirms
// the session from its side. No UI here, so no screenshots.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { hex, Incomplete, parseAnnounceReply06, parseSetupStream, varintValue } from "./helpers/lite-wire.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = join(ROOT, "out/main/cli.js");
const NATIVE = join(ROOT, "node_modules/.cache/moqscope/http3/web-transport.node");
const STARTUP_MS = 30_000;
/** How long the page waits for one thing from the relay (a stream, its FIN, the session). */
const PAGE_WAIT_MS = 15_000;

type LogLine = Record<string, unknown> & { event: string };

/** The relay child and its JSON lines as they arrive. */
class RelayProcess {
  readonly lines: LogLine[] = [];
  #text = "";
  #waiters = new Set<() => void>();
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      this.#text += chunk.toString();
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // Not a JSON line after all; it stays in output() for failure messages.
        }
      }
      for (const wake of this.#waiters) wake();
    });
    child.stderr!.on("data", (chunk: Buffer) => (this.#text += chunk.toString()));
    this.exited = new Promise((done) => child.once("exit", () => done()));
  }

  output(): string {
    return this.#text;
  }

  /** The first line `match` accepts, waiting (bounded) for it to be printed. */
  waitFor(match: (line: LogLine) => boolean, what: string, timeoutMs = STARTUP_MS): Promise<LogLine> {
    return new Promise((done, fail) => {
      const check = (): void => {
        const found = this.lines.find(match);
        if (found) finish(() => done(found));
      };
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        this.child.off("exit", onExit);
        then();
      };
      const onExit = (): void =>
        finish(() => fail(new Error(`${what}: the relay exited first. It printed:\n${this.#text}`)));
      const timer = setTimeout(
        () => finish(() => fail(new Error(`${what}: not printed within ${timeoutMs} ms. It printed:\n${this.#text}`))),
        timeoutMs,
      );
      this.#waiters.add(check);
      this.child.once("exit", onExit);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Why this machine cannot run WebTransport over HTTP/3 at all, or undefined when it can. */
function http3Unavailable(): string | undefined {
  if (!existsSync(NATIVE)) return `the HTTP/3 binary ${NATIVE} was not built by npm install`;
  // A separate Node, so a binary that crashes on load cannot take the test runner with it.
  const probe = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(NATIVE)})`], { encoding: "utf8" });
  if (probe.status !== 0) return `the HTTP/3 binary does not load: ${(probe.stderr || probe.stdout).trim()}`;
  return undefined;
}

test.describe.configure({ mode: "serial" });

let relay: RelayProcess | undefined;
let port: number;
let fingerprint: string;
let hop: number;
let page: Page;
/** Whether this Chromium has the `protocols` option (and `WebTransport.protocol`). */
let protocolsSupported = false;

test.beforeAll(async ({ browser }) => {
  console.log(`webtransport-h3: Chromium ${browser.version()}`);
  const unavailable = http3Unavailable();
  if (unavailable) console.log(`webtransport-h3: skipped, ${unavailable}`);
  test.skip(unavailable !== undefined, unavailable);

  // MOQSCOPE_HTTP3=0 turns the relay's UDP listener off; this test is about that listener.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env["MOQSCOPE_HTTP3"];
  const child = spawn(process.execPath, [CLI, "relay", "--bind", "127.0.0.1:0", "--json", "--demo"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  relay = new RelayProcess(child);
  const listening = await relay.waitFor((l) => l.event === "log" && l["type"] === "listening", "the listening line");
  const ready = await relay.waitFor((l) => l.event === "ready", "the ready line");
  port = ready["port"] as number;
  fingerprint = ready["fingerprint"] as string;
  hop = listening["hop"] as number;
  if (listening["http3"] !== true) {
    const reason = "the relay says HTTP/3 is off (its listening line has http3: false)";
    console.log(`webtransport-h3: skipped, ${reason}`);
    test.skip(true, reason);
  }
  // The announce test expects demo/clock; wait until the demo publisher has announced it.
  await relay.waitFor(
    (l) => l.event === "log" && l["type"] === "announce" && l["path"] === "demo/clock",
    "the demo announce",
  );
  page = await browser.newPage();
});

test.afterAll(async () => {
  await page?.close();
  await relay?.stop();
});

test("Chromium opens a WebTransport session over HTTP/3 and the relay selects moq-lite-06", async () => {
  // http://127.0.0.1 is a potentially trustworthy origin, so the page is a secure context and
  // may use WebTransport; the relay serves its certificate's fingerprint there.
  await page.goto(`http://127.0.0.1:${port}/certificate.sha256`);
  expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
  const served = (await page.locator("body").innerText()).trim();
  expect(served, "GET /certificate.sha256 matches the ready line").toBe(fingerprint);

  const opened = await page.evaluate(
    async ({ url, hash, waitMs }) => {
      const value = new Uint8Array(hash.match(/../g)!.map((h) => parseInt(h, 16)));
      const protocolsSupported = "protocol" in WebTransport.prototype;
      const wt = new WebTransport(url, {
        serverCertificateHashes: [{ algorithm: "sha-256", value }],
        protocols: ["moq-lite-06", "moq-lite-05"],
      });
      // The incoming uni streams are read later; closed is observed so an early close is reported.
      const closed = wt.closed.then(
        (info) => `closed: ${JSON.stringify(info)}`,
        (err: unknown) => `closed with error: ${String(err)}`,
      );
      (window as unknown as { wt: WebTransport; wtClosed: Promise<string> }).wt = wt;
      (window as unknown as { wtClosed: Promise<string> }).wtClosed = closed;
      const outcome = await Promise.race([
        wt.ready.then(() => "ready"),
        closed,
        new Promise<string>((r) => setTimeout(() => r(`not ready within ${waitMs} ms`), waitMs)),
      ]);
      // TypeScript's DOM types do not have `protocol` yet; Chromium does where the option exists.
      const protocol = protocolsSupported ? (wt as WebTransport & { protocol: string }).protocol : undefined;
      return { outcome, protocolsSupported, protocol };
    },
    { url: `https://127.0.0.1:${port}/`, hash: fingerprint, waitMs: PAGE_WAIT_MS },
  );
  expect(opened.outcome, "WebTransport.ready").toBe("ready");
  protocolsSupported = opened.protocolsSupported;
  if (protocolsSupported) {
    expect(opened.protocol, "the subprotocol the relay selected").toBe("moq-lite-06");
  } else {
    console.log("webtransport-h3: this Chromium has no WebTransport `protocols` option; protocol selection unchecked");
  }

  // The relay's side: one session over HTTP/3 from the browser, with the version it selected.
  const session = await relay!.waitFor(
    (l) => l.event === "log" && l["type"] === "session-opened" && l["transport"] === "webtransport-h3",
    "the browser's session-opened line",
  );
  expect(session["remote"]).toMatch(/^127\.0\.0\.1:\d+$/);
  if (protocolsSupported) expect(session["version"]).toBe("moq-lite-06");
  console.log(`webtransport-h3: relay log: ${JSON.stringify(session)}`);
});

test("the relay's SETUP stream arrives in the page and parses as moq-lite-06 SETUP", async () => {
  test.skip(!protocolsSupported, "moq-lite-06 was not negotiated (no `protocols` option in this Chromium)");
  const read = await page.evaluate(async (waitMs) => {
    const { wt } = window as unknown as { wt: WebTransport };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`the relay's SETUP stream not complete within ${waitMs} ms`)), waitMs);
    });
    const streams = wt.incomingUnidirectionalStreams.getReader();
    const first = await Promise.race([streams.read(), deadline]);
    streams.releaseLock();
    if (first.done) throw new Error("the session ended before any uni stream");
    // Read the stream to its FIN: SETUP is the only message on it.
    const reader = (first.value as ReadableStream<Uint8Array>).getReader();
    const bytes: number[] = [];
    for (;;) {
      const chunk = await Promise.race([reader.read(), deadline]);
      if (chunk.done) break;
      bytes.push(...chunk.value);
      if (bytes.length > 65_536) throw new Error("more than 64 KiB on the SETUP stream");
    }
    clearTimeout(timer);
    return bytes;
  }, PAGE_WAIT_MS);

  const bytes = Uint8Array.from(read);
  console.log(`webtransport-h3: relay SETUP stream: ${hex(bytes)}`);
  expect(bytes[0], "stream type SETUP").toBe(0x01);
  let setup;
  try {
    setup = parseSetupStream(bytes);
  } catch (err) {
    throw new Error(
      `relay SETUP stream ${hex(bytes)} does not parse: ${err instanceof Incomplete ? "cut short" : String(err)}`,
      { cause: err },
    );
  }
  // Hop (0x5) is the relay's hop id, the one its listening line prints.
  const hopValue = setup.params.get(0x5);
  expect(hopValue, "the relay's SETUP carries its Hop parameter").toBeDefined();
  expect(varintValue(hopValue!)).toBe(BigInt(hop));
});

test("after our SETUP, an announce request for every path lists demo/clock", async () => {
  test.skip(!protocolsSupported, "moq-lite-06 was not negotiated (no `protocols` option in this Chromium)");
  await page.evaluate(async () => {
    const state = window as unknown as { wt: WebTransport; announced: number[]; announceEnd?: string };
    const { wt } = state;
    // Our SETUP stream: type 0x1, an empty SETUP (length 1, parameter count 0), FIN (spec §14.2).
    const setup = await wt.createUnidirectionalStream();
    const setupWriter = setup.getWriter();
    await setupWriter.write(new Uint8Array([0x01, 0x01, 0x00]));
    await setupWriter.close();
    // An announce stream: ControlType Announce (0x1), then 06's ANNOUNCE_REQUEST for the empty
    // prefix: length 1, path "" (lite06-wire.md §2.1, no exclude hop on 06).
    const announce = await wt.createBidirectionalStream();
    const writer = announce.writable.getWriter();
    await writer.write(new Uint8Array([0x01, 0x01, 0x00]));
    // The relay keeps this stream open; collect what it sends for the test to poll.
    state.announced = [];
    void (async () => {
      const reader = announce.readable.getReader();
      try {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) return void (state.announceEnd = "FIN");
          state.announced.push(...chunk.value);
        }
      } catch (err) {
        state.announceEnd = `error: ${String(err)}`;
      }
    })();
  });

  const received = async () =>
    page.evaluate(() => {
      const state = window as unknown as { announced: number[]; announceEnd?: string };
      return { bytes: state.announced.slice(), end: state.announceEnd };
    });
  // Bounded poll: parse what has arrived until ANNOUNCE_OK and a START for demo/clock are there.
  await expect
    .poll(
      async () => {
        const { bytes, end } = await received();
        try {
          const reply = parseAnnounceReply06(Uint8Array.from(bytes));
          const starts = reply.messages.filter((m) => m.kind === "start").map((m) => m.suffix);
          return starts.includes("demo/clock") ? "listed" : `starts so far: ${starts.join(", ")}; end ${end}`;
        } catch (err) {
          if (err instanceof Incomplete) return `waiting for ANNOUNCE_OK (${bytes.length} bytes; end ${end})`;
          throw new Error(`announce reply ${hex(bytes)} does not parse: ${String(err)}`, { cause: err });
        }
      },
      { message: "a START for demo/clock on the announce stream", timeout: PAGE_WAIT_MS },
    )
    .toBe("listed");

  const { bytes } = await received();
  console.log(`webtransport-h3: announce reply so far: ${hex(bytes)}`);
  const reply = parseAnnounceReply06(Uint8Array.from(bytes));
  // ANNOUNCE_OK names the responder: the relay's own hop id.
  expect(reply.origin).toBe(BigInt(hop));
  const starts = reply.messages.flatMap((m) => (m.kind === "start" ? [m] : []));
  // The initial set: `active` STARTs with ids 0..active-1, demo/clock among the broadcasts.
  expect(starts.length).toBeGreaterThanOrEqual(reply.active);
  expect(starts.map((s) => s.id)).toEqual(starts.map((_, i) => i));
  const clock = starts.find((s) => s.suffix === "demo/clock")!;
  expect(clock.hops, "the relay leaves its own hop out of the chain").not.toContain(BigInt(hop));
  expect(clock.warm).toBeLessThanOrEqual(clock.cold);
});

test("closing the session in the page closes it at the relay", async () => {
  const opened = relay!.lines.find((l) => l["type"] === "session-opened" && l["transport"] === "webtransport-h3")!;
  const outcome = await page.evaluate(async (waitMs) => {
    const { wt, wtClosed } = window as unknown as { wt: WebTransport; wtClosed: Promise<string> };
    wt.close({ closeCode: 0, reason: "e2e done" });
    return Promise.race([wtClosed, new Promise<string>((r) => setTimeout(() => r("not closed"), waitMs))]);
  }, PAGE_WAIT_MS);
  expect(outcome).toMatch(/^closed/);
  const closed = await relay!.waitFor(
    (l) => l["type"] === "session-closed" && l["session"] === opened["session"],
    "the browser's session-closed line",
  );
  expect(closed["by"]).toBe("remote");
});

test("a certificate hash that does not match is refused, so the pin is what let the session in", async () => {
  const wrong = (fingerprint.slice(0, 2) === "00" ? "01" : "00") + fingerprint.slice(2);
  const outcome = await page.evaluate(
    async ({ url, hash, waitMs }) => {
      const value = new Uint8Array(hash.match(/../g)!.map((h) => parseInt(h, 16)));
      const wt = new WebTransport(url, { serverCertificateHashes: [{ algorithm: "sha-256", value }] });
      wt.closed.catch(() => {});
      return Promise.race([
        wt.ready.then(
          () => "ready",
          (err: unknown) => `refused: ${String(err)}`,
        ),
        new Promise<string>((r) => setTimeout(() => r(`neither ready nor refused within ${waitMs} ms`), waitMs)),
      ]);
    },
    { url: `https://127.0.0.1:${port}/`, hash: wrong, waitMs: PAGE_WAIT_MS },
  );
  expect(outcome).toMatch(/^refused/);
});
