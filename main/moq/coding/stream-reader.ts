import { DecodeError, TruncatedError } from "../errors.ts";
import { readVarintAt, readVarintBigAt, varintLength } from "./varint.ts";

const EMPTY = new Uint8Array(0);

/**
 * Buffered reads over a byte stream. Messages may be split across chunks and chunks may hold
 * several messages, so everything goes through one buffer. All waits end on FIN or error.
 */
export class StreamReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  /** The contiguous bytes reads are served from, from #pos on. */
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  /** Chunks that arrived while a read waits for more; joined once there are enough, so a large
   * message costs one copy rather than one per chunk. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #eof = false;
  /** Called with each chunk's size as it arrives (byte counters, bitrate). */
  onBytes?: (n: number) => void;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.#reader = readable.getReader();
  }

  get buffered(): number {
    return this.#buf.length - this.#pos + this.#pendingBytes;
  }

  /** Pull one more chunk. Returns false at FIN. */
  async #pull(): Promise<boolean> {
    if (this.#eof) return false;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#eof = true;
      return false;
    }
    if (value.length === 0) return true;
    this.onBytes?.(value.length);
    if (this.#pos >= this.#buf.length && this.#pendingBytes === 0) {
      this.#buf = value;
      this.#pos = 0;
    } else {
      this.#pending.push(value);
      this.#pendingBytes += value.length;
    }
    return true;
  }

  /** Ensure at least n contiguous bytes at #pos. Returns false if FIN came first. */
  async #fill(n: number): Promise<boolean> {
    while (this.buffered < n) {
      if (!(await this.#pull())) return false;
    }
    if (this.#buf.length - this.#pos < n) this.#join();
    return true;
  }

  #join(): void {
    const merged = new Uint8Array(this.buffered);
    merged.set(this.#buf.subarray(this.#pos));
    let offset = this.#buf.length - this.#pos;
    for (const chunk of this.#pending) {
      merged.set(chunk, offset);
      offset += chunk.length;
    }
    this.#buf = merged;
    this.#pos = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Read and drop everything up to FIN without keeping it (so flow-control credit returns). */
  async discard(): Promise<void> {
    this.#buf = EMPTY;
    this.#pos = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
    while (await this.#pull()) {
      this.#buf = EMPTY;
      this.#pending = [];
      this.#pendingBytes = 0;
    }
  }

  /** True when the stream ended cleanly with nothing left. */
  async done(): Promise<boolean> {
    if (this.buffered > 0) return false;
    return !(await this.#fill(1));
  }

  /** A varint, or undefined on a clean FIN before its first byte. */
  async varintOrEnd(what = "varint"): Promise<number | undefined> {
    if (!(await this.#fill(1))) return undefined;
    const len = varintLength(this.#buf[this.#pos]!);
    if (!(await this.#fill(len))) throw new TruncatedError(`stream ended inside ${what}`);
    const v = readVarintAt(this.#buf, this.#pos);
    this.#pos += len;
    return v;
  }

  async varint(what = "varint"): Promise<number> {
    const v = await this.varintOrEnd(what);
    if (v === undefined) throw new TruncatedError(`stream ended before ${what}`);
    return v;
  }

  /** A varint of any size up to 2^62-1, or undefined on a clean FIN before its first byte. */
  async varintBigOrEnd(what = "varint"): Promise<bigint | undefined> {
    if (!(await this.#fill(1))) return undefined;
    const len = varintLength(this.#buf[this.#pos]!);
    if (!(await this.#fill(len))) throw new TruncatedError(`stream ended inside ${what}`);
    const v = readVarintBigAt(this.#buf, this.#pos);
    this.#pos += len;
    return v;
  }

  async varintBig(what = "varint"): Promise<bigint> {
    if (!(await this.#fill(1))) throw new TruncatedError(`stream ended before ${what}`);
    const len = varintLength(this.#buf[this.#pos]!);
    if (!(await this.#fill(len))) throw new TruncatedError(`stream ended inside ${what}`);
    const v = readVarintBigAt(this.#buf, this.#pos);
    this.#pos += len;
    return v;
  }

  async u8(what = "u8"): Promise<number> {
    if (!(await this.#fill(1))) throw new TruncatedError(`stream ended before ${what}`);
    return this.#buf[this.#pos++]!;
  }

  async u16(what = "u16"): Promise<number> {
    if (!(await this.#fill(2))) throw new TruncatedError(`stream ended inside ${what}`);
    const v = (this.#buf[this.#pos]! << 8) | this.#buf[this.#pos + 1]!;
    this.#pos += 2;
    return v;
  }

  /** Exactly n bytes. The caller must have bounded n. */
  async exact(n: number, what = "bytes"): Promise<Uint8Array> {
    if (!(await this.#fill(n))) throw new TruncatedError(`stream ended inside ${what} (${this.buffered}/${n} bytes)`);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /**
   * `Length (i)` + body, bounded by `max`. Returns undefined on a clean FIN at a message
   * boundary; FIN inside a message is a decode error.
   */
  async messageOrEnd(max: number, what = "message"): Promise<Uint8Array | undefined> {
    const len = await this.varintOrEnd(`${what} length`);
    if (len === undefined) return undefined;
    if (len > max) throw new DecodeError(`${what} length ${len} exceeds the limit of ${max} bytes`);
    return this.exact(len, what);
  }

  async message(max: number, what = "message"): Promise<Uint8Array> {
    const body = await this.messageOrEnd(max, what);
    if (body === undefined) throw new TruncatedError(`stream ended before ${what}`);
    return body;
  }

  /** Stop reading: STOP_SENDING with this reason (a transport error object carrying a code). */
  async cancel(reason?: unknown): Promise<void> {
    await this.#reader.cancel(reason).catch(() => {});
  }

  release(): void {
    this.#reader.releaseLock();
  }
}
