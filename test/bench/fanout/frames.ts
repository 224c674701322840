// Frame layout of the fan-out track: every frame starts with its send time (ms since the epoch,
// float64, as the bench CLI stamps a group's first frame) so each frame gives a latency sample,
// then its index in the group (uint32) so a frame in the wrong place is noticed.

import { TIMESTAMP_BYTES, readStamp, stampFrame, wallClockMs } from "../../../main/cli/bench/publisher.ts";

export const HEADER_BYTES = TIMESTAMP_BYTES + 4;

/** A fresh frame of `size` bytes stamped now (frames handed to writeFrame must not be reused). */
export function makeStampedFrame(size: number, index: number): Uint8Array {
  const frame = new Uint8Array(Math.max(HEADER_BYTES, size));
  frame.fill(0x6d, HEADER_BYTES);
  new DataView(frame.buffer).setUint32(TIMESTAMP_BYTES, index, false);
  stampFrame(frame);
  return frame;
}

/** Latency of a frame just received, or undefined when its header does not match `index`. */
export function latencyOf(frame: Uint8Array, index: number, now: number = wallClockMs()): number | undefined {
  if (frame.length < HEADER_BYTES) return undefined;
  if (new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(TIMESTAMP_BYTES, false) !== index)
    return undefined;
  const sent = readStamp(frame);
  return sent === undefined ? undefined : now - sent;
}

export { wallClockMs };
