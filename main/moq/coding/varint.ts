import { DecodeError } from "../errors.ts";

/** Largest value a QUIC varint can carry: 2^62 - 1. */
export const MAX_VARINT = (1n << 62n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Bytes needed for the shortest encoding of v. */
export function varintSize(v: number | bigint): 1 | 2 | 4 | 8 {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`varint must be a non-negative integer, got ${v}`);
    if (v < 0x40) return 1;
    if (v < 0x4000) return 2;
    if (v < 0x40000000) return 4;
    if (v > Number.MAX_SAFE_INTEGER) throw new RangeError(`varint ${v} is not exact as a number; pass a bigint`);
    return 8;
  }
  if (v < 0n || v > MAX_VARINT) throw new RangeError(`varint out of range: ${v}`);
  if (v < 0x40n) return 1;
  if (v < 0x4000n) return 2;
  if (v < 0x40000000n) return 4;
  return 8;
}

/** Write the shortest encoding of v at buf[offset]; returns the new offset. */
export function writeVarintAt(buf: Uint8Array, offset: number, v: number | bigint): number {
  const size = varintSize(v);
  switch (size) {
    case 1:
      buf[offset] = Number(v);
      return offset + 1;
    case 2: {
      const n = Number(v);
      buf[offset] = 0x40 | (n >>> 8);
      buf[offset + 1] = n & 0xff;
      return offset + 2;
    }
    case 4: {
      const n = Number(v);
      buf[offset] = 0x80 | (n >>> 24);
      buf[offset + 1] = (n >>> 16) & 0xff;
      buf[offset + 2] = (n >>> 8) & 0xff;
      buf[offset + 3] = n & 0xff;
      return offset + 4;
    }
    default: {
      const big = BigInt(v);
      const hi = Number(big >> 32n);
      const lo = Number(big & 0xffffffffn);
      buf[offset] = 0xc0 | (hi >>> 24);
      buf[offset + 1] = (hi >>> 16) & 0xff;
      buf[offset + 2] = (hi >>> 8) & 0xff;
      buf[offset + 3] = hi & 0xff;
      buf[offset + 4] = lo >>> 24;
      buf[offset + 5] = (lo >>> 16) & 0xff;
      buf[offset + 6] = (lo >>> 8) & 0xff;
      buf[offset + 7] = lo & 0xff;
      return offset + 8;
    }
  }
}

export function encodeVarint(v: number | bigint): Uint8Array {
  const out = new Uint8Array(varintSize(v));
  writeVarintAt(out, 0, v);
  return out;
}

/** Length of the varint whose first byte is `first`. */
export function varintLength(first: number): 1 | 2 | 4 | 8 {
  return (1 << (first >> 6)) as 1 | 2 | 4 | 8;
}

/** Decode the varint at buf[offset] as a bigint (full 62-bit range). Caller ensures the bytes are there. */
export function readVarintBigAt(buf: Uint8Array, offset: number): bigint {
  const len = varintLength(buf[offset]!);
  let v = BigInt(buf[offset]! & 0x3f);
  for (let i = 1; i < len; i++) v = (v << 8n) | BigInt(buf[offset + i]!);
  return v;
}

/** Decode the varint at buf[offset] as a number; values above 2^53-1 are refused, never rounded. */
export function readVarintAt(buf: Uint8Array, offset: number): number {
  const first = buf[offset]!;
  const len = varintLength(first);
  if (len === 1) return first;
  if (len === 2) return ((first & 0x3f) << 8) | buf[offset + 1]!;
  if (len === 4)
    return (first & 0x3f) * 0x1000000 + ((buf[offset + 1]! << 16) | (buf[offset + 2]! << 8) | buf[offset + 3]!);
  const big = readVarintBigAt(buf, offset);
  if (big > MAX_SAFE) throw new DecodeError(`varint ${big} exceeds 2^53-1 where a number is expected`);
  return Number(big);
}
