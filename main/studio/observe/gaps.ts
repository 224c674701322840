// Lost groups on one subscription. Each group travels on its own stream, so a later group may
// arrive before an earlier one: a missing sequence is only counted lost once a later group has
// been received completely, by which time the earlier one would have arrived.

/** Missing sequences remembered at most: a jump beyond it counts the rest lost straight away. */
const MAX_PENDING = 10_000;

export class GapTracker {
  #highest: number | undefined;
  /** Sequences skipped over and not (yet) seen. */
  readonly #missing = new Set<number>();
  #lost = 0;

  /** A group started arriving. Returns false when it was already seen (a duplicate). */
  arrived(sequence: number): boolean {
    if (this.#highest === undefined) {
      // A live subscription starts at whatever group is current: nothing before it is owed.
      this.#highest = sequence;
      return true;
    }
    if (sequence > this.#highest) {
      // A jump past what could still arrive in order is lost at once, beyond a bound kept pending.
      const from = Math.max(this.#highest + 1, sequence - MAX_PENDING);
      this.#lost += from - (this.#highest + 1);
      for (let s = from; s < sequence; s++) this.#missing.add(s);
      this.#highest = sequence;
      return true;
    }
    return this.#missing.delete(sequence);
  }

  /** A group was received to its end: every gap before it is confirmed lost. Returns how many. */
  completed(sequence: number): number {
    return this.confirmLost(sequence).length;
  }

  /** As completed(), returning the sequences confirmed lost, ascending. */
  confirmLost(sequence: number): number[] {
    const confirmed: number[] = [];
    for (const s of this.#missing) {
      if (s < sequence) {
        this.#missing.delete(s);
        confirmed.push(s);
      }
    }
    this.#lost += confirmed.length;
    return confirmed.sort((a, b) => a - b);
  }

  get lost(): number {
    return this.#lost;
  }
}
