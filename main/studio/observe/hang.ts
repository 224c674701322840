// What hang (../shared/spec/hang.md) puts inside frames, read for the inspector: the catalog's
// renditions, the legacy container's timestamp prefix, and the NAL units of H.264 payloads.

import { readVarintAt, varintLength } from "../../moq/index.ts";
import type { Rendition } from "../../ipc/contract.ts";

export const CATALOG_TRACK = "catalog.json";

/** A broadcast path that names the hang catalog format. */
export function isHangBroadcast(path: string): boolean {
  return path.endsWith(".hang");
}

export interface DecodedCatalog {
  renditions: Rendition[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The renditions of a catalog document; throws with a readable reason when it is not one. */
export function decodeCatalog(text: string): DecodedCatalog {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new Error(`the catalog is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(root)) throw new Error("the catalog is not a JSON object");
  const renditions: Rendition[] = [];
  for (const kind of ["video", "audio"] as const) {
    const section = root[kind];
    if (section === undefined) continue;
    for (const [track, config] of sectionRenditions(section, kind)) {
      if (!isObject(config) || typeof config.codec !== "string") {
        throw new Error(`the catalog's ${kind} rendition "${track}" has no codec`);
      }
      renditions.push({
        track,
        kind,
        codec: config.codec,
        width: num(config.codedWidth),
        height: num(config.codedHeight),
        framerate: num(config.framerate),
        bitrate: num(config.bitrate),
        sampleRate: num(config.sampleRate),
        channels: num(config.numberOfChannels),
      });
    }
  }
  return { renditions };
}

/** `{renditions: {name: config}}`, or the old shapes (an array, or one `{track: {name}, config}`). */
function sectionRenditions(section: unknown, kind: string): [string, unknown][] {
  if (isObject(section) && isObject(section.renditions)) return Object.entries(section.renditions);
  const old = Array.isArray(section) ? section : [section];
  return old.map((entry, i): [string, unknown] => {
    if (!isObject(entry) || !isObject(entry.track) || typeof entry.track.name !== "string") {
      throw new Error(`the catalog's ${kind} section has no renditions`);
    }
    return [entry.track.name || `${kind} ${i}`, entry.config];
  });
}

/** hang legacy frame: the timestamp (µs) and where the codec payload starts; null when too short. */
export function decodeTimestamp(frame: Uint8Array): { timestampUs: number; payloadOffset: number } | null {
  if (frame.length === 0) return null;
  const length = varintLength(frame[0]!);
  if (frame.length < length) return null;
  return { timestampUs: readVarintAt(frame, 0), payloadOffset: length };
}

const NAL_NAMES: Record<number, string> = {
  1: "non-IDR slice",
  2: "slice data A",
  3: "slice data B",
  4: "slice data C",
  5: "IDR slice",
  6: "SEI",
  7: "SPS",
  8: "PPS",
  9: "access unit delimiter",
  10: "end of sequence",
  11: "end of stream",
  12: "filler",
};

/** At most this many NAL units are listed per frame. */
const MAX_NAL_UNITS = 64;

/**
 * The H.264 NAL units of a payload: Annex B (start codes) when it starts with one, else AVCC
 * (4-byte lengths) when those lengths add up; null when it is neither.
 */
export function listNalUnits(payload: Uint8Array): { type: number; name: string; size: number }[] | null {
  const unit = (start: number, end: number) => {
    const type = payload[start]! & 0x1f;
    return { type, name: NAL_NAMES[type] ?? `type ${type}`, size: end - start };
  };
  if (startCodeAt(payload, 0) > 0) {
    const starts: number[] = [];
    for (let i = 0; i + 3 <= payload.length && starts.length < MAX_NAL_UNITS; i++) {
      const len = startCodeAt(payload, i);
      if (len > 0) {
        starts.push(i + len);
        i += len - 1;
      }
    }
    return starts.filter((s) => s < payload.length).map((s, i) => unit(s, nextEnd(payload, starts[i + 1])));
  }
  const units = [];
  let offset = 0;
  while (offset + 4 < payload.length && units.length < MAX_NAL_UNITS) {
    const size =
      ((payload[offset]! << 24) | (payload[offset + 1]! << 16) | (payload[offset + 2]! << 8)) + payload[offset + 3]!;
    if (size <= 0 || offset + 4 + size > payload.length) return null;
    units.push(unit(offset + 4, offset + 4 + size));
    offset += 4 + size;
  }
  return offset === payload.length && units.length > 0 ? units : null;
}

/** Where the unit before the next start code ends (the start code's first zero). */
function nextEnd(payload: Uint8Array, nextStart: number | undefined): number {
  if (nextStart === undefined) return payload.length;
  return payload[nextStart - 4] === 0 ? nextStart - 4 : nextStart - 3;
}

function startCodeAt(b: Uint8Array, i: number): number {
  if (b[i] !== 0 || b[i + 1] !== 0) return 0;
  if (b[i + 2] === 1) return 3;
  if (b[i + 2] === 0 && b[i + 3] === 1) return 4;
  return 0;
}
