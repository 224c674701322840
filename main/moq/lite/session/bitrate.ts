/** Bytes per 100 ms bucket over a one-second window: a cheap send/receive rate meter. */
const BUCKET_MS = 100;
const BUCKETS = 10;

export class RateMeter {
  readonly #buckets = new Float64Array(BUCKETS);
  #bucketStart = 0;
  #index = 0;
  #total = 0;
  readonly #clock: () => number;

  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
    this.#bucketStart = clock();
  }

  get total(): number {
    return this.#total;
  }

  #advance(t: number): void {
    let steps = Math.floor((t - this.#bucketStart) / BUCKET_MS);
    if (steps <= 0) return;
    if (steps > BUCKETS) steps = BUCKETS;
    for (let i = 0; i < steps; i++) {
      this.#index = (this.#index + 1) % BUCKETS;
      this.#buckets[this.#index] = 0;
    }
    this.#bucketStart += Math.floor((t - this.#bucketStart) / BUCKET_MS) * BUCKET_MS;
  }

  add(bytes: number): void {
    this.#total += bytes;
    this.#advance(this.#clock());
    this.#buckets[this.#index]! += bytes;
  }

  /** Bits per second over the last second (the current partial bucket included). */
  bitsPerSecond(): number {
    const t = this.#clock();
    this.#advance(t);
    let sum = 0;
    for (const b of this.#buckets) sum += b;
    const span = (BUCKETS - 1) * BUCKET_MS + Math.max(1, t - this.#bucketStart);
    return Math.round((sum * 8 * 1000) / span);
  }
}
