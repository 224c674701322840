// Turning run results into numbers and Markdown tables (so they paste straight into BENCHMARKS.md),
// plus the verdicts on the issue's targets. MB = 10^6 bytes, GB = 10^9 bytes, payload bytes only.

import type { RunResult } from "./runner.ts";

export interface Metrics {
  transport: string;
  pair: string;
  frameBytes: number;
  mb: number;
  seconds: number;
  mbPerSecond: number;
  framesPerSecond: number;
  /** CPU seconds (user + system) per GB moved, per side and together. */
  pubCpuPerGb: number;
  subCpuPerGb: number;
  totalCpuPerGb: number;
  pubRssMb: number;
  subRssMb: number;
}

export function pairLabel(r: RunResult): string {
  const { publisher, subscriber, version } = r.config;
  if (publisher === "raw") return "raw transport";
  // 04 is the baseline the verdicts compare; other versions are labelled.
  const v = version === "moq-lite-04" ? "" : ` (${version.replace("moq-lite-", "")})`;
  return `${publisher} → ${subscriber}${v}`;
}

export function metricsOf(r: RunResult): Metrics {
  const s = r.subscriber;
  const seconds = s.cpu.wallSeconds;
  const gb = s.bytes / 1e9;
  const pubCpu = r.publisher.userSeconds + r.publisher.systemSeconds;
  const subCpu = s.cpu.userSeconds + s.cpu.systemSeconds;
  return {
    transport: r.config.transport,
    pair: pairLabel(r),
    frameBytes: r.config.frameBytes,
    mb: s.bytes / 1e6,
    seconds,
    mbPerSecond: s.bytes / 1e6 / seconds,
    framesPerSecond: s.frames / seconds,
    pubCpuPerGb: pubCpu / gb,
    subCpuPerGb: subCpu / gb,
    totalCpuPerGb: (pubCpu + subCpu) / gb,
    pubRssMb: r.publisher.maxRssMb,
    subRssMb: s.cpu.maxRssMb,
  };
}

export function frameLabel(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function keyOf(m: { transport: string; frameBytes: number; pair: string }): string {
  return `${m.transport}|${m.frameBytes}|${m.pair}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary extends Metrics {
  runs: number;
  minMbPerSecond: number;
  maxMbPerSecond: number;
}

/** Medians per (transport, frame size, pair), in first-seen order. */
export function summarize(all: Metrics[]): Summary[] {
  const groups = new Map<string, Metrics[]>();
  for (const m of all) {
    const k = keyOf(m);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(m);
  }
  return [...groups.values()].map((ms) => {
    const med = (f: (m: Metrics) => number) => median(ms.map(f));
    return {
      ...ms[0]!,
      mb: med((m) => m.mb),
      seconds: med((m) => m.seconds),
      mbPerSecond: med((m) => m.mbPerSecond),
      framesPerSecond: med((m) => m.framesPerSecond),
      pubCpuPerGb: med((m) => m.pubCpuPerGb),
      subCpuPerGb: med((m) => m.subCpuPerGb),
      totalCpuPerGb: med((m) => m.totalCpuPerGb),
      pubRssMb: Math.max(...ms.map((m) => m.pubRssMb)),
      subRssMb: Math.max(...ms.map((m) => m.subRssMb)),
      runs: ms.length,
      minMbPerSecond: Math.min(...ms.map((m) => m.mbPerSecond)),
      maxMbPerSecond: Math.max(...ms.map((m) => m.mbPerSecond)),
    };
  });
}

function rawOf(list: Metrics[], m: Metrics): Metrics | undefined {
  return list.find((r) => r.transport === m.transport && r.frameBytes === m.frameBytes && r.pair === "raw transport");
}

/** One row per run, as each finishes. */
export function runTable(runs: Metrics[]): string {
  const header = [
    "transport",
    "publisher → subscriber",
    "frame",
    "MB",
    "s",
    "MB/s",
    "frames/s",
    "pub CPU s/GB",
    "sub CPU s/GB",
    "total CPU s/GB",
  ];
  return table(
    header,
    runs.map((m) => [
      m.transport,
      m.pair,
      frameLabel(m.frameBytes),
      fixed(m.mb, 0),
      fixed(m.seconds, 2),
      fixed(m.mbPerSecond, 1),
      fixed(m.framesPerSecond, 0),
      fixed(m.pubCpuPerGb, 2),
      fixed(m.subCpuPerGb, 2),
      fixed(m.totalCpuPerGb, 2),
    ]),
  );
}

/** Medians over repeats, with the MB/s range and the share of the raw transport's throughput. */
export function summaryTable(summaries: Summary[]): string {
  const header = [
    "transport",
    "publisher → subscriber",
    "frame",
    "runs",
    "MB/s (median)",
    "MB/s (min–max)",
    "frames/s",
    "% of raw",
    "pub CPU s/GB",
    "sub CPU s/GB",
    "total CPU s/GB",
    "peak RSS pub/sub MB",
  ];
  return table(
    header,
    summaries.map((m) => {
      const raw = rawOf(summaries, m);
      return [
        m.transport,
        m.pair,
        frameLabel(m.frameBytes),
        String(m.runs),
        fixed(m.mbPerSecond, 1),
        `${fixed(m.minMbPerSecond, 1)}–${fixed(m.maxMbPerSecond, 1)}`,
        fixed(m.framesPerSecond, 0),
        raw ? `${fixed((100 * m.mbPerSecond) / raw.mbPerSecond, 0)}%` : "–",
        fixed(m.pubCpuPerGb, 2),
        fixed(m.subCpuPerGb, 2),
        fixed(m.totalCpuPerGb, 2),
        `${fixed(m.pubRssMb, 0)}/${fixed(m.subRssMb, 0)}`,
      ];
    }),
  );
}

/** The issue's targets, checked on the medians. Lines start with PASS, MISS or n/a. */
export function verdicts(summaries: Summary[]): string[] {
  const out: string[] = [];
  const find = (transport: string, frameBytes: number, pair: string) =>
    summaries.find((s) => s.transport === transport && s.frameBytes === frameBytes && s.pair === pair);
  const transports = [...new Set(summaries.map((s) => s.transport))];
  const sizes = [...new Set(summaries.map((s) => s.frameBytes))];
  const mark = (ok: boolean) => (ok ? "PASS" : "MISS");

  for (const t of transports) {
    const raw = find(t, 65536, "raw transport");
    const ours = find(t, 65536, "ours → ours");
    if (raw && ours) {
      const share = ours.mbPerSecond / raw.mbPerSecond;
      out.push(
        `${mark(share >= 0.7)} ${t}, 64 KiB frames: ours → ours ${fixed(ours.mbPerSecond, 1)} MB/s = ${fixed(100 * share, 0)}% of raw ${fixed(raw.mbPerSecond, 1)} MB/s (target ≥ 70%)`,
      );
    }
  }
  for (const t of transports) {
    for (const size of sizes) {
      const ours = find(t, size, "ours → ours");
      const lite = find(t, size, "lite → lite");
      if (!ours || !lite) continue;
      const fast = ours.mbPerSecond >= lite.mbPerSecond;
      const lean = ours.totalCpuPerGb <= lite.totalCpuPerGb;
      // With repeats, a throughput loss smaller than the overlap of the two ranges is noise.
      const overlap = !fast && ours.runs > 1 && lite.runs > 1 && ours.maxMbPerSecond >= lite.minMbPerSecond;
      out.push(
        `${mark(fast && lean)} ${t}, ${frameLabel(size)}: ours → ours ${fixed(ours.mbPerSecond, 1)} MB/s at ${fixed(ours.totalCpuPerGb, 2)} CPU s/GB vs reference lite → lite ${fixed(lite.mbPerSecond, 1)} MB/s at ${fixed(lite.totalCpuPerGb, 2)} CPU s/GB (target: ≥ throughput, ≤ CPU/byte)` +
          (overlap ? "; the MB/s ranges overlap" : ""),
      );
      const oursToLite = find(t, size, "ours → lite");
      if (oursToLite) {
        out.push(
          `  subscriber side, same (our) publisher: ours ${fixed(ours.subCpuPerGb, 2)} vs lite ${fixed(oursToLite.subCpuPerGb, 2)} CPU s/GB; ${fixed(ours.mbPerSecond, 1)} vs ${fixed(oursToLite.mbPerSecond, 1)} MB/s`,
        );
      }
      const liteToOurs = find(t, size, "lite → ours");
      if (liteToOurs) {
        out.push(
          `  publisher side, same (our) subscriber: ours ${fixed(ours.pubCpuPerGb, 2)} vs lite ${fixed(liteToOurs.pubCpuPerGb, 2)} CPU s/GB; ${fixed(ours.mbPerSecond, 1)} vs ${fixed(liteToOurs.mbPerSecond, 1)} MB/s`,
        );
      }
    }
  }
  return out;
}
