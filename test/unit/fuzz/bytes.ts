// Byte generators for fuzzing live sessions: arbitrary stream bodies, well-formed framing around
// random bodies, and mutations of valid encodings (flip, insert, delete, truncate, huge lengths).

import fc from "fast-check";
import { encodeVarint, varintLength } from "../../../main/moq/coding/varint.ts";

export function concat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A varint written in exactly `size` bytes (non-minimal forms are legal on the wire). */
export function varintOfSize(value: bigint, size: 1 | 2 | 4 | 8): Uint8Array {
  const out = new Uint8Array(size);
  let v = value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  out[0] = out[0]! | ({ 1: 0x00, 2: 0x40, 4: 0x80, 8: 0xc0 } as const)[size];
  return out;
}

/** Bytes that stress varint length classes. */
const varintish = fc
  .array(fc.constantFrom(0x00, 0x01, 0x02, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff), { maxLength: 40 })
  .map((a) => Uint8Array.from(a));

/** `Length (i)` + body for each part: passes the framing layer so the decoders see random bodies. */
const framed = fc
  .array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 4 })
  .map((parts) => concat(...parts.flatMap((p) => [encodeVarint(p.length), p])));

/** What follows a stream type: random, varint-heavy, or framed random bodies. */
export const streamBody: fc.Arbitrary<Uint8Array> = fc.oneof(fc.uint8Array({ maxLength: 64 }), varintish, framed);

/** Split points: the bytes go out in several writes, so messages straddle transport chunks. */
export const chunking = fc.array(fc.nat({ max: 200 }), { maxLength: 4 });

export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

export type Mutation =
  | { kind: "flip"; at: number; mask: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; value: number }
  | { kind: "delete"; at: number }
  | { kind: "truncate"; at: number }
  | { kind: "length"; at: number; value: bigint; size: 1 | 2 | 4 | 8 };

/**
 * Lengths worth lying about: just over the control-message limit (64 KiB), the frame limit
 * (16 MiB), a 4-byte maximum, 2^30, 2^53 (largest exact number) and 2^62 - 1 (largest varint).
 */
export const HUGE_LENGTHS: readonly bigint[] = [
  65_536n,
  65_537n,
  16_777_216n,
  16_777_217n,
  2n ** 30n - 1n,
  2n ** 30n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 62n - 1n,
];

const sizeFor = (v: bigint): 1 | 2 | 4 | 8 => (v < 64n ? 1 : v < 16_384n ? 2 : v < 2n ** 30n ? 4 : 8);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.constantFrom(0x00, 0x01, 0x02, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff),
  }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.constantFrom(...HUGE_LENGTHS).chain((value) =>
    fc.record({
      kind: fc.constant("length" as const),
      at: fc.nat(),
      value: fc.constant(value),
      size: fc.constant(sizeFor(value)),
    }),
  ),
);

/**
 * Apply mutations in order. "length" replaces the varint that starts at a varint boundary near
 * `at` (walking the bytes as a chain of varints) with a huge value, which is what a lying length
 * prefix looks like.
 */
export function mutate(bytes: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = Array.from(bytes);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === "insert" ? 1 : 0));
    switch (m.kind) {
      case "flip":
        if (b.length) b[at] = b[at]! ^ m.mask;
        break;
      case "set":
        if (b.length) b[at] = m.value;
        break;
      case "insert":
        b.splice(at, 0, m.value);
        break;
      case "delete":
        b.splice(at, 1);
        break;
      case "truncate":
        b = b.slice(0, at);
        break;
      case "length": {
        const start = varintBoundary(b, at);
        const old = start < b.length ? varintLength(b[start]!) : 0;
        b.splice(start, old, ...varintOfSize(m.value, m.size));
        break;
      }
    }
  }
  return Uint8Array.from(b);
}

/** The start of the varint-chain element that covers position `at`. */
function varintBoundary(b: readonly number[], at: number): number {
  let pos = 0;
  while (pos < b.length) {
    const next = pos + varintLength(b[pos]!);
    if (next > at) return pos;
    pos = next;
  }
  return Math.min(pos, b.length);
}
