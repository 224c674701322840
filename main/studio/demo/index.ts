// Demo broadcasts for a new user's first look (`moqscope relay --demo`, the app's default): a
// clock and a synthetic hang video track, published on a mux until stopped.

import { joinPath, toPath } from "../../moq/index.ts";
import type { TrackMux } from "../../moq/index.ts";
import { startClockDemo } from "./clock.ts";
import { startVideoDemo, type DemoPart } from "./video.ts";
import { DEFAULT_VIDEO_CONFIG, type SyntheticVideoConfig } from "./video-frames.ts";

export { CLOCK_TRACK, ClockBroadcast, type ClockOptions, type ClockTally } from "./clock.ts";
export { CATALOG_TRACK, VIDEO_TRACK } from "./video.ts";
export {
  DEFAULT_VIDEO_CONFIG,
  meanFrameSizes,
  SyntheticVideoFrames,
  type SyntheticVideoConfig,
} from "./video-frames.ts";
export { videoCatalog, type DemoCatalog, type DemoVideoRendition } from "./catalog.ts";

export interface DemoOptions {
  /** Path prefix of the demo broadcasts. Default "demo". */
  prefix?: string;
  /** Wall clock in ms since the Unix epoch (Date.now by default); tests may substitute one. */
  clock?: () => number;
  /** Overrides for the synthetic video (bitrate, size, GOP, seed…). */
  video?: Partial<SyntheticVideoConfig>;
}

export interface Demo {
  /** Paths published, e.g. ["demo/clock", "demo/video.hang"]. */
  readonly broadcasts: string[];
  /** Stop the timers and close the broadcasts (subscribers see them end). Idempotent. */
  stop(): void;
}

/**
 * Publish `<prefix>/clock` and `<prefix>/video.hang` on `mux`. Throws MoqError(Duplicate) when
 * one of the paths is already published there (nothing is left running then).
 */
export function startDemo(mux: TrackMux, options: DemoOptions = {}): Demo {
  const prefix = options.prefix ?? "demo";
  const clock = options.clock ?? (() => Date.now());
  const clockPath = joinPath(toPath(prefix, "demo prefix"), toPath("clock"));
  const videoPath = joinPath(toPath(prefix, "demo prefix"), toPath("video.hang"));
  const parts: DemoPart[] = [];
  try {
    parts.push(startClockDemo(mux, clockPath, clock));
    parts.push(startVideoDemo(mux, videoPath, clock, { ...DEFAULT_VIDEO_CONFIG, ...options.video }));
  } catch (err) {
    for (const part of parts) part.stop();
    throw err;
  }
  let stopped = false;
  return {
    broadcasts: [clockPath, videoPath],
    stop() {
      if (stopped) return;
      stopped = true;
      for (const part of parts) part.stop();
    },
  };
}
