// The hang catalog of a one-rendition video broadcast (hang.md §4), legacy container: the
// synthetic demo video's, and the Publish view's camera.

import type { SyntheticVideoConfig } from "./video-frames.ts";

/** The subset of hang's VideoConfig this demo emits. */
export interface DemoVideoRendition {
  codec: string;
  container: { kind: "legacy" };
  codedWidth: number;
  codedHeight: number;
  framerate: number;
  bitrate: number;
  optimizeForLatency: boolean;
  jitter: number;
}

export interface DemoCatalog {
  video: {
    renditions: Record<string, DemoVideoRendition>;
    display: { width: number; height: number };
  };
}

/** Build the catalog for one video track named `track`. */
export function videoCatalog(
  track: string,
  config: Pick<SyntheticVideoConfig, "codec" | "width" | "height" | "fps" | "bitrate">,
): DemoCatalog {
  return {
    video: {
      renditions: {
        [track]: {
          codec: config.codec,
          container: { kind: "legacy" },
          codedWidth: config.width,
          codedHeight: config.height,
          framerate: config.fps,
          bitrate: config.bitrate,
          optimizeForLatency: true,
          // Live without B-frames: at worst one frame interval between frames on the wire.
          jitter: Math.ceil(1000 / config.fps),
        },
      },
      display: { width: config.width, height: config.height },
    },
  };
}
