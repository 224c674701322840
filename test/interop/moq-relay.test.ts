// Our client through the real moq-relay (Rust, `cargo install moq-relay`, 0.17.x) over WebSocket/
// QMux on 127.0.0.1: publish and subscribe on moq-lite-06, -05, -04 and -03, mixed, with timestamps
// on 05/06, the relay's hop in the announcements, and on 06 route cost and probe reports; and over
// its native QUIC WebTransport (HTTP/3) where our HTTP/3 binary loads. Runs where a `moq-relay`
// binary is found (PATH, or ~/.cargo/bin, or MOQ_RELAY_BIN) and says why it skipped elsewhere.

process.env.MOQSCOPE_HTTP3 = "1"; // test/setup.ts turns HTTP/3 off; every WebSocket case here says so itself

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { BroadcastProducer } from "../../main/moq/model/broadcast.ts";
import type { Session } from "../../main/moq/lite/session/session.ts";
import type { AnnouncementChange } from "../../main/moq/mux.ts";
import type { Version } from "../../main/moq/lite/wire/version.ts";
import { connect } from "../../main/moq/node.ts";
import { loadHttp3 } from "../../main/moq/transport/h3/load.ts";
import { within } from "../helpers/wait.ts";
import { until } from "./fixtures.ts";

const T = 15_000;

function findBinary(): string | undefined {
  const explicit = process.env["MOQ_RELAY_BIN"];
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), join(homedir(), ".cargo", "bin")];
  return dirs.map((d) => join(d, "moq-relay")).find((p) => existsSync(p));
}

const BIN = findBinary();
if (!BIN) {
  console.log(
    "moq-relay interop skipped: no moq-relay binary on PATH, in ~/.cargo/bin or at MOQ_RELAY_BIN (`cargo install moq-relay` builds one)",
  );
}

/** The first change of `path` to `active` (or the reader's end), within T. */
function changeOf(
  reader: ReturnType<Session["announced"]>,
  path: string,
  active: boolean,
  what: string,
): Promise<AnnouncementChange | undefined> {
  const found = (async () => {
    for (;;) {
      const c = await reader.next();
      if (!c || (c.path === path && c.active === active)) return c;
    }
  })();
  return within(found, T, what);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!BIN)("through moq-relay (Rust)", () => {
  let relay: ChildProcess | undefined;
  let url = "";
  let quicUrl = "";
  let web = "";
  let output = "";
  const sessions: Session[] = [];

  beforeAll(async () => {
    const [quic, http] = [await freePort(), await freePort()];
    relay = spawn(
      BIN!,
      [
        "--listen",
        `127.0.0.1:${quic}`,
        "--listen-tls-generate",
        "localhost",
        "--web-http-listen",
        `127.0.0.1:${http}`,
        "--auth-public",
        "**",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    relay.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    relay.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    await until(() => /listening.*kind.*http/.test(output.replace(/\x1b\[[0-9;]*m/g, "")), T, "moq-relay to listen");
    url = `ws://127.0.0.1:${http}/`;
    quicUrl = `https://127.0.0.1:${quic}/`;
    web = `http://127.0.0.1:${http}`;
  }, T);

  afterAll(() => {
    for (const s of sessions) s.close();
    relay?.kill();
  });

  async function client(version: Version): Promise<Session> {
    const s = await connect(url, { versions: [version], legacy: false, transport: "websocket", timeoutMs: 10_000 });
    sessions.push(s);
    return s;
  }

  /**
   * A publisher and a viewer on moq-relay's native QUIC port, pinned by the fingerprint it
   * publishes; undefined (the test skipped, saying why) where HTTP/3 is unavailable here.
   */
  async function quicPair(
    ctx: TestContext,
    what: string,
  ): Promise<{ publisher: Session; viewer: Session } | undefined> {
    const h3 = loadHttp3();
    if (!h3.available) {
      console.log(`${what} skipped: ${h3.reason}`);
      ctx.skip();
      return undefined;
    }
    const fingerprint = (await (await fetch(`${web}/certificate.sha256`)).text()).trim();
    const options = { fingerprint, transport: "webtransport-h3", timeoutMs: 10_000 } as const;
    const publisher = await connect(quicUrl, options);
    const viewer = await connect(quicUrl, options);
    sessions.push(publisher, viewer);
    return { publisher, viewer };
  }

  const cases: [Version, Version][] = [
    ["moq-lite-06", "moq-lite-06"],
    ["moq-lite-06", "moq-lite-04"],
    ["moq-lite-05", "moq-lite-06"],
    ["moq-lite-05", "moq-lite-05"],
    ["moq-lite-05", "moq-lite-03"],
    ["moq-lite-04", "moq-lite-05"],
    ["moq-lite-04", "moq-lite-04"],
  ];

  it.each(cases)("a %s publisher reaches a %s subscriber", async (pv, sv) => {
    const publisher = await client(pv);
    const viewer = await client(sv);
    expect([publisher.version, viewer.version]).toEqual([pv, sv]);
    const name = `interop/${pv.slice(-2)}-${sv.slice(-2)}`;
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data", {
      timescale: 1000,
      maxPendingGroups: 64,
      maxAgeMs: 1500,
      publisherPriority: 200,
    });
    publisher.mux.publishBroadcast(name, broadcast);

    const reader = viewer.announced("interop");
    const change = await changeOf(reader, name, true, "the announcement");
    expect(change).toMatchObject({ path: name, active: true });
    // 04 and 05 carry hop ids: the relay's own is in the chain.
    if (sv !== "moq-lite-03") expect(change!.hops.length).toBeGreaterThan(0);

    const sub = viewer.subscribe(name, "data");
    await until(() => track.consumerCount > 0, T, "moq-relay's upstream subscription");
    const got: [string, number][] = [];
    for (let g = 0; g < 3; g++) {
      const group = track.openGroup();
      group.writeFrame(new TextEncoder().encode(`frame ${g}`), 1_000_000 + g * 40);
      group.close();
      const arrived = await within(sub.nextGroup(), T, `group ${g}`);
      for (let f; (f = await arrived!.readFrame()) !== undefined;) {
        got.push([new TextDecoder().decode(f), arrived!.lastTimestamp]);
      }
    }
    expect(got.map(([text]) => text)).toEqual(["frame 0", "frame 1", "frame 2"]);
    // Timestamps cross moq-relay intact when both ends carry them (05 and 06).
    const timed = (v: Version) => v === "moq-lite-05" || v === "moq-lite-06";
    if (timed(pv) && timed(sv)) {
      expect(got.map(([, ts]) => ts)).toEqual([1_000_000, 1_000_040, 1_000_080]);
      // moq-relay re-serves the publisher's retention window and priority in its own TRACK_INFO.
      expect(sub.trackInfo).toMatchObject({ maxLatencyMs: 1500, priority: 200 });
    }
    broadcast.close();
  });

  it("negotiates 06 by default, sees route cost in announcements, and gets probe reports", async () => {
    const publisher = await connect(url, { transport: "websocket", timeoutMs: 10_000 });
    const viewer = await connect(url, { transport: "websocket", timeoutMs: 10_000 });
    sessions.push(publisher, viewer);
    expect([publisher.version, viewer.version]).toEqual(["moq-lite-06", "moq-lite-06"]);
    const broadcast = new BroadcastProducer();
    broadcast.createTrack("data");
    publisher.mux.publishBroadcast("interop/cost", broadcast);

    const reader = viewer.announced("interop");
    const change = await changeOf(reader, "interop/cost", true, "the announcement");
    // Our publisher announces at cost 0; moq-relay adds its link to us (1), and we add our link
    // to it (it names no price in SETUP, so 1).
    expect(change!.cost).toEqual({ warm: 2, cold: 2 });
    expect(change!.hops.length).toBeGreaterThan(0);

    const probe = viewer.probe();
    const report = await within(probe.next(), T, "a probe report");
    expect(report).toBeDefined();
    expect(report!.bitrate).toBeGreaterThanOrEqual(0);
    probe.close();
    broadcast.close();
    // It ends by id: the reader sees the end.
    const ended = await changeOf(reader, "interop/cost", false, "the announcement's end");
    expect(ended).toMatchObject({ path: "interop/cost", active: false });
  });

  it("speaks 06 over its native QUIC WebTransport (HTTP/3), pinned by the fingerprint it publishes", async (ctx) => {
    const h3 = loadHttp3();
    const pair = await quicPair(ctx, "moq-relay over HTTP/3");
    if (!pair) return;
    const { publisher, viewer } = pair;
    for (const s of [publisher, viewer])
      expect(s.connectionState()).toMatchObject({ transport: "webtransport-h3", version: "moq-lite-06" });
    // --insecure reaches its QUIC-only port too (there is no TCP side to read the certificate from).
    const unverified = await connect(quicUrl, { insecure: true, transport: "webtransport-h3", timeoutMs: 10_000 });
    sessions.push(unverified);
    expect(unverified.connectionState()).toMatchObject({
      transport: "webtransport-h3",
      tls: { verification: "insecure" },
    });

    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data");
    publisher.mux.publishBroadcast("interop/quic", broadcast);
    const reader = viewer.announced("interop");
    await changeOf(reader, "interop/quic", true, "the announcement");
    const sub = viewer.subscribe("interop/quic", "data");
    await until(() => track.consumerCount > 0, T, "moq-relay's upstream subscription");
    const payload = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    const group = track.openGroup();
    group.writeFrame(payload);
    group.close();
    const arrived = await within(sub.nextGroup(), T, "the group");
    expect(await arrived!.readFrame()).toEqual(payload);
    if (h3.available && h3.extended) {
      await until(() => (viewer.transport.stats().smoothedRttMs ?? 0) > 0, T, "QUIC's RTT");
    }
    broadcast.close();
  });

  it("carries single-frame groups in QUIC datagrams both ways through it", async (ctx) => {
    const pair = await quicPair(ctx, "moq-relay datagrams");
    if (!pair) return;
    const { publisher, viewer } = pair;
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("pings", { timescale: 1000 });
    publisher.mux.publishBroadcast("interop/datagrams", broadcast);
    const reader = viewer.announced("interop");
    await changeOf(reader, "interop/datagrams", true, "the announcement");
    const sent: number[] = [];
    publisher.on((e) => e.type === "datagram" && e.direction === "sent" && sent.push(e.sequence));
    const sub = viewer.subscribe("interop/datagrams", "pings");
    await until(() => track.consumerCount > 0, T, "moq-relay's upstream subscription");
    // Datagrams are best-effort and moq-relay's downstream subscription may start a moment after
    // its upstream one: keep sending until one arrives, then check what it carried.
    let seq = 0;
    const timer = setInterval(
      () => track.writeDatagram(new TextEncoder().encode(`ping ${seq}`), 1000 + 40 * seq++),
      50,
    );
    try {
      const group = await within(sub.nextGroup(), T, "a datagram group");
      expect(group!.datagram).toBe(true);
      const text = new TextDecoder().decode(await group!.readFrame());
      const n = Number(text.split(" ")[1]);
      expect(text).toBe(`ping ${n}`);
      expect(group!.sequence).toBe(n);
      expect(group!.lastTimestamp).toBe(1000 + 40 * n);
      expect(sent).toContain(n);
    } finally {
      clearInterval(timer);
    }
    broadcast.close();
  });
});
