import { versionAtLeast, type Version } from "./version.ts";

/** The varint at the start of every bidirectional stream (spec §5.1). */
export const BidiStreamType = {
  /** 01/02 draft session stream; no deployed peer opens it (§13.2). */
  Session: 0x0,
  Announce: 0x1,
  Subscribe: 0x2,
  Fetch: 0x3,
  Probe: 0x4,
  Goaway: 0x5,
  /** 05+: TRACK, answered by TRACK_INFO (the track's immutable properties). */
  Track: 0x6,
  /** CLIENT_SETUP of the 01/02 compat exchange (§4.3). */
  SetupCompat: 0x20,
} as const;
export type BidiStreamTypeValue = (typeof BidiStreamType)[keyof typeof BidiStreamType];

/** The varint at the start of every unidirectional stream. */
export const UniStreamType = {
  Group: 0x0,
  /** 05+: each side's one SETUP message, then FIN. */
  Setup: 0x1,
} as const;
export type UniStreamTypeValue = (typeof UniStreamType)[keyof typeof UniStreamType];

/** Written by the server before SERVER_SETUP on the compat stream (not a stream type of its own). */
export const SERVER_SETUP_TYPE = 0x21;

/**
 * Whether a peer may open a bidi stream of this type on an established session of this version.
 * Opening one that does not exist is how old Rust peers got their whole session killed (§12.3),
 * so check before opening and reset on receipt. Session (0x0) and SetupCompat (0x20) are never
 * allowed here: the compat SETUP stream is handled by the handshake before a version exists and
 * then carries on as the 01/02 session stream, and no deployed peer opens a 0x0 stream.
 */
export function bidiStreamTypeAllowed(type: number, version: Version): boolean {
  switch (type) {
    case BidiStreamType.Announce:
    case BidiStreamType.Subscribe:
      return true;
    case BidiStreamType.Fetch:
    case BidiStreamType.Probe:
      return versionAtLeast(version, "moq-lite-03");
    case BidiStreamType.Goaway:
      return versionAtLeast(version, "moq-lite-04");
    case BidiStreamType.Track:
      return versionAtLeast(version, "moq-lite-05");
    default:
      return false;
  }
}

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
const BIDI_NAMES = new Map<number, string>(Object.entries(BidiStreamType).map(([name, code]) => [code, kebab(name)]));

/** "subscribe", "probe", "setup-compat", … or "unknown(0x7)" for traces. */
export function bidiStreamTypeName(type: number): string {
  return BIDI_NAMES.get(type) ?? `unknown(0x${type.toString(16)})`;
}

export function uniStreamTypeName(type: number): string {
  if (type === UniStreamType.Group) return "group";
  if (type === UniStreamType.Setup) return "setup";
  return `unknown(0x${type.toString(16)})`;
}
