// Round-trip time measured by the adapter itself (WebSocket ping/pong, HTTP/2 PING).
//
// Plain RFC 9002 smoothing seeded by the first sample reads badly here: a session's first pings are
// answered while both ends are busy setting up (a fresh process is still compiling its code), so
// they read 10-20 ms on a 0.1 ms loopback, and a 1/8 smoother fed once a second takes ~10 s to
// forget that. So each measurement starts with a warm-up: a few pings 100 ms apart whose minimum
// (QUIC's min_rtt idea) is the smoothed value, then RFC 9002 §5.3 smoothing at one ping a second.
// When the moq-lite session above finishes its setup, the warm-up starts again and pings sent
// before that are dropped. A ping is a few bytes each way: negligible next to any media.

/** When pings go out: `warmupSamples` samples `warmupIntervalMs` apart, then one every `intervalMs`. */
export interface PingSchedule {
  warmupIntervalMs: number;
  warmupSamples: number;
  intervalMs: number;
}

export const DEFAULT_PING_SCHEDULE: PingSchedule = { warmupIntervalMs: 100, warmupSamples: 10, intervalMs: 1000 };

export class RttEstimator {
  #smoothed: number | undefined;
  #latest: number | undefined;
  #warmupMin: number | undefined;
  #warmingUp = true;

  /** Feed one sample in milliseconds; negative or non-finite samples are ignored. */
  update(sampleMs: number): void {
    if (!Number.isFinite(sampleMs) || sampleMs < 0) return;
    this.#latest = sampleMs;
    if (this.#warmingUp) {
      this.#warmupMin = this.#warmupMin === undefined ? sampleMs : Math.min(this.#warmupMin, sampleMs);
      this.#smoothed = this.#warmupMin;
    } else {
      this.#smoothed = this.#smoothed === undefined ? sampleMs : (7 / 8) * this.#smoothed + (1 / 8) * sampleMs;
    }
  }

  /** Start a warm-up: until `settle()`, the smoothed value is the least sample since now. The
   * previous values stay readable until the first new sample replaces them. */
  warmUp(): void {
    this.#warmingUp = true;
    this.#warmupMin = undefined;
  }

  /** End the warm-up: from now on samples are smoothed as RFC 9002 §5.3 does. */
  settle(): void {
    this.#warmingUp = false;
  }

  get smoothedMs(): number | undefined {
    return this.#smoothed;
  }

  get latestMs(): number | undefined {
    return this.#latest;
  }
}

/**
 * Pings on a schedule and feeds the estimator. At most one ping is outstanding; the next is timed
 * from when the previous one answered. Timers are unref'd so they never keep a process alive, and
 * `stop()` leaves none behind.
 */
export class RttPinger {
  readonly estimator = new RttEstimator();
  readonly #ping: () => Promise<number>;
  readonly #schedule: PingSchedule;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #outstanding = false;
  /** Bumped by restart(): an answer to a ping sent before it is no sample. */
  #generation = 0;
  #warmupLeft = 0;
  #started = false;
  #stopped = false;

  /** `ping` resolves with one round trip in ms, timed from when the ping was written. */
  constructor(ping: () => Promise<number>, schedule: PingSchedule = DEFAULT_PING_SCHEDULE) {
    this.#ping = ping;
    this.#schedule = schedule;
  }

  /** Begin measuring (warm-up first). Calling it again does nothing. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#restartWarmup();
  }

  /** The session above is established: drop what setup measured and warm up again, now. */
  restart(): void {
    if (!this.#started || this.#stopped) return;
    this.#generation++;
    this.#restartWarmup();
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  /** True while a timer is set or a ping awaits its answer (false for good once stopped and answered). */
  get pending(): boolean {
    return this.#timer !== undefined || this.#outstanding;
  }

  #restartWarmup(): void {
    this.#warmupLeft = this.#schedule.warmupSamples;
    this.estimator.warmUp();
    if (this.#schedule.warmupSamples === 0) this.estimator.settle();
    // With a ping in flight, the next one goes out as soon as it answers.
    if (!this.#outstanding) this.#pingIn(0);
  }

  #pingIn(delayMs: number): void {
    this.#clearTimer();
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, delayMs);
    this.#timer.unref?.();
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #send(): void {
    if (this.#stopped || this.#outstanding) return;
    this.#outstanding = true;
    const generation = this.#generation;
    const done = (sampleMs: number | undefined) => {
      this.#outstanding = false;
      if (this.#stopped) return;
      if (generation !== this.#generation) {
        this.#pingIn(0); // sent before restart(): measure again at once
        return;
      }
      if (sampleMs !== undefined) this.#record(sampleMs);
      this.#pingIn(this.#warmupLeft > 0 ? this.#schedule.warmupIntervalMs : this.#schedule.intervalMs);
    };
    let sent: Promise<number>;
    try {
      sent = this.#ping();
    } catch {
      sent = Promise.reject(new Error("ping failed"));
    }
    // A lost or failed ping just yields no sample.
    sent.then(done, () => done(undefined));
  }

  #record(sampleMs: number): void {
    this.estimator.update(sampleMs);
    if (this.#warmupLeft > 0 && --this.#warmupLeft === 0) this.estimator.settle();
  }
}
