// The benchmark's printout: one row per sample, the main → renderer traffic per view, and the
// verdicts against the issue's targets. Numbers only; nothing here fails the run.

import type { ProbeCounters } from "./page-probe.ts";

export interface Sample {
  /** Seconds since the subscriptions were made. */
  t: number;
  fps: number;
  longestFrameMs: number;
  messagesPerSecond: number;
  bytesPerSecond: number;
  /** Share of wall time the renderer's main thread spent in tasks (CDP TaskDuration), and in script. */
  rendererBusyPercent: number;
  rendererScriptPercent: number;
  rendererHeapMb: number;
  mainCpuPercent: number;
  mainRssMb: number;
  mainHeapMb: number;
  mainLoopP99Ms: number;
  chromiumCpuPercent: number;
  chromiumRssMb: number;
  relayCpuPercent: number;
  publisherCpuPercent: number;
  publishedGroupsPerSecond: number;
}

const COLUMNS: [string, (s: Sample) => string][] = [
  ["t s", (s) => s.t.toFixed(0)],
  ["fps", (s) => s.fps.toFixed(1)],
  ["longest frame ms", (s) => s.longestFrameMs.toFixed(0)],
  ["msgs/s", (s) => s.messagesPerSecond.toFixed(1)],
  ["KB/s", (s) => (s.bytesPerSecond / 1000).toFixed(1)],
  ["renderer busy %", (s) => s.rendererBusyPercent.toFixed(0)],
  ["renderer script %", (s) => s.rendererScriptPercent.toFixed(0)],
  ["renderer heap MB", (s) => s.rendererHeapMb.toFixed(1)],
  ["main CPU %", (s) => s.mainCpuPercent.toFixed(0)],
  ["main RSS MB", (s) => s.mainRssMb.toFixed(1)],
  ["main heap MB", (s) => s.mainHeapMb.toFixed(1)],
  ["main loop p99 ms", (s) => s.mainLoopP99Ms.toFixed(1)],
  ["chromium CPU %", (s) => s.chromiumCpuPercent.toFixed(0)],
  ["relay CPU %", (s) => s.relayCpuPercent.toFixed(0)],
  ["pub CPU %", (s) => s.publisherCpuPercent.toFixed(0)],
  ["groups/s sent", (s) => s.publishedGroupsPerSecond.toFixed(0)],
];

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 && header[0] !== "t s" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 && header[0] !== "t s" ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

export function samplesTable(samples: Sample[]): string {
  return table(
    COLUMNS.map(([h]) => h),
    samples.map((s) => COLUMNS.map(([, f]) => f(s))),
  );
}

/** Main → renderer traffic per view between two readings of the page's counters. */
export function trafficTable(first: ProbeCounters, last: ProbeCounters): string {
  const seconds = (last.at - first.at) / 1000;
  const rows = Object.entries(last.byView)
    .map(([view, now]) => {
      const then = first.byView[view] ?? { messages: 0, bytes: 0, snapshots: 0 };
      return {
        view,
        messages: now.messages - then.messages,
        bytes: now.bytes - then.bytes,
        snapshots: now.snapshots - then.snapshots,
      };
    })
    .filter((r) => r.messages > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return table(
    ["view", "msgs/s", "KB/s", "KB per msg", "snapshots"],
    rows.map((r) => [
      r.view,
      (r.messages / seconds).toFixed(1),
      (r.bytes / seconds / 1000).toFixed(1),
      (r.bytes / r.messages / 1000).toFixed(1),
      String(r.snapshots),
    ]),
  );
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export interface Targets {
  minFps: number;
  maxMessagesPerSecond: number;
  /** When the timeline's ring buffers are full, seconds after subscribing. */
  buffersFullAtS: number;
  /** Memory counts as flat when the last minute's mean is within this much of the first full minute's. */
  flatTolerance: number;
}

function memoryVerdict(samples: Sample[], pick: (s: Sample) => number, targets: Targets, what: string): string {
  const end = samples.at(-1)?.t ?? 0;
  const early = samples.filter((s) => s.t > targets.buffersFullAtS && s.t <= targets.buffersFullAtS + 60);
  const late = samples.filter((s) => s.t > end - 60);
  if (end < targets.buffersFullAtS + 120 || early.length === 0 || late.length === 0) {
    return `${what}: run too short to compare a minute after the buffers fill (${targets.buffersFullAtS} s) with the last minute`;
  }
  const a = mean(early.map(pick));
  const b = mean(late.map(pick));
  const change = (b - a) / a;
  const flat = Math.abs(change) <= targets.flatTolerance;
  return (
    `${what}: ${a.toFixed(1)} MB (mean, ${targets.buffersFullAtS}–${targets.buffersFullAtS + 60} s) → ` +
    `${b.toFixed(1)} MB (mean, last minute): ${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}% ` +
    `(${flat ? "flat" : "NOT flat"}, tolerance ±${(targets.flatTolerance * 100).toFixed(0)}%)`
  );
}

export function summary(samples: Sample[], targets: Targets): string {
  const fps = samples.map((s) => s.fps);
  const msgs = samples.map((s) => s.messagesPerSecond);
  const atOrAbove = fps.filter((f) => f >= targets.minFps).length;
  const meanFps = mean(fps);
  const maxMsgs = Math.max(...msgs);
  return [
    `frame rate: mean ${meanFps.toFixed(1)}, min ${Math.min(...fps).toFixed(1)}, ${atOrAbove} of ${fps.length} samples ≥ ${targets.minFps} ` +
      `→ ${meanFps >= targets.minFps && atOrAbove === fps.length ? "meets" : "MISSES"} ≥ ${targets.minFps} fps`,
    `messages main → renderer: mean ${mean(msgs).toFixed(1)}/s, max ${maxMsgs.toFixed(1)}/s ` +
      `→ ${maxMsgs < targets.maxMessagesPerSecond ? "meets" : "MISSES"} < ${targets.maxMessagesPerSecond}/s`,
    `bytes main → renderer: mean ${(mean(samples.map((s) => s.bytesPerSecond)) / 1000).toFixed(1)} KB/s`,
    `main CPU: mean ${mean(samples.map((s) => s.mainCpuPercent)).toFixed(0)}% of a core; ` +
      `renderer main thread busy: mean ${mean(samples.map((s) => s.rendererBusyPercent)).toFixed(0)}%`,
    memoryVerdict(samples, (s) => s.mainRssMb, targets, "main RSS"),
    memoryVerdict(samples, (s) => s.mainHeapMb, targets, "main heap"),
    memoryVerdict(samples, (s) => s.rendererHeapMb, targets, "renderer JS heap"),
  ].join("\n");
}
