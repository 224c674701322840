// One published bench broadcast: track "data" at its own frame rate and group length, frame sizes
// drawn per frame. The first frame of every group starts with the wall-clock send time so
// receivers can tell the delivery latency.

import { BroadcastProducer } from "../../moq/index.ts";
import type { TrackMux, TrackProducer } from "../../moq/index.ts";
import { pump } from "../pub/pump.ts";
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
    try {
      await pump(this.#frames(), this.#track, {
        groupFrames,
        fps,
        signal,
        onFrame: (frame) => tally.sent(frame.length),
      });
    } finally {
      this.#broadcast.close();
    }
  }

  async *#frames(): AsyncGenerator<Uint8Array> {
    const { groupFrames, frameBytes } = this.plan;
    // pump starts a new group every `groupFrames` frames, so the count tells where groups begin.
    for (let index = 0; ; index++) {
      const size = pick(frameBytes, true);
      if (index % groupFrames === 0) {
        const first = new Uint8Array(Math.max(TIMESTAMP_BYTES, size));
        stampFrame(first);
        yield first;
      } else {
        yield this.#filler.subarray(0, size);
      }
    }
  }
}
