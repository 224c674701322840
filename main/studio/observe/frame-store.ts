// Payloads kept for the inspector: each capped, all of a connection's together capped, the
// oldest dropped first. Everything else about a frame (size, time, timestamp) outlives its bytes.

/** Bytes kept of one frame; the inspector says when a payload was cut. */
export const FRAME_PAYLOAD_CAP = 64 * 1024;
/** Bytes kept of all frames of one connection. */
export const FRAME_STORE_CAP = 16 * 1024 * 1024;

export class FrameStore {
  readonly #payloads = new Map<string, Uint8Array>();
  readonly #cap: number;
  #bytes = 0;

  constructor(cap = FRAME_STORE_CAP) {
    this.#cap = cap;
  }

  static key(track: string, sequence: number, index: number): string {
    return `${track}#${sequence}#${index}`;
  }

  /** Keep (a copy of) the first FRAME_PAYLOAD_CAP bytes. */
  put(key: string, payload: Uint8Array): void {
    const kept = payload.slice(0, FRAME_PAYLOAD_CAP);
    this.delete(key);
    this.#payloads.set(key, kept);
    this.#bytes += kept.length;
    while (this.#bytes > this.#cap) {
      const oldest = this.#payloads.keys().next().value as string;
      this.delete(oldest);
    }
  }

  get(key: string): Uint8Array | undefined {
    return this.#payloads.get(key);
  }

  has(key: string): boolean {
    return this.#payloads.has(key);
  }

  delete(key: string): void {
    const old = this.#payloads.get(key);
    if (!old) return;
    this.#payloads.delete(key);
    this.#bytes -= old.length;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
