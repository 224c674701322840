// Frames of a synthetic, H.264-shaped video stream: sizes like a real encoder at a target bitrate
// (a large keyframe opening each GOP, smaller frames after it), in hang's legacy container
// (hang.md §6.1: QUIC varint timestamp in µs, then the payload). The payload looks like one
// Annex B NAL unit (start code, IDR or non-IDR slice header byte) followed by filler, so NAL
// scanners report sensible types; it is not decodable video.

import { varintSize, writeVarintAt } from "../../moq/index.ts";
import { seededRandom } from "./prng.ts";

export interface SyntheticVideoConfig {
  /** WebCodecs codec string announced in the catalog. */
  codec: string;
  width: number;
  height: number;
  fps: number;
  /** Target bit/s, frame headers included. */
  bitrate: number;
  /** Frames per group (GOP); frame 0 of each group is the keyframe. */
  gopFrames: number;
  /** Keyframe size relative to the average non-key frame. */
  keyframeRatio: number;
  /** PRNG seed for sizes and filler. */
  seed: number;
}

export const DEFAULT_VIDEO_CONFIG: Readonly<SyntheticVideoConfig> = {
  codec: "avc1.64001f",
  width: 1280,
  height: 720,
  fps: 30,
  bitrate: 2_500_000,
  gopFrames: 60,
  keyframeRatio: 10,
  seed: 0x6d6f71,
};

/** Sizes spread uniformly over ±SPREAD of their mean, so the mean itself is kept. */
const SPREAD = 0.2;

const START_CODE = [0, 0, 0, 1] as const;
const NAL_IDR = 0x65;
const NAL_NON_IDR = 0x41;

/** Mean frame sizes in bytes such that one GOP averages exactly the target bitrate. */
export function meanFrameSizes(config: SyntheticVideoConfig): { key: number; delta: number } {
  const gopBytes = (config.bitrate / 8) * (config.gopFrames / config.fps);
  // One keyframe counts as keyframeRatio ordinary frames.
  const delta = gopBytes / (config.keyframeRatio + config.gopFrames - 1);
  return { key: delta * config.keyframeRatio, delta };
}

export class SyntheticVideoFrames {
  readonly config: SyntheticVideoConfig;
  readonly #random: () => number;
  readonly #means: { key: number; delta: number };
  /** Filler shared by every frame (copied out), generated once so a frame costs one copy. */
  readonly #filler: Uint8Array;

  constructor(config: SyntheticVideoConfig = DEFAULT_VIDEO_CONFIG) {
    this.config = config;
    this.#random = seededRandom(config.seed);
    this.#means = meanFrameSizes(config);
    const largest = Math.ceil(this.#means.key * (1 + SPREAD)) + 16;
    this.#filler = new Uint8Array(largest * 2);
    // No zero bytes: a real encoder's emulation prevention never lets a start code appear inside a NAL.
    for (let i = 0; i < this.#filler.length; i++) this.#filler[i] = 1 + Math.floor(this.#random() * 255);
  }

  /** One hang legacy frame: varint(timestampUs) ‖ start code ‖ NAL header ‖ filler. */
  frame(timestampUs: number, keyframe: boolean): Uint8Array {
    const mean = keyframe ? this.#means.key : this.#means.delta;
    const header = varintSize(timestampUs) + START_CODE.length + 1;
    const size = Math.max(header + 1, Math.round(mean * (1 - SPREAD + 2 * SPREAD * this.#random())));
    const out = new Uint8Array(size);
    let offset = writeVarintAt(out, 0, timestampUs);
    out.set(START_CODE, offset);
    offset += START_CODE.length;
    out[offset++] = keyframe ? NAL_IDR : NAL_NON_IDR;
    const fill = size - offset;
    const from = Math.floor(this.#random() * (this.#filler.length - fill));
    out.set(this.#filler.subarray(from, from + fill), offset);
    return out;
  }
}
