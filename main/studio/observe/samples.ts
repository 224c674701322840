// Latency samples: exact percentiles over one report interval, and a bounded sample of the whole
// run for the summary (a long, wide run would otherwise keep every sample forever).

/** The p-th percentile (0-100) of an ascending array, nearest-rank; undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencySummary {
  p50: number | undefined;
  p90: number | undefined;
  p99: number | undefined;
  samples: number;
}

export function summarize(samples: readonly number[], count = samples.length): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), samples: count };
}

/** Beyond this many, the run-wide sample is a uniform reservoir rather than every value. */
const MAX_RUN_SAMPLES = 1_000_000;

/** Every sample of the run up to a bound, then a uniform reservoir of that size. */
export class RunSamples {
  readonly #kept: number[] = [];
  #seen = 0;

  add(value: number): void {
    this.#seen++;
    if (this.#kept.length < MAX_RUN_SAMPLES) {
      this.#kept.push(value);
      return;
    }
    const slot = Math.floor(Math.random() * this.#seen);
    if (slot < MAX_RUN_SAMPLES) this.#kept[slot] = value;
  }

  summary(): LatencySummary {
    return summarize(this.#kept, this.#seen);
  }
}
