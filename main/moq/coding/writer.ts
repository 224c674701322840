import { varintSize, writeVarintAt } from "./varint.ts";

const encoder = new TextEncoder();

/** A growable byte buffer for encoding messages. */
export class Writer {
  #buf: Uint8Array;
  #len = 0;

  constructor(initialCapacity = 64) {
    this.#buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    const need = this.#len + n;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`u8 out of range: ${v}`);
    this.#reserve(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  varint(v: number | bigint): this {
    this.#reserve(varintSize(v));
    this.#len = writeVarintAt(this.#buf, this.#len, v);
    return this;
  }

  /** 16-bit big-endian integer (only the 01/02 SETUP length uses it). */
  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`u16 out of range: ${v}`);
    this.#reserve(2);
    this.#buf[this.#len++] = v >>> 8;
    this.#buf[this.#len++] = v & 0xff;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /** Varint length then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }

  /** Varint length then UTF-8. */
  string(s: string): this {
    return this.bytes(encoder.encode(s));
  }

  /** Append `Length (i)` + body, where the body is whatever `fill` writes. */
  message(fill: (w: Writer) => void): this {
    const body = new Writer();
    fill(body);
    return this.bytes(body.finish());
  }

  /** The bytes written so far (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}

/** Encode `Length (i)` + body in one buffer. */
export function encodeMessage(fill: (w: Writer) => void): Uint8Array {
  return new Writer().message(fill).finish();
}
