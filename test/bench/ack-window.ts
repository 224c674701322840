// Flow control by acknowledgement, not pacing in time: keeps the publisher at most `window` groups
// ahead of what the subscriber has finished reading. Without it a source that is faster than the
// link would open every group at once (thousands of concurrent streams, unbounded memory), which
// measures the queue, not the transfer.

export class AckWindow {
  readonly window: number;
  #opened = 0;
  #acked = 0;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(window: number) {
    this.window = Math.max(1, window);
  }

  /** The subscriber has finished `groups` groups in total (cumulative, so lost or merged acks are harmless). */
  ack(groups: number): void {
    if (groups <= this.#acked) return;
    this.#acked = groups;
    this.#release();
  }

  /** Give up waiting (the run is over). */
  stop(): void {
    this.#stopped = true;
    this.#release();
  }

  /** Wait for room for one more group; false once stopped. */
  async slot(): Promise<boolean> {
    while (!this.#stopped && this.#opened - this.#acked >= this.window) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    if (this.#stopped) return false;
    this.#opened++;
    return true;
  }

  /** Wait until the subscriber finished every group opened; false once stopped. */
  async drained(): Promise<boolean> {
    while (!this.#stopped && this.#acked < this.#opened) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return !this.#stopped;
  }

  describe(): string {
    return `${this.#opened} groups opened, ${this.#acked} acked, window ${this.window}`;
  }

  #release(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Let other tasks run (the session's group sender among them) before the next group opens. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
