// `moqscope inspect` and `moqscope probe` against our server, which announces broadcasts and
// answers probe streams with its own measurements.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../../main/moq/connect.ts";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { Relay } from "../../../main/moq/relay/index.ts";
import { decodeProbe } from "../../../main/moq/lite/wire/probe.ts";
import { BidiStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import { writeAll } from "../fuzz/raw-peer.ts";
import { startRawServer } from "../fuzz/raw-server.ts";
import type { RawConnection } from "../fuzz/raw-server.ts";
import { jsonLines, killAll, runCli, startCli, startCliServer } from "./helpers.ts";
import type { CliServer } from "./helpers.ts";

let server: CliServer;
beforeEach(async () => {
  server = await startCliServer();
});
afterEach(async () => {
  killAll();
  await server.close();
});

describe("moqscope inspect", () => {
  it(
    "--json --duration 2 prints announcements, stats and probe reports, then a summary",
    { timeout: 60_000 },
    async () => {
      server.mux.publishBroadcast("live/one", new BroadcastProducer());
      server.mux.publishBroadcast("live/two", new BroadcastProducer());
      const result = await runCli(["inspect", server.url, "--json", "--duration", "2"]);
      expect(result.code, result.stderr).toBe(0);
      const lines = jsonLines(result.stdout);
      expect(lines[0]).toMatchObject({ event: "connected" });
      const announced = lines.filter((l) => l.event === "announce");
      expect(announced).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: "live/one", active: true }),
          expect.objectContaining({ path: "live/two", active: true }),
        ]),
      );
      const stats = lines.filter((l) => l.event === "stats");
      expect(stats.length).toBeGreaterThanOrEqual(1);
      for (const s of stats) {
        expect(typeof s.bytesSent).toBe("number");
        expect(typeof s.bytesReceived).toBe("number");
        expect(typeof s.estimatedBitrate).toBe("number");
        expect(s).toHaveProperty("rttMs");
      }
      expect(lines.filter((l) => l.event === "probe").length).toBeGreaterThanOrEqual(1);
      expect(lines.at(-1)).toMatchObject({ event: "summary", announced: 2, reason: "duration" });
    },
  );

  it("on moq-lite-05, says what the peer's SETUP offers (probe level, role)", { timeout: 60_000 }, async () => {
    const json = await runCli(["inspect", server.url, "--json", "--duration", "1.5", "--protocol", "05"]);
    expect(json.code, json.stderr).toBe(0);
    const lines = jsonLines(json.stdout);
    expect(lines[0]).toMatchObject({ event: "connected", version: "moq-lite-05" });
    expect(lines.find((l) => l.event === "peer-setup")).toEqual({ event: "peer-setup", probe: 1, role: 0 });
    const text = await runCli(["inspect", server.url, "--duration", "1.5", "--protocol", "moq-lite-05"]);
    expect(text.stdout + text.stderr).toContain(
      "peer's SETUP: probe level 1 (report: it reports its send rate), role publish and subscribe",
    );
    // Older versions have no SETUP stream: nothing to say.
    const old = await runCli(["inspect", server.url, "--json", "--duration", "1", "--protocol", "04"]);
    expect(jsonLines(old.stdout).some((l) => l.event === "peer-setup")).toBe(false);
  });

  it("shows broadcasts coming and going as + and - lines, under --prefix only", { timeout: 60_000 }, async () => {
    server.mux.publishBroadcast("room/a", new BroadcastProducer());
    server.mux.publishBroadcast("elsewhere/b", new BroadcastProducer());
    const cli = startCli(["inspect", server.url, "--prefix", "room"]);
    await cli.line((l) => l === "+ room/a", "the first announcement");
    const later = new BroadcastProducer();
    server.mux.publishBroadcast("room/c", later);
    await cli.line((l) => l === "+ room/c", "the new broadcast");
    later.close();
    await cli.line((l) => l === "- room/c", "the ended broadcast");
    await cli.line((l) => l.startsWith("stats "), "a stats line");
    cli.child.kill("SIGINT");
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("elsewhere/b");
    expect(result.stdout).toMatch(
      /^stats {2}rtt [\d.]+ ms \(latest [\d.]+ ms\) · sent \d+ B \(\d+ bit\/s\) · received \d+ B /m,
    );
    expect(result.stdout).toMatch(/inspected .*: 1 broadcast announced \(3 changes\)/);
  });

  it("says once when the peer does not report probe measurements", { timeout: 60_000 }, async () => {
    // moq-lite-02 (through SETUP) has no probe streams: the server refuses ours.
    const result = await runCli(["inspect", server.url, "--json", "--duration", "1.5", "--protocol", "legacy"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ event: "connected", version: "moq-lite-02" });
    const notices = lines.filter(
      (l) => l.event === "notice" && String(l.message).startsWith("peer does not report probe measurements"),
    );
    expect(notices).toHaveLength(1);
    expect(lines.filter((l) => l.event === "probe")).toHaveLength(0);
  });
});

describe("moqscope probe", () => {
  it("--json --duration 2 prints the server's probe reports", { timeout: 60_000 }, async () => {
    const result = await runCli(["probe", server.url, "--json", "--duration", "2", "--bitrate", "2M"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const probes = lines.filter((l) => l.event === "probe");
    expect(probes.length).toBeGreaterThanOrEqual(1);
    for (const p of probes) {
      expect(typeof p.bitrate).toBe("number");
      expect(p.rttMs === null || typeof p.rttMs === "number").toBe(true);
    }
    // moq-lite-04 carries the RTT the server measured.
    expect(probes.some((p) => typeof p.rttMs === "number" && p.rttMs > 0)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: "summary", reports: probes.length, reason: "duration" });
  });

  it("prints reports for people in Mbit/s and bits", { timeout: 60_000 }, async () => {
    const result = await runCli(["probe", server.url, "--duration", "1.5"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ +\d+\.\d{3} Mbit\/s {2}\(\d+ bit\/s\) {2}rtt /m);
    expect(result.stdout).toMatch(/\d+ reports? over /);
  });

  it("fails with an explanation when the peer cannot be probed", { timeout: 60_000 }, async () => {
    const result = await runCli(["probe", server.ws, "--duration", "5", "--protocol", "legacy"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("peer does not report probe measurements");
  });
});

describe("peers that reset our streams", () => {
  /** Answer each request stream the CLI opens with `answer`, by stream type. */
  async function withRawPeer(
    answer: (
      conn: RawConnection,
      type: number,
      req: Awaited<ReturnType<RawConnection["nextRequest"]>>,
    ) => Promise<void>,
    run: (ws: string) => Promise<void>,
  ) {
    const raw = await startRawServer();
    raw.script = async (conn) => {
      for (;;) {
        const req = await conn.nextRequest();
        void answer(conn, req.type, req).catch(() => {});
      }
    };
    try {
      await run(raw.ws);
    } finally {
      await raw.close();
    }
  }

  it(
    "probe --bitrate: a peer that resets the probe stream after our target (as moq-relay does) is named with its code",
    { timeout: 60_000 },
    async () => {
      const targets: number[] = [];
      await withRawPeer(
        async (conn, type, req) => {
          if (type !== BidiStreamType.Probe) return;
          targets.push(decodeProbe(await req.recv.message(1024, "PROBE"), conn.version).bitrate);
          const writer = await writeAll(req.writable, [], false);
          await writer.abort(conn.transport.streamError(ErrorCode.Encode));
        },
        async (ws) => {
          const result = await runCli(["probe", ws, "--bitrate", "2M", "--duration", "10"]);
          expect(targets).toEqual([2_000_000]);
          expect(result.code).toBe(1);
          const lines = result.stderr.trimEnd().split("\n");
          expect(lines).toHaveLength(1);
          expect(lines[0]).toContain("reset the probe stream with 18 Encode");
          expect(lines[0]).toContain("without --bitrate");
          expect(lines[0]).not.toContain("without a report");
        },
      );
    },
  );

  it(
    "inspect: a peer that resets the announce stream is reported with the code's name and number",
    { timeout: 60_000 },
    async () => {
      await withRawPeer(
        async (conn, type, req) => {
          if (type !== BidiStreamType.Announce) return;
          const writer = await writeAll(req.writable, [], false);
          await writer.abort(conn.transport.streamError(ErrorCode.NotFound));
        },
        async (ws) => {
          const result = await runCli(["inspect", ws, "--duration", "1.5"]);
          expect(result.code, result.stderr).toBe(0);
          expect(result.stderr).toContain("the server reset the announce stream with 13 NotFound");
        },
      );
    },
  );
});

describe("inspect through a relay", () => {
  let relay: Relay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it(
    "shows hop ids on moq-lite-04 and only the hop count on moq-lite-03, which carries no ids",
    { timeout: 90_000 },
    async () => {
      relay = await Relay.start({ host: "127.0.0.1", port: 0, http3: false });
      const mux = new TrackMux();
      mux.publishBroadcast("room/cam", new BroadcastProducer());
      const publisher = await connect(`ws://127.0.0.1:${relay.port}/`, {
        mux,
        transport: "websocket",
        timeoutMs: 10_000,
      });
      try {
        const ws = `ws://127.0.0.1:${relay.port}/`;
        const on04 = await runCli(["inspect", ws, "--protocol", "moq-lite-04", "--duration", "1.5"]);
        expect(on04.code, on04.stderr).toBe(0);
        expect(on04.stdout).toMatch(/^\+ room\/cam {2}\(1 hop: [1-9]\d*\)$/m);
        const on03 = await runCli(["inspect", ws, "--protocol", "moq-lite-03", "--duration", "1.5"]);
        expect(on03.code, on03.stderr).toBe(0);
        expect(on03.stdout).toMatch(/^\+ room\/cam {2}\(1 hop\)$/m);
        const json03 = jsonLines(
          (await runCli(["inspect", ws, "--protocol", "moq-lite-03", "--duration", "1.5", "--json"])).stdout,
        );
        expect(json03.find((l) => l.event === "announce")).toMatchObject({ path: "room/cam", hopCount: 1, hops: null });
      } finally {
        publisher.close();
      }
    },
  );
});
