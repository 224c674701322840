// What every connection of a bench run adds to: bytes and frames each way, groups received and
// lost, latency samples. Reports read it per interval (the change since the last report) and the
// summary over the whole run.

import { RunSamples, summarize } from "../../studio/observe/samples.ts";
import type { LatencySummary } from "../../studio/observe/samples.ts";

interface Counters {
  sentFrames: number;
  sentBytes: number;
  recvFrames: number;
  recvBytes: number;
  groupsReceived: number;
  groupsLost: number;
}

export interface Figures extends Counters {
  durationMs: number;
  sentMbps: number;
  sentFps: number;
  recvMbps: number;
  recvFps: number;
  latencyMs: LatencySummary;
}

const ZERO: Counters = { sentFrames: 0, sentBytes: 0, recvFrames: 0, recvBytes: 0, groupsReceived: 0, groupsLost: 0 };

export class BenchTally {
  readonly #total: Counters = { ...ZERO };
  #atLastReport: Counters = { ...ZERO };
  #interval: number[] = [];
  readonly #run = new RunSamples();

  sent(bytes: number): void {
    this.#total.sentFrames++;
    this.#total.sentBytes += bytes;
  }

  received(bytes: number): void {
    this.#total.recvFrames++;
    this.#total.recvBytes += bytes;
  }

  groupReceived(): void {
    this.#total.groupsReceived++;
  }

  groupsLost(n: number): void {
    this.#total.groupsLost += n;
  }

  latency(ms: number): void {
    this.#interval.push(ms);
    this.#run.add(ms);
  }

  /** The figures since the previous call, which starts the next interval. */
  interval(durationMs: number): Figures {
    const now = { ...this.#total };
    const prev = this.#atLastReport;
    const delta: Counters = {
      sentFrames: now.sentFrames - prev.sentFrames,
      sentBytes: now.sentBytes - prev.sentBytes,
      recvFrames: now.recvFrames - prev.recvFrames,
      recvBytes: now.recvBytes - prev.recvBytes,
      groupsReceived: now.groupsReceived - prev.groupsReceived,
      groupsLost: now.groupsLost - prev.groupsLost,
    };
    this.#atLastReport = now;
    const samples = this.#interval;
    this.#interval = [];
    return figures(delta, durationMs, summarize(samples));
  }

  /** The figures of the whole run. */
  total(durationMs: number): Figures {
    return figures({ ...this.#total }, durationMs, this.#run.summary());
  }
}

function figures(c: Counters, durationMs: number, latencyMs: LatencySummary): Figures {
  const seconds = durationMs / 1000;
  const rate = (n: number) => (seconds > 0 ? n / seconds : 0);
  return {
    ...c,
    durationMs: Math.round(durationMs),
    sentMbps: round(rate(c.sentBytes * 8) / 1e6, 3),
    sentFps: round(rate(c.sentFrames), 1),
    recvMbps: round(rate(c.recvBytes * 8) / 1e6, 3),
    recvFps: round(rate(c.recvFrames), 1),
    latencyMs: {
      p50: roundOpt(latencyMs.p50),
      p90: roundOpt(latencyMs.p90),
      p99: roundOpt(latencyMs.p99),
      samples: latencyMs.samples,
    },
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function roundOpt(n: number | undefined): number | undefined {
  return n === undefined ? undefined : round(n, 2);
}
