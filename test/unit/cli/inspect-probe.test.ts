// `moqscope inspect` and `moqscope probe` against our server, which announces broadcasts and
// answers probe streams with its own measurements.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
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
  it("--json --duration 2 prints announcements, stats and probe reports, then a summary", { timeout: 60_000 }, async () => {
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
    expect(result.stdout).toMatch(/^stats {2}rtt [\d.]+ ms · sent \d+ B \(\d+ bit\/s\) · received \d+ B /m);
    expect(result.stdout).toMatch(/inspected .*: 1 broadcast announced \(3 changes\)/);
  });

  it("says once when the peer does not report probe measurements", { timeout: 60_000 }, async () => {
    // moq-lite-02 (through SETUP) has no probe streams: the server refuses ours.
    const result = await runCli(["inspect", server.url, "--json", "--duration", "1.5", "--version", "legacy"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({ event: "connected", version: "moq-lite-02" });
    const notices = lines.filter((l) => l.event === "notice" && String(l.message).startsWith("peer does not report probe measurements"));
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
    const result = await runCli(["probe", server.ws, "--duration", "5", "--version", "legacy"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("peer does not report probe measurements");
  });
});
