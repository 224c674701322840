// `moqscope bench` against our embedded relay: two connections publishing to and subscribing from
// each other, plus the option parsing (ranges, bad flags) and the loss and latency arithmetic.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GapTracker } from "../../../main/studio/observe/gaps.ts";
import { readStamp, stampFrame } from "../../../main/cli/bench/publisher.ts";
import { parseRange, pick } from "../../../main/cli/bench/range.ts";
import { percentile, summarize } from "../../../main/studio/observe/samples.ts";
import { benchSettings } from "../../../main/cli/commands/bench.ts";
import { UsageError } from "../../../main/cli/errors.ts";
import { Relay } from "../../../main/moq/relay/index.ts";
import { jsonLines, killAll, runCli } from "./helpers.ts";

const COUNT = { min: 0, max: 100, integer: true };

describe("bench ranges", () => {
  it("parses a number or MIN:MAX", () => {
    expect(parseRange("bench", "--fps", "30", { min: 1, max: 1 }, { min: 0.01, max: 1000, integer: false })).toEqual({
      min: 30,
      max: 30,
    });
    expect(
      parseRange("bench", "--fps", "7.5:60", { min: 1, max: 1 }, { min: 0.01, max: 1000, integer: false }),
    ).toEqual({ min: 7.5, max: 60 });
    expect(parseRange("bench", "--subscribe", " 2 : 5 ", { min: 1, max: 1 }, COUNT)).toEqual({ min: 2, max: 5 });
    expect(parseRange("bench", "--subscribe", undefined, { min: 1, max: 1 }, COUNT)).toEqual({ min: 1, max: 1 });
  });

  it("rejects bad values with a message naming the flag", () => {
    for (const raw of ["", "x", "1:2:3", "-1", "1.5", "101", "3:", ":3", "0x10"]) {
      expect(() => parseRange("bench", "--subscribe", raw, { min: 1, max: 1 }, COUNT)).toThrow(/--subscribe/);
    }
    expect(() =>
      parseRange("bench", "--fps", "0", { min: 1, max: 1 }, { min: 0.01, max: 1000, integer: false }),
    ).toThrow(/--fps/);
    expect(() => parseRange("bench", "--connections", "5:2", { min: 1, max: 1 }, COUNT)).toThrow(
      /--connections.*backwards/,
    );
    expect(() => parseRange("bench", "--connections", "5:2", { min: 1, max: 1 }, COUNT)).toThrow(UsageError);
  });

  it("draws within the range", () => {
    const range = { min: 3, max: 6 };
    const drawn = new Set<number>();
    for (let i = 0; i < 200; i++) drawn.add(pick(range, true));
    expect([...drawn].sort()).toEqual([3, 4, 5, 6]);
    for (let i = 0; i < 50; i++) {
      const x = pick({ min: 0.5, max: 1.5 }, false);
      expect(x).toBeGreaterThanOrEqual(0.5);
      expect(x).toBeLessThanOrEqual(1.5);
    }
  });

  it("validates every knob", () => {
    const s = benchSettings({ connections: "2:4", "frame-bytes": "100:2000", duration: "1.5" });
    expect(s.connections).toEqual({ min: 2, max: 4 });
    expect(s.frameBytes).toEqual({ min: 100, max: 2000 });
    expect(s.durationMs).toBe(1500);
    expect(s.reportMs).toBe(1000);
    expect(() => benchSettings({ connections: "0" })).toThrow(/--connections/);
    expect(() => benchSettings({ "group-frames": "a:b" })).toThrow(/--group-frames/);
    expect(() => benchSettings({ "frame-bytes": "0" })).toThrow(/--frame-bytes/);
    expect(() => benchSettings({ report: "0" })).toThrow(/--report/);
  });
});

describe("bench arithmetic", () => {
  it("computes nearest-rank percentiles from sorted samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([], 50)).toBeUndefined();
    expect(summarize([5, 1, 3])).toEqual({ p50: 3, p90: 5, p99: 5, samples: 3 });
  });

  it("counts a gap as lost only once a later group arrived in full", () => {
    const gaps = new GapTracker();
    gaps.arrived(10);
    expect(gaps.completed(10)).toBe(0);
    gaps.arrived(13); // 11 and 12 skipped so far
    gaps.arrived(12); // 12 was only late
    expect(gaps.lost).toBe(0);
    expect(gaps.completed(13)).toBe(1);
    expect(gaps.lost).toBe(1);
    expect(gaps.arrived(11)).toBe(false); // too late to count twice
  });

  it("carries the send time in the first eight bytes", () => {
    const frame = new Uint8Array(20);
    stampFrame(frame, 1_700_000_000_123.5);
    expect(readStamp(frame)).toBe(1_700_000_000_123.5);
    expect(readStamp(new Uint8Array(4))).toBeUndefined();
  });
});

describe("moqscope bench", () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await Relay.start({ http3: false, onLog: () => {} });
  });
  afterAll(async () => {
    await relay.close();
  });
  afterEach(() => killAll());

  it("publishes and subscribes between connections and reports without loss", { timeout: 60_000 }, async () => {
    const url = `ws://127.0.0.1:${relay.port}/`;
    const args = ["bench", url, "--connections", "2", "--broadcasts", "1", "--subscribe", "1", "--fps", "30"];
    args.push("--frame-bytes", "1000", "--group-frames", "10", "--duration", "3", "--report", "1", "--json");
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    const reports = lines.filter((l) => l.event === "report");
    expect(reports.length).toBeGreaterThan(0);
    const summaries = lines.filter((l) => l.event === "summary");
    expect(summaries).toHaveLength(1);
    const summary = summaries[0]!;
    const latency = summary.latencyMs as Record<string, unknown>;
    expect(summary.reason).toBe("duration");
    expect(summary.connections).toBe(2);
    expect(summary.sentFrames as number).toBeGreaterThan(0);
    expect(summary.recvFrames as number).toBeGreaterThan(0);
    expect(summary.groupsReceived as number).toBeGreaterThan(0);
    expect(summary.groupsLost).toBe(0);
    for (const p of ["p50", "p90", "p99"]) {
      expect(typeof latency[p]).toBe("number");
      expect(Number.isFinite(latency[p])).toBe(true);
    }
    for (const r of reports) expect(r.groupsLost).toBe(0);
  });

  it("opens 20 connections without piling listeners onto the interrupt signal", { timeout: 90_000 }, async () => {
    const url = `ws://127.0.0.1:${relay.port}/`;
    const result = await runCli([
      "bench",
      url,
      "--connections",
      "20",
      "--broadcasts",
      "1",
      "--subscribe",
      "1",
      "--fps",
      "5",
      "--duration",
      "1",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ event: "summary", connections: 20, reason: "duration" });
    expect(result.stderr).not.toContain("MaxListenersExceededWarning");
  });

  it("exits 2 on a bad range, naming the flag", async () => {
    const result = await runCli(["bench", `ws://127.0.0.1:${relay.port}/`, "--fps", "10:1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--fps/);
    expect(result.stderr).toMatch(/usage: moqscope bench/);
  });
});
