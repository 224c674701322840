import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeVarint, varintSize, writeVarintAt } from "../../coding/varint.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { encodeSince, writeUint } from "./fields.ts";
import { versionAtLeast, type Version } from "./version.ts";

// Group streams (spec §8): `00` | GROUP | FRAME × n | FIN. Same layout in 01–05, except that from
// 05 on every FRAME starts with its timestamp as a zigzag delta from the previous frame of the
// group (the first frame's delta is from 0), in the track's timescale (spec §14.6).

/** First message on a group stream: which subscription, which group. */
export interface GroupHeader {
  readonly subscribeId: number;
  readonly sequence: number;
  /**
   * 06+: the index of the first frame on this stream within the group (a subscription may start
   * partway through one); frames before it are not carried. Absent (0) before 06.
   */
  readonly firstFrame?: number;
}

export function encodeGroupHeader(msg: GroupHeader, version: Version): Uint8Array {
  const firstFrame = msg.firstFrame ?? 0;
  if (firstFrame !== 0 && !versionAtLeast(version, "moq-lite-06"))
    throw new RangeError(`a group starting at frame ${firstFrame} needs moq-lite-06 or later (${version})`);
  return encodeMessage((w) => {
    writeUint(w, msg.subscribeId, "subscribe id");
    writeUint(w, msg.sequence, "group sequence");
    if (versionAtLeast(version, "moq-lite-06")) writeUint(w, firstFrame, "first frame index");
  });
}

export function decodeGroupHeader(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): GroupHeader {
  return decodeBody(body, "GROUP", (r) => {
    const subscribeId = r.varint("subscribe id");
    const sequence = r.varint("group sequence");
    if (!versionAtLeast(version, "moq-lite-06")) return { subscribeId, sequence };
    const firstFrame = r.varint("first frame index");
    return firstFrame === 0 ? { subscribeId, sequence } : { subscribeId, sequence, firstFrame };
  });
}

/**
 * A FRAME's header: just the payload length. Lets a sender write the payload as its own chunk
 * without copying it. Frames have no inner fields in 01–04.
 */
export function encodeFrameHeader(payloadLength: number): Uint8Array {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0)
    throw new RangeError(`frame length must be a non-negative integer, got ${payloadLength}`);
  return encodeVarint(payloadLength);
}

/** Length + payload in one buffer (for small frames, where one write beats two). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const size = varintSize(payload.length);
  const out = new Uint8Array(size + payload.length);
  writeVarintAt(out, 0, payload.length);
  out.set(payload, size);
  return out;
}

/** Whether FRAMEs carry a timestamp delta in this version. */
export function framesCarryTimestamps(version: Version): boolean {
  return versionAtLeast(version, "moq-lite-05");
}

/** Largest magnitude a delta may have so that its zigzag value stays exact as a JS number. */
const MAX_DELTA = 2 ** 52 - 1;

/** Zigzag a signed delta: 0, -1, 1, -2, 2 → 0, 1, 2, 3, 4. */
export function zigzagEncode(delta: number): number {
  if (!Number.isInteger(delta) || Math.abs(delta) > MAX_DELTA) {
    throw new RangeError(`timestamp delta must be an integer within ±(2^52-1), got ${delta}`);
  }
  return delta >= 0 ? delta * 2 : -delta * 2 - 1;
}

/** The signed delta a zigzag value stands for. */
export function zigzagDecode(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** 05+: a FRAME's header, the zigzag timestamp delta then the payload length. */
export function encodeTimedFrameHeader(timestampDelta: number, payloadLength: number, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-05", "a FRAME timestamp");
  const zigzag = zigzagEncode(timestampDelta);
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0)
    throw new RangeError(`frame length must be a non-negative integer, got ${payloadLength}`);
  const out = new Uint8Array(varintSize(zigzag) + varintSize(payloadLength));
  writeVarintAt(out, writeVarintAt(out, 0, zigzag), payloadLength);
  return out;
}

/** 05+: header and payload in one buffer. */
export function encodeTimedFrame(timestampDelta: number, payload: Uint8Array, version: Version): Uint8Array {
  const header = encodeTimedFrameHeader(timestampDelta, payload.length, version);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}
