import { describe, expect, it } from "vitest";
import { probeThreshold, shouldReport } from "../../../../main/moq/lite/session/probe-rule.ts";
import { RateMeter } from "../../../../main/moq/lite/session/bitrate.ts";
import { groupSendOrder } from "../../../../main/moq/lite/session/priority.ts";

describe("probe report rule (spec §10.1)", () => {
  it("reports the first sample and a value appearing after zero", () => {
    expect(shouldReport(undefined, 0, 0)).toBe(true);
    expect(shouldReport(0, 0, 5000)).toBe(false);
    expect(shouldReport(0, 1, 100)).toBe(true);
  });

  it("reports a 25% change at once and smaller changes later", () => {
    expect(probeThreshold(100)).toBeCloseTo(0.25);
    expect(probeThreshold(10_000)).toBe(0);
    expect(shouldReport(2_500_000, 4_000_000, 100)).toBe(true);
    // The live capture: +4 % after ~400 ms was not reported.
    expect(shouldReport(2_500_000, 2_600_000, 400)).toBe(false);
    expect(shouldReport(2_500_000, 2_600_000, 9_000)).toBe(true);
    // Heartbeat: after ten seconds any value goes out again.
    expect(shouldReport(2_500_000, 2_500_000, 10_000)).toBe(true);
  });
});

describe("rate meter", () => {
  it("measures bits per second over the last second", () => {
    let t = 0;
    const meter = new RateMeter(() => t);
    for (let i = 0; i < 10; i++) {
      meter.add(12_500);
      t += 100;
    }
    expect(meter.bitsPerSecond()).toBeGreaterThan(900_000);
    expect(meter.bitsPerSecond()).toBeLessThan(1_100_000);
    t += 5_000;
    expect(meter.bitsPerSecond()).toBe(0);
    expect(meter.total).toBe(125_000);
  });
});

describe("send order (spec §2.3)", () => {
  it("puts every group below control streams and higher priorities first", () => {
    expect(groupSendOrder(255, false, 0)).toBeLessThan(0);
    expect(groupSendOrder(200, false, 1_000_000)).toBeGreaterThan(groupSendOrder(100, false, 5));
    expect(groupSendOrder(100, true, 1_000_000)).toBeGreaterThan(groupSendOrder(99, true, 0));
  });

  it("sends newer groups first unless ordered", () => {
    expect(groupSendOrder(10, false, 6)).toBeGreaterThan(groupSendOrder(10, false, 5));
    expect(groupSendOrder(10, true, 5)).toBeGreaterThan(groupSendOrder(10, true, 6));
  });
});
