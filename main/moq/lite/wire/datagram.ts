import { BytesReader } from "../../coding/bytes-reader.ts";
import { varintSize, writeVarintAt } from "../../coding/varint.ts";
import { DecodeError } from "../../errors.ts";
import { decodeSince, encodeSince } from "./fields.ts";
import type { Version } from "./version.ts";

// 05+ datagrams (spec §14.7): a group of exactly one frame in one QUIC datagram, on bindings that
// have datagrams (QUIC, WebTransport; never QMux). No length prefix: the payload runs to the end.
// Delivered over an existing subscription; a copy that also arrives on a stream is the same group.

export interface Datagram {
  readonly subscribeId: number;
  readonly sequence: number;
  /** Absolute, in the track's timescale. */
  readonly timestamp: number;
  readonly payload: Uint8Array;
}

/** Larger datagrams must not be sent, and are dropped on receipt. */
export const MAX_DATAGRAM_BYTES = 1200;

export function encodeDatagram(msg: Datagram, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-05", "a datagram");
  for (const [v, what] of [
    [msg.subscribeId, "subscribe id"],
    [msg.sequence, "group sequence"],
    [msg.timestamp, "timestamp"],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be an integer in 0..2^53-1, got ${v}`);
  }
  const size =
    varintSize(msg.subscribeId) + varintSize(msg.sequence) + varintSize(msg.timestamp) + msg.payload.byteLength;
  if (size > MAX_DATAGRAM_BYTES) {
    throw new RangeError(`a datagram may hold at most ${MAX_DATAGRAM_BYTES} bytes, this one needs ${size}`);
  }
  const out = new Uint8Array(size);
  let at = writeVarintAt(out, 0, msg.subscribeId);
  at = writeVarintAt(out, at, msg.sequence);
  at = writeVarintAt(out, at, msg.timestamp);
  out.set(msg.payload, at);
  return out;
}

export function decodeDatagram(bytes: Uint8Array, version: Version): Datagram {
  decodeSince(version, "moq-lite-05", "a datagram");
  if (bytes.byteLength > MAX_DATAGRAM_BYTES) {
    throw new DecodeError(`datagram of ${bytes.byteLength} bytes is over the ${MAX_DATAGRAM_BYTES}-byte limit`);
  }
  const r = new BytesReader(bytes);
  const subscribeId = r.varint("subscribe id");
  const sequence = r.varint("group sequence");
  const timestamp = r.varint("timestamp");
  return { subscribeId, sequence, timestamp, payload: r.rest() };
}
