// Runs a callback on a fixed grid of wall-clock instants (origin + i × interval). Each wake-up is
// computed from the origin, not from the previous timer, so setTimeout lateness never accumulates.

/** Most ticks replayed in one wake-up; when further behind (a suspended laptop), jump ahead. */
const MAX_CATCH_UP = 30;

export interface PacerOptions {
  /** Wall clock in ms (Date.now() style). */
  clock: () => number;
  /** Instant of tick 0, in clock ms. */
  origin: number;
  intervalMs: number;
  /**
   * Called once per tick, in order, with the tick's due instant. `resync` is true on the first
   * tick after a discontinuity: ticks were dropped to catch up, or the clock jumped backwards.
   */
  onTick: (index: number, dueMs: number, resync: boolean) => void;
}

export class Pacer {
  readonly #options: PacerOptions;
  #origin: number;
  #next = 0;
  /** A discontinuity not yet reported to onTick. */
  #resync = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: PacerOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${options.intervalMs}`);
    this.#options = options;
    this.#origin = options.origin;
  }

  /** Run every tick already due (tick 0 at once when origin <= now), then keep going. */
  start(): void {
    this.#wake();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #due(index: number): number {
    return this.#origin + index * this.#options.intervalMs;
  }

  #wake(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const { clock, intervalMs, onTick } = this.#options;
    const now = clock();
    // The clock went back (an NTP step): move the grid so the next tick is due now, rather than
    // falling silent until the old instant comes round again.
    if (this.#next > 0 && this.#due(this.#next - 1) - now > intervalMs * MAX_CATCH_UP) {
      this.#origin = now - this.#next * intervalMs;
      this.#resync = true;
    }
    // Epoch milliseconds carry rounding error of ~1e-4 ms: the slack (a thousandth of a tick)
    // keeps a wake-up exactly on a due instant from rounding down to the tick before.
    const last = Math.floor((now - this.#origin) / intervalMs + 1e-3);
    if (last - this.#next >= MAX_CATCH_UP) {
      this.#next = last;
      this.#resync = true;
    }
    while (this.#next <= last && !this.#stopped) {
      const index = this.#next++;
      const resync = this.#resync;
      this.#resync = false;
      onTick(index, this.#due(index), resync);
    }
    if (this.#stopped) return;
    const delay = Math.max(0, this.#due(this.#next) - clock());
    this.#timer = setTimeout(() => this.#wake(), delay);
    // A demo must never keep a process alive on its own.
    this.#timer.unref?.();
  }
}
