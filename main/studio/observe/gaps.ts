// Lost groups on one subscription. Each group travels on its own stream, so a later group may
// arrive before an earlier one: a missing sequence is only counted lost once a later group has
// been received completely, by which time the earlier one would have arrived.

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
      for (let s = this.#highest + 1; s < sequence; s++) this.#missing.add(s);
      this.#highest = sequence;
      return true;
    }
    return this.#missing.delete(sequence);
  }

  /** A group was received to its end: every gap before it is confirmed lost. Returns how many. */
  completed(sequence: number): number {
    let confirmed = 0;
    for (const s of this.#missing) {
      if (s < sequence) {
        this.#missing.delete(s);
        confirmed++;
      }
    }
    this.#lost += confirmed;
    return confirmed;
  }

  get lost(): number {
    return this.#lost;
  }
}
