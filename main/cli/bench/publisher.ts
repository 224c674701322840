// One published bench broadcast: track "data" at its own frame rate (on the studio's drift-free
// pacer) and group length, frame sizes drawn per frame. The first frame of every group starts with
// the wall-clock send time so receivers can tell the delivery latency.

import { BroadcastProducer } from "../../moq/node.ts";
import type { GroupProducer, TrackMux, TrackProducer } from "../../moq/node.ts";
import { Pacer } from "../../studio/demo/pacer.ts";
import { whenAborted } from "../signals.ts";
import { pick } from "./range.ts";
import type { Range } from "./range.ts";
import type { BenchTally } from "./tally.ts";

export const BENCH_TRACK = "data";
/** Bytes of the send time (ms since the epoch, float64 big-endian) at the start of a group. */
export const TIMESTAMP_BYTES = 8;

export interface BroadcastPlan {
  path: string;
  fps: number;
  groupFrames: number;
  frameBytes: Range;
}

/** Wall-clock time in ms since the epoch, with the sub-millisecond precision Date.now() lacks. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Write the send time into the first bytes of a group's first frame. */
export function stampFrame(frame: Uint8Array, nowMs: number = wallClockMs()): void {
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setFloat64(0, nowMs, false);
}

/** The send time carried by a group's first frame, or undefined when it is too short. */
export function readStamp(frame: Uint8Array): number | undefined {
  if (frame.length < TIMESTAMP_BYTES) return undefined;
  const value = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getFloat64(0, false);
  return Number.isFinite(value) ? value : undefined;
}

export class BenchBroadcast {
  readonly plan: BroadcastPlan;
  readonly #broadcast = new BroadcastProducer();
  readonly #track: TrackProducer;
  /** Shared read-only filler for every frame but the first of a group (writers must not modify frames). */
  readonly #filler: Uint8Array;

  constructor(plan: BroadcastPlan, mux: TrackMux) {
    this.plan = plan;
    this.#track = this.#broadcast.createTrack(BENCH_TRACK);
    this.#filler = new Uint8Array(plan.frameBytes.max).fill(0x6d);
    mux.publishBroadcast(plan.path, this.#broadcast);
  }

  /** Publish until the signal aborts, then end the broadcast. */
  async run(tally: BenchTally, signal: AbortSignal): Promise<void> {
    const { fps, groupFrames } = this.plan;
    let group: GroupProducer | undefined;
    let inGroup = 0;
    const pacer = new Pacer({
      clock: wallClockMs,
      origin: wallClockMs(),
      intervalMs: 1000 / fps,
      onTick: () => {
        if (!group || inGroup >= groupFrames) {
          group?.close();
          group = this.#track.openGroup();
          inGroup = 0;
        }
        const frame = this.#frame(inGroup === 0);
        group.writeFrame(frame);
        inGroup++;
        tally.sent(frame.length);
      },
    });
    if (!signal.aborted) pacer.start();
    await whenAborted(signal);
    pacer.stop();
    group?.close();
    this.#broadcast.close();
  }

  /** A group's first frame carries the send time; the others share one read-only filler. */
  #frame(first: boolean): Uint8Array {
    const size = pick(this.plan.frameBytes, true);
    if (!first) return this.#filler.subarray(0, size);
    const frame = new Uint8Array(Math.max(TIMESTAMP_BYTES, size));
    stampFrame(frame);
    return frame;
  }
}
