import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import type { Path } from "../../model/path.ts";
import { decodeSince, encodeSince, writeU8, writeUint } from "./fields.ts";
import { decodePath, writePath } from "./path.ts";
import { versionAtLeast, type Version } from "./version.ts";

// The Track stream (05+, bidi type 0x6; spec §14.4): the subscriber names a track, the publisher
// answers with its properties, which never change while the track lives, then FINs. A reset
// instead of TRACK_INFO means there is no such track.

export interface TrackRequest {
  readonly broadcast: Path;
  readonly track: string;
}

export interface TrackInfo {
  /** u8, higher = more important. */
  readonly priority: number;
  /** true: older groups first. */
  readonly ordered: boolean;
  /** How long the publisher keeps groups that are no longer the latest, in ms. */
  readonly maxLatencyMs: number;
  /** Frame timestamp units per second (1000 = ms, 1 000 000 = µs, 90 000 = RTP video). Never 0. */
  readonly timescale: number;
}

export function encodeTrackRequest(msg: TrackRequest, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-05", "TRACK");
  return encodeMessage((w) => {
    writePath(w, msg.broadcast);
    w.string(msg.track);
  });
}

export function decodeTrackRequest(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): TrackRequest {
  decodeSince(version, "moq-lite-05", "TRACK");
  return decodeBody(body, "TRACK", (r) => {
    const broadcast = decodePath(r, "broadcast path");
    const track = r.string("track name");
    return { broadcast, track };
  });
}

export function encodeTrackInfo(msg: TrackInfo, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-05", "TRACK_INFO");
  if (!Number.isSafeInteger(msg.timescale) || msg.timescale < 1) {
    throw new RangeError(`track timescale must be a positive integer, got ${msg.timescale}`);
  }
  return encodeMessage((w) => {
    writeU8(w, msg.priority, "publisher priority");
    // 06 dropped the retired Ordered byte.
    if (!versionAtLeast(version, "moq-lite-06")) w.bool(msg.ordered);
    writeUint(w, msg.maxLatencyMs, "publisher max latency");
    writeUint(w, msg.timescale, "timescale");
  });
}

export function decodeTrackInfo(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): TrackInfo {
  decodeSince(version, "moq-lite-05", "TRACK_INFO");
  return decodeBody(body, "TRACK_INFO", (r) => {
    const priority = r.u8("publisher priority");
    const ordered = versionAtLeast(version, "moq-lite-06") ? false : r.bool("publisher ordered");
    const maxLatencyMs = r.varint("publisher max latency");
    const timescale = r.varint("timescale");
    if (timescale === 0) throw new DecodeError("track timescale must not be 0");
    return { priority, ordered, maxLatencyMs, timescale };
  });
}
