// Round-trip time measured by the adapter itself (WebSocket ping/pong, HTTP/2 PING), smoothed the
// way QUIC does it (RFC 9002 §5.3) so numbers are comparable across transports.

export class RttEstimator {
  #smoothed: number | undefined;
  #latest: number | undefined;

  /** Feed one sample in milliseconds. The first sample is taken as is. */
  update(sampleMs: number): void {
    if (!Number.isFinite(sampleMs) || sampleMs < 0) return;
    this.#latest = sampleMs;
    this.#smoothed = this.#smoothed === undefined ? sampleMs : (7 / 8) * this.#smoothed + (1 / 8) * sampleMs;
  }

  get smoothedMs(): number | undefined {
    return this.#smoothed;
  }

  get latestMs(): number | undefined {
    return this.#latest;
  }
}

/**
 * Call `ping` now and then every `intervalMs`; each resolved value is an RTT sample. At most one ping
 * is outstanding. The timer is unref'd so it never keeps a process alive. Returns a stop function.
 */
export function startPinger(ping: () => Promise<number>, estimator: RttEstimator, intervalMs = 1000): () => void {
  let busy = false;
  let stopped = false;
  const tick = () => {
    if (busy || stopped) return;
    busy = true;
    ping().then(
      (ms) => {
        busy = false;
        if (!stopped) estimator.update(ms);
      },
      () => {
        busy = false; // a lost ping just yields no sample
      },
    );
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
