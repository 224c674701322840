// The clock broadcast, in the spirit of moq-dev's moq-clock: one track carrying, on a fixed grid of
// instants, each instant's UTC time as ISO-8601 text (e.g. "2026-11-03T12:34:56.000Z"). Groups
// follow the same grid counted from the Unix epoch, so with the defaults (one frame a second, 60
// to a group) a group is one UTC minute and a late joiner gets the current minute from its start.
// The demo and `moqscope pub --clock` both publish this.

import { BroadcastProducer } from "../../moq/index.ts";
import type { GroupProducer, TrackMux, TrackOptions, TrackProducer } from "../../moq/index.ts";
import { Pacer } from "./pacer.ts";
import type { DemoPart } from "./video.ts";

export const CLOCK_TRACK = "clock";

export interface ClockOptions {
  /** Track name. Default "clock". */
  track?: string;
  /** Frames per second. Default 1. */
  fps?: number;
  /** Frames per group, counted on the grid from the epoch. Default 60. */
  groupFrames?: number;
  /** Every tick a group of its own in a QUIC datagram where the subscriber's session can (groupFrames is then 1). */
  datagrams?: boolean;
  /** Wall clock in ms since the Unix epoch. Default Date.now. */
  clock?: () => number;
  /** Called after each frame is written, with its group's sequence and its index in the group. */
  onFrame?: (frame: Uint8Array, group: number, index: number) => void;
  /** What TRACK_INFO says about the track besides its timescale (max age, publisher priority). */
  trackInfo?: Pick<TrackOptions, "maxAgeMs" | "publisherPriority">;
}

export interface ClockTally {
  frames: number;
  bytes: number;
  groups: number;
}

/** A clock broadcast: put `broadcast` on a mux, then start() it; stop() ends it. */
export class ClockBroadcast implements DemoPart {
  readonly broadcast = new BroadcastProducer();
  readonly tally: ClockTally = { frames: 0, bytes: 0, groups: 0 };
  readonly #track: TrackProducer;
  readonly #groupFrames: number;
  readonly #datagrams: boolean;
  readonly #onFrame: ClockOptions["onFrame"];
  readonly #pacer: Pacer;
  readonly #encoder = new TextEncoder();
  #group: GroupProducer | undefined;
  /** Which grid group #group is (instant index / groupFrames). */
  #gridGroup = -1;
  #inGroup = 0;

  constructor(options: ClockOptions = {}) {
    const fps = options.fps ?? 1;
    const groupFrames = options.datagrams ? 1 : (options.groupFrames ?? 60);
    if (!(fps > 0 && Number.isFinite(fps))) throw new RangeError(`clock fps must be a positive number, got ${fps}`);
    if (!(Number.isInteger(groupFrames) && groupFrames >= 1))
      throw new RangeError(`clock groupFrames must be an integer >= 1, got ${groupFrames}`);
    const clock = options.clock ?? (() => Date.now());
    const intervalMs = 1000 / fps;
    this.#groupFrames = groupFrames;
    this.#datagrams = options.datagrams ?? false;
    this.#onFrame = options.onFrame;
    // Late joiners start at the newest group: one more is enough for one that is just ending.
    this.#track = this.broadcast.createTrack(options.track ?? CLOCK_TRACK, {
      maxCachedGroups: 2,
      ...options.trackInfo,
    });
    this.#pacer = new Pacer({
      clock,
      // On the grid; the current instant is written at once.
      origin: Math.floor(clock() / intervalMs) * intervalMs,
      intervalMs,
      onTick: (_index, dueMs) => this.#tick(Math.round(dueMs / intervalMs), dueMs),
    });
  }

  start(): void {
    this.#pacer.start();
  }

  /** Stop ticking and end the broadcast (subscribers see it end). */
  stop(): void {
    this.#pacer.stop();
    this.#group?.close();
    this.broadcast.close();
  }

  #tick(instant: number, dueMs: number): void {
    if (this.broadcast.isEnded) {
      this.#pacer.stop();
      return;
    }
    const gridGroup = Math.floor(instant / this.#groupFrames);
    if (!this.#group || gridGroup !== this.#gridGroup) {
      this.#group?.close();
      this.#group = this.#track.openGroup(undefined, { datagram: this.#datagrams });
      this.#gridGroup = gridGroup;
      this.#inGroup = 0;
      this.tally.groups++;
    }
    const frame = this.#encoder.encode(new Date(dueMs).toISOString());
    this.#group.writeFrame(frame);
    this.tally.frames++;
    this.tally.bytes += frame.length;
    this.#onFrame?.(frame, this.#group.sequence, this.#inGroup++);
  }
}

/** Publish the demo clock at `path` on `mux` and start ticking on whole seconds. */
export function startClockDemo(mux: TrackMux, path: string, clock: () => number): DemoPart {
  const part = new ClockBroadcast({ clock });
  mux.publishBroadcast(path, part.broadcast);
  part.start();
  return part;
}
