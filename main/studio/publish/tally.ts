// What a publication has sent, counted as it writes, and its bitrate over the last second.

export class PublishTally {
  groups = 0;
  frames = 0;
  bytes = 0;
  #bytesAtSample = 0;
  #sampledAt = performance.now();
  #bitrate = 0;

  frame(bytes: number, newGroup: boolean): void {
    if (newGroup) this.groups++;
    this.frames++;
    this.bytes += bytes;
  }

  /** Bits per second since the previous call (called once a second). */
  sample(): number {
    const now = performance.now();
    const seconds = (now - this.#sampledAt) / 1000;
    if (seconds > 0.05) {
      this.#bitrate = Math.round(((this.bytes - this.#bytesAtSample) * 8) / seconds);
      this.#bytesAtSample = this.bytes;
      this.#sampledAt = now;
    }
    return this.#bitrate;
  }
}
