// A camera broadcast in hang's shape (hang.md §1, §7, §9): `catalog.json` describing one video
// rendition, and `video/hd` with one GOP per group. The page captures and encodes (WebCodecs);
// main only frames each chunk (legacy container: varint timestamp, then the bytes) and writes it.

import { BroadcastProducer, varintSize, writeVarintAt } from "../../moq/index.ts";
import type { GroupProducer, TrackProducer } from "../../moq/index.ts";
import { videoCatalog } from "../demo/catalog.ts";
import { PublishTally } from "./tally.ts";

export const CAMERA_CATALOG_TRACK = "catalog.json";
export const CAMERA_VIDEO_TRACK = "video/hd";

export interface CameraSettings {
  codec: string;
  width: number;
  height: number;
  framerate: number;
  bitrate: number;
}

export class CameraBroadcast {
  readonly broadcast = new BroadcastProducer();
  readonly tally = new PublishTally();
  readonly #video: TrackProducer;
  #group: GroupProducer | undefined;
  #lastTimestamp = -1;

  constructor(readonly settings: CameraSettings) {
    // Late joiners start at the newest group, so the catalog needs only its latest one; a couple of
    // GOPs are kept for subscribers that lag behind.
    const catalog = this.broadcast.createTrack(CAMERA_CATALOG_TRACK, { maxCachedGroups: 1 });
    // On moq-lite-05+ each frame also carries its capture time on the wire, in microseconds.
    this.#video = this.broadcast.createTrack(CAMERA_VIDEO_TRACK, { maxCachedGroups: 2, timescale: 1_000_000 });
    const group = catalog.openGroup();
    group.writeFrame(new TextEncoder().encode(JSON.stringify(cameraCatalog(settings))));
    group.close();
  }

  get started(): boolean {
    return this.#group !== undefined;
  }

  /**
   * Write one encoded frame. A track must begin with a keyframe, and a keyframe opens a group;
   * timestamps must rise (a player reads a step back as a rewind).
   */
  write(keyframe: boolean, timestampUs: number, data: Uint8Array): void {
    if (this.broadcast.isEnded) throw new Error("this camera broadcast was stopped");
    if (!this.#group && !keyframe) throw new Error("the first camera frame must be a keyframe");
    if (timestampUs <= this.#lastTimestamp) {
      throw new Error(`camera timestamps must rise (got ${timestampUs} µs after ${this.#lastTimestamp} µs)`);
    }
    this.#lastTimestamp = timestampUs;
    if (keyframe) {
      this.#group?.close();
      this.#group = this.#video.openGroup();
    }
    const frame = new Uint8Array(varintSize(timestampUs) + data.byteLength);
    frame.set(data, writeVarintAt(frame, 0, timestampUs));
    this.#group!.writeFrame(frame, timestampUs);
    this.tally.frame(frame.byteLength, keyframe);
  }

  stop(): void {
    try {
      this.#group?.close();
    } catch {
      // already ended with its track
    }
    this.broadcast.close();
  }
}

/** The hang catalog for the camera's one rendition. */
export function cameraCatalog(s: CameraSettings): unknown {
  return videoCatalog(CAMERA_VIDEO_TRACK, { ...s, fps: s.framerate });
}

/** The codec in words for the Publish view. */
export function codecName(codec: string): string {
  if (/^avc[13]/.test(codec)) return "H.264";
  if (codec.startsWith("vp09")) return "VP9";
  if (codec === "vp8") return "VP8";
  if (codec.startsWith("av01")) return "AV1";
  return codec;
}
