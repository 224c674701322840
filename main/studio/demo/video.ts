// The synthetic video broadcast, hang-shaped (hang.md §1): a `catalog.json` track with one
// group holding the catalog document, and a media track with one GOP per group, paced in real
// time. Timestamps are wall-clock µs (Unix epoch), so any subscriber can compute delivery latency.

import { BroadcastProducer } from "../../moq/index.ts";
import type { GroupProducer, TrackMux } from "../../moq/index.ts";
import { videoCatalog } from "./catalog.ts";
import { Pacer } from "./pacer.ts";
import { DEFAULT_VIDEO_CONFIG, SyntheticVideoFrames, type SyntheticVideoConfig } from "./video-frames.ts";

export const CATALOG_TRACK = "catalog.json";
export const VIDEO_TRACK = "video/synthetic";

/** Something the demo runs until stopped. */
export interface DemoPart {
  stop(): void;
}

/** The running synthetic video: its broadcast (for counting subscribers) and stop(). */
export interface VideoDemo extends DemoPart {
  readonly broadcast: BroadcastProducer;
}

/**
 * Publish the synthetic video broadcast at `path` on `mux` and start producing frames.
 * `onFrame` hears each media frame written, with whether it opened a group.
 */
export function startVideoDemo(
  mux: TrackMux,
  path: string,
  clock: () => number,
  config: SyntheticVideoConfig = DEFAULT_VIDEO_CONFIG,
  onFrame?: (bytes: number, newGroup: boolean) => void,
): VideoDemo {
  const broadcast = new BroadcastProducer();
  // Late joiners start at the newest group, so the catalog needs only its latest one.
  const catalogTrack = broadcast.createTrack(CATALOG_TRACK, { maxCachedGroups: 1 });
  // A few GOPs (a few MB) for subscribers that lag behind; older ones are dropped.
  // On moq-lite-05+ each frame carries its presentation time on the wire too, in microseconds.
  const videoTrack = broadcast.createTrack(VIDEO_TRACK, { maxCachedGroups: 3, timescale: 1_000_000 });

  // The catalog never changes while the demo runs: one group, closed, is the whole history.
  const catalogGroup = catalogTrack.openGroup();
  catalogGroup.writeFrame(new TextEncoder().encode(JSON.stringify(videoCatalog(VIDEO_TRACK, config))));
  catalogGroup.close();

  const frames = new SyntheticVideoFrames(config);
  let group: GroupProducer | undefined;
  let inGroup = 0;

  const pacer = new Pacer({
    clock,
    origin: clock(),
    intervalMs: 1000 / config.fps,
    onTick: (_index, dueMs, resync) => {
      if (broadcast.isEnded) {
        pacer.stop();
        return;
      }
      // After a discontinuity the GOP is broken: start over with a keyframe in a new group.
      if (!group || inGroup >= config.gopFrames || resync) {
        group?.close();
        group = videoTrack.openGroup();
        inGroup = 0;
      }
      const timestampUs = Math.round(dueMs * 1000);
      const frame = frames.frame(timestampUs, inGroup === 0);
      group.writeFrame(frame, timestampUs);
      onFrame?.(frame.byteLength, inGroup === 0);
      inGroup++;
    },
  });

  mux.publishBroadcast(path, broadcast);
  pacer.start();

  return {
    broadcast,
    stop() {
      pacer.stop();
      group?.close();
      broadcast.close();
    },
  };
}
