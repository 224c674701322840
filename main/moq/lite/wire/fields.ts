import type { BytesReader } from "../../coding/bytes-reader.ts";
import type { Writer } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import { versionAtLeast, type Version } from "./version.ts";

// Field helpers shared by the message families. Encoders throw RangeError (a bug in our own
// code); decoders throw DecodeError (the peer sent bad bytes).

/** A non-negative integer exact as a JS number, written as a varint. */
export function writeUint(w: Writer, v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be an integer in 0..2^53-1, got ${v}`);
  w.varint(v);
}

/** A u8 field (priorities). */
export function writeU8(w: Writer, v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${what} must be an integer in 0..255, got ${v}`);
  w.u8(v);
}

/** §3.5: undefined is written as 0, group g as g + 1. */
export function writeOptionalGroup(w: Writer, group: number | undefined, what: string): void {
  if (group === undefined) {
    w.varint(0);
    return;
  }
  if (!Number.isSafeInteger(group) || group < 0 || group >= Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`${what} must be an integer in 0..2^53-2 or undefined, got ${group}`);
  }
  w.varint(group + 1);
}

export function readOptionalGroup(r: BytesReader, what: string): number | undefined {
  const v = r.varint(what);
  return v === 0 ? undefined : v - 1;
}

/**
 * A count of items that each take at least `minBytes` bytes, so a huge count in a short body is
 * rejected before anything is allocated.
 */
export function readCount(r: BytesReader, what: string, max: number, minBytes = 1): number {
  const n = r.varint(what);
  if (n > max) throw new DecodeError(`${what} ${n} exceeds the limit of ${max}`);
  if (n * minBytes > r.remaining)
    throw new DecodeError(`${what} ${n} does not fit in the ${r.remaining} remaining bytes`);
  return n;
}

/** Guard for encoders of messages that a version does not define. */
export function encodeSince(version: Version, minimum: Version, what: string): void {
  if (!versionAtLeast(version, minimum))
    throw new RangeError(`${what} does not exist in ${version} (needs ${minimum} or later)`);
}

export function decodeSince(version: Version, minimum: Version, what: string): void {
  if (!versionAtLeast(version, minimum)) throw new DecodeError(`${what} does not exist in ${version}`);
}

export function encodeUntil(version: Version, maximum: Version, what: string): void {
  if (versionAtLeast(version, maximum) && version !== maximum)
    throw new RangeError(`${what} does not exist in ${version} (only up to ${maximum})`);
}

export function decodeUntil(version: Version, maximum: Version, what: string): void {
  if (versionAtLeast(version, maximum) && version !== maximum)
    throw new DecodeError(`${what} does not exist in ${version}`);
}
