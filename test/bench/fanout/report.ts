// One row per fan-out step and the Markdown table they make (so it pastes into BENCHMARKS.md).

import { percentile } from "../../../main/studio/observe/samples.ts";
import type { PublisherReportLike, StepResult } from "./step.ts";

export interface StepRow {
  subscribers: number;
  kind: string;
  /** Total payload delivered to all subscribers, Mbit/s (10^6 bits). */
  deliveredMbps: number;
  /** Groups the publisher finished inside the window (each subscriber should get all of them). */
  windowGroups: number;
  lostGroups: number;
  partialGroups: number;
  badFrames: number;
  p50: number | undefined;
  p90: number | undefined;
  p99: number | undefined;
  max: number | undefined;
  samples: number;
  relayCpuPercent: number;
  relayRssMb: number;
  relayHeapMb: number;
  /** CPU % of every subscriber process together, and of the publisher (100% = one core). */
  subscriberCpuPercent: number;
  publisherCpuPercent: number;
}

const cpuPercent = (u: PublisherReportLike["usage"]) => (100 * u.cpuSeconds) / u.wallSeconds;

export function rowOf(step: StepResult): StepRow {
  const latencies = step.subscribers.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  const bits = step.subscribers.reduce((sum, s) => sum + s.bytes * 8, 0);
  const wall = Math.max(...step.subscribers.map((s) => s.usage.wallSeconds));
  return {
    subscribers: step.count,
    kind: step.kind,
    deliveredMbps: bits / 1e6 / wall,
    windowGroups: step.publisher.toGroup - step.publisher.fromGroup + 1,
    lostGroups: step.subscribers.reduce((n, s) => n + s.lostGroups, 0),
    partialGroups: step.subscribers.reduce((n, s) => n + s.partialGroups, 0),
    badFrames: step.subscribers.reduce((n, s) => n + s.badFrames, 0),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    samples: latencies.length,
    relayCpuPercent: cpuPercent(step.relay.usage),
    relayRssMb: step.relay.usage.peakRssMb,
    relayHeapMb: step.relay.usage.heapUsedMb,
    subscriberCpuPercent: step.subscribers.reduce((n, s) => n + cpuPercent(s.usage), 0),
    publisherCpuPercent: cpuPercent(step.publisher.usage),
  };
}

const ms = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(1));

export function markdownTable(rows: StepRow[]): string {
  const header = [
    "subscribers",
    "kind",
    "Mbit/s delivered",
    "groups lost / expected",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "relay CPU %",
    "relay RSS MB",
    "relay heap MB",
    "sub procs CPU %",
    "pub CPU %",
  ];
  const cells = rows.map((r) => [
    String(r.subscribers),
    r.kind,
    r.deliveredMbps.toFixed(1),
    `${r.lostGroups} / ${r.windowGroups * r.subscribers}${r.partialGroups ? ` (${r.partialGroups} partial)` : ""}`,
    ms(r.p50),
    ms(r.p90),
    ms(r.p99),
    ms(r.max),
    r.relayCpuPercent.toFixed(1),
    r.relayRssMb.toFixed(0),
    r.relayHeapMb.toFixed(0),
    r.subscriberCpuPercent.toFixed(1),
    r.publisherCpuPercent.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}

/** Zero loss and p99 under the bound. */
export function stepHolds(r: StepRow, p99BoundMs: number): boolean {
  return r.lostGroups === 0 && r.badFrames === 0 && r.p99 !== undefined && r.p99 < p99BoundMs;
}
