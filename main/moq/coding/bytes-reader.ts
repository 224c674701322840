import { DecodeError } from "../errors.ts";
import { readVarintAt, readVarintBigAt, varintLength } from "./varint.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A cursor over one message body. Every read is bounded by the bytes that are there. */
export class BytesReader {
  readonly #buf: Uint8Array;
  #pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(n: number, what: string): void {
    if (this.remaining < n) throw new DecodeError(`truncated ${what}: need ${n} bytes, have ${this.remaining}`);
  }

  u8(what = "u8"): number {
    this.#need(1, what);
    return this.#buf[this.#pos++]!;
  }

  /** A boolean byte: exactly 0 or 1. */
  bool(what = "flag"): boolean {
    const v = this.u8(what);
    if (v > 1) throw new DecodeError(`${what} must be 0 or 1, got ${v}`);
    return v === 1;
  }

  u16(what = "u16"): number {
    this.#need(2, what);
    const v = (this.#buf[this.#pos]! << 8) | this.#buf[this.#pos + 1]!;
    this.#pos += 2;
    return v;
  }

  varint(what = "varint"): number {
    this.#need(1, what);
    const len = varintLength(this.#buf[this.#pos]!);
    this.#need(len, what);
    const v = readVarintAt(this.#buf, this.#pos);
    this.#pos += len;
    return v;
  }

  varintBig(what = "varint"): bigint {
    this.#need(1, what);
    const len = varintLength(this.#buf[this.#pos]!);
    this.#need(len, what);
    const v = readVarintBigAt(this.#buf, this.#pos);
    this.#pos += len;
    return v;
  }

  /** Exactly n raw bytes (a view into the message). */
  raw(n: number, what = "bytes"): Uint8Array {
    this.#need(n, what);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** Varint length then that many bytes; the length can never exceed what the message holds. */
  bytes(what = "bytes"): Uint8Array {
    const n = this.varint(`${what} length`);
    return this.raw(n, what);
  }

  /** Varint length then strict UTF-8. */
  string(what = "string"): string {
    const bytes = this.bytes(what);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new DecodeError(`${what} is not valid UTF-8`);
    }
  }

  /** The rest of the message. */
  rest(): Uint8Array {
    return this.raw(this.remaining);
  }

  /** Messages must be consumed exactly: leftover bytes are a violation (spec §3.7). */
  end(what = "message"): void {
    if (this.remaining !== 0) throw new DecodeError(`${this.remaining} unexpected trailing bytes in ${what}`);
  }
}

/** Decode a whole body with `fn` and insist nothing is left over. */
export function decodeBody<T>(body: Uint8Array, what: string, fn: (r: BytesReader) => T): T {
  const r = new BytesReader(body);
  const v = fn(r);
  r.end(what);
  return v;
}
