// Values with their times over the last few seconds, for "per second" figures that decay when
// nothing arrives. Bounded in time and in entries.

/** Entries older than this are dropped. */
const KEEP_MS = 5000;
/** At most this many entries (a very fast track merges into the newest one beyond it). */
const MAX_ENTRIES = 20_000;

export class RateWindow {
  #times: number[] = [];
  #values: number[] = [];
  #start = 0;

  add(at: number, value: number): void {
    this.#prune(at);
    if (this.#times.length - this.#start >= MAX_ENTRIES) {
      this.#values[this.#values.length - 1]! += value;
      return;
    }
    this.#times.push(at);
    this.#values.push(value);
  }

  /** The sum of the values added in (now − windowMs, now]. */
  sum(now: number, windowMs: number): number {
    this.#prune(now);
    let total = 0;
    for (let i = this.#times.length - 1; i >= this.#start && this.#times[i]! > now - windowMs; i--) {
      if (this.#times[i]! <= now) total += this.#values[i]!;
    }
    return total;
  }

  #prune(now: number): void {
    while (this.#start < this.#times.length && this.#times[this.#start]! <= now - KEEP_MS) this.#start++;
    // Compact once the dead head is large, so the arrays stay bounded.
    if (this.#start > 1024 && this.#start * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#start);
      this.#values = this.#values.slice(this.#start);
      this.#start = 0;
    }
  }
}
