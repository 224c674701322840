// Writing a sequence of frames into a track: a new group every `groupFrames` frames, paced at
// `fps` when given, and held back by `admit` so memory stays bounded when the network is slower.

import { MoqError } from "../../moq/node.ts";
import type { GroupWriter, TrackWriter } from "../../moq/node.ts";
import { sleep } from "../signals.ts";

export interface PumpOptions {
  groupFrames: number;
  /** Groups sent in QUIC datagrams where the subscriber's session can (the caller sets groupFrames 1). */
  datagrams?: boolean;
  /** Frames per second; undefined = as fast as `admit` allows. */
  fps?: number;
  signal: AbortSignal;
  /** Wait until frame `index` may be written; false = stop (the subscriber went away). */
  admit?: (index: number) => Promise<boolean>;
  /** Called after each frame is written, with its group's sequence and its index in the group. */
  onFrame?: (frame: Uint8Array, group: number, index: number) => void;
}

export interface PumpResult {
  frames: number;
  bytes: number;
  groups: number;
  /** True when the source ran dry; false when stopped early. */
  complete: boolean;
}

export async function pump(
  frames: AsyncIterable<Uint8Array>,
  writer: TrackWriter,
  opts: PumpOptions,
): Promise<PumpResult> {
  const result: PumpResult = { frames: 0, bytes: 0, groups: 0, complete: false };
  const interval = opts.fps ? 1000 / opts.fps : 0;
  const start = performance.now();
  const source = frames[Symbol.asyncIterator]();
  let group: GroupWriter | undefined;
  let inGroup = 0;
  try {
    for (;;) {
      if (opts.signal.aborted) return result;
      if (opts.admit && !(await opts.admit(result.frames))) return result;
      // Pace first, then take the frame, so generated frames (the clock) are fresh when written.
      if (interval > 0) {
        const wait = start + result.frames * interval - performance.now();
        if (wait > 0 && !(await sleep(wait, opts.signal))) return result;
      }
      const next = await source.next();
      if (next.done) break;
      if (opts.signal.aborted) return result;
      const frame = next.value;
      if (!group || inGroup >= opts.groupFrames) {
        group?.close();
        group = writer.openGroup(undefined, { datagram: opts.datagrams ?? false });
        result.groups++;
        inGroup = 0;
      }
      group.writeFrame(frame);
      opts.onFrame?.(frame, group.sequence, inGroup);
      inGroup++;
      result.frames++;
      result.bytes += frame.length;
    }
    result.complete = true;
    return result;
  } catch (err) {
    // Writing into a track that ended under us (the subscriber left, the session closed).
    if (err instanceof MoqError) return result;
    throw err;
  } finally {
    try {
      group?.close();
    } catch {
      // already ended with its track
    }
    if (!result.complete) await source.return?.(undefined);
  }
}
