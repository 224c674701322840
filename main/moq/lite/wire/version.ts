// moq-lite version identifiers (spec §4.1). 03/04/05 are chosen by ALPN / WebTransport protocol /
// WebSocket subprotocol with no handshake; 01/02 are chosen by the SETUP exchange (§4.3).
//
// Sessions speak 05 (spec §14, checked against @moq/net 0.3.4 and moq-relay 0.17) and 06 (as the
// Rust moq-net 0.3.18 defines it: announce ids, route cost, frame bounds, no Ordered byte). Servers
// accept both and clients offer 06 first, by default. @moq/net's unfinished 06 goes by another
// ALPN ("moq-lite-06-wip") and is not spoken.

export type Version = "moq-lite-01" | "moq-lite-02" | "moq-lite-03" | "moq-lite-04" | "moq-lite-05" | "moq-lite-06";

/** Every version the wire layer knows, oldest first. */
export const VERSIONS = [
  "moq-lite-01",
  "moq-lite-02",
  "moq-lite-03",
  "moq-lite-04",
  "moq-lite-05",
  "moq-lite-06",
] as const satisfies readonly Version[];

/** The versions a session speaks. */
export const SESSION_VERSIONS = [
  "moq-lite-01",
  "moq-lite-02",
  "moq-lite-03",
  "moq-lite-04",
  "moq-lite-05",
  "moq-lite-06",
] as const satisfies readonly Version[];
export type SessionVersion = (typeof SESSION_VERSIONS)[number];

/** The codes carried in SETUP (and in the drafts' version fields). */
export const VERSION_CODES: Readonly<Record<Version, number>> = Object.freeze({
  "moq-lite-01": 0xff0dad01,
  "moq-lite-02": 0xff0dad02,
  "moq-lite-03": 0xff0dad03,
  "moq-lite-04": 0xff0dad04,
  "moq-lite-05": 0xff0dad05,
  "moq-lite-06": 0xff0dad06,
});

/** Versions negotiated by ALPN, in our order of preference. */
export const ALPN_VERSIONS = ["moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"] as const;
export type AlpnVersion = (typeof ALPN_VERSIONS)[number];

/** What clients offer unless told otherwise, best first. */
export const DEFAULT_OFFER: readonly AlpnVersion[] = ["moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"];

/** Versions negotiated by the 0x20/0x21 SETUP exchange, in our order of preference. */
export const LEGACY_VERSIONS = ["moq-lite-02", "moq-lite-01"] as const;
export type LegacyVersion = (typeof LEGACY_VERSIONS)[number];

const BY_CODE = new Map<number, Version>(VERSIONS.map((v) => [VERSION_CODES[v], v]));

export function versionFromCode(code: number): Version | undefined {
  return BY_CODE.get(code);
}

export function isVersion(s: string): s is Version {
  return (VERSIONS as readonly string[]).includes(s);
}

/** True for an identifier that selects the version directly (no SETUP exchange). */
export function isAlpnVersion(v: string): v is AlpnVersion {
  return (ALPN_VERSIONS as readonly string[]).includes(v);
}

export function isLegacyVersion(v: string): v is LegacyVersion {
  return (LEGACY_VERSIONS as readonly string[]).includes(v);
}

/** The draft number: 1 for moq-lite-01 … 6 for moq-lite-06. */
export function versionNumber(v: Version): number {
  return VERSIONS.indexOf(v) + 1;
}

/** Feature gates read better as "at least 03" than as lists of versions. */
export function versionAtLeast(v: Version, minimum: Version): boolean {
  return versionNumber(v) >= versionNumber(minimum);
}

/**
 * Parse a user-supplied version (CLI flag, profile). Accepts the full identifier
 * ("moq-lite-04") or the draft number ("04", "4").
 */
export function parseVersion(s: string): Version {
  const t = s.trim().toLowerCase();
  const v = isVersion(t) ? t : /^0?[1-9]$/.test(t) ? VERSIONS[Number(t) - 1] : undefined;
  if (v && (SESSION_VERSIONS as readonly string[]).includes(v)) return v;
  if (v) throw new Error(`${v} is not spoken; valid values: ${SESSION_VERSIONS.join(", ")}`);
  throw new Error(`unknown moq-lite version "${s}"; valid values: ${SESSION_VERSIONS.join(", ")}`);
}
