// Shared by the wire tests: hex helpers, a table of every message codec with its framing, a
import { toPath } from "../../../../main/moq/model/path.ts";
import { expect } from "vitest";
// projection of what each version can carry, and fast-check arbitraries.
import fc from "fast-check";
import { BytesReader } from "../../../../main/moq/coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../../../main/moq/coding/limits.ts";
import * as W from "../../../../main/moq/lite/wire/index.ts";
import type { Version } from "../../../../main/moq/lite/wire/index.ts";

/** "08 01 05" → bytes. Spaces and "|" separators are ignored. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/[\s|]/g, "");
  if (clean.length % 2 !== 0) throw new Error(`odd hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

export function ascii(s: string): string {
  return toHex(new TextEncoder().encode(s));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const ALL_VERSIONS: readonly Version[] = W.VERSIONS;
/** The versions with 05's messages (SETUP stream, ANNOUNCE_OK, TRACK, typed START/END). */
export const FROM_05: readonly Version[] = W.VERSIONS.filter((v) => W.versionAtLeast(v, "moq-lite-05"));
export const FROM_06: readonly Version[] = W.VERSIONS.filter((v) => W.versionAtLeast(v, "moq-lite-06"));
export const UNTIL_05: readonly Version[] = W.VERSIONS.filter((v) => !W.versionAtLeast(v, "moq-lite-06"));

/** How a message is framed on the wire. */
export type Framing = "length" | "typed" | "u16";

/* eslint-disable @typescript-eslint/no-explicit-any -- one table holds the codecs of every message type */
export interface Codec {
  readonly name: string;
  readonly versions: readonly Version[];
  /** Framing in a given version (subscribe responses are typed only from 03). */
  framing(v: Version): Framing;
  encode(msg: any, v: Version): Uint8Array;
  decode(body: Uint8Array, v: Version, limits?: Limits): unknown;
  /** Decode a whole encoding (type and length included), as a stream reader would. */
  parse(bytes: Uint8Array, v: Version, limits?: Limits): unknown;
  arbitrary: fc.Arbitrary<any>;
  /** What survives a round trip in version v. */
  project(msg: any, v: Version): unknown;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Split one whole encoding into its type (if typed) and body, insisting on no leftovers. */
export function split(bytes: Uint8Array, framing: Framing): { type: number | undefined; body: Uint8Array } {
  const r = new BytesReader(bytes);
  let type: number | undefined;
  let body: Uint8Array;
  if (framing === "u16") {
    body = r.raw(r.u16("setup length"), "setup body");
  } else {
    if (framing === "typed") type = r.varint("type");
    body = r.bytes("message");
  }
  r.end("stream");
  return { type, body };
}

// --- arbitraries ----------------------------------------------------------------------------

const u53 = fc.maxSafeNat();
const smallNat = fc.nat({ max: 100_000 });
/** Numbers around every varint size boundary, and the extremes. */
export const varintNumber = fc.oneof(
  fc.constantFrom(0, 63, 64, 16383, 16384, 1073741823, 1073741824, Number.MAX_SAFE_INTEGER),
  smallNat,
  u53,
);
const group = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(0, 62, 63, Number.MAX_SAFE_INTEGER - 1),
  fc.maxSafeInteger().map((n) => Math.abs(n) % Number.MAX_SAFE_INTEGER),
);
const u8 = fc.integer({ min: 0, max: 255 });

/** One path segment: any code point except "/" and control characters. */
const segment = fc
  .string({ unit: "binary", minLength: 1, maxLength: 8 })
  .filter((s) => !/[/\u0000-\u001f\u007f]/.test(s));
/** A normalised path. */
export const pathArb = fc.array(segment, { maxLength: 4 }).map((segs) => toPath(segs.join("/")));
/** Track names may hold anything. */
export const trackArb = fc.string({ unit: "binary", maxLength: 16 });

/** A hop chain as 06 allows it: ids other than 0 at most once. */
function uniqueHops() {
  return fc
    .array(varintNumber, { maxLength: DEFAULT_LIMITS.maxHops })
    .map((hops) => hops.filter((h, i) => h === 0 || hops.indexOf(h) === i));
}

/** Route costs, including the saturated 2^62-1 (held as Infinity). */
function costArb() {
  const part = fc.oneof(varintNumber, fc.constant(Infinity));
  return fc.record({ warm: part, cold: part });
}

export const arbs = {
  announceInterest: fc.record({ prefix: pathArb, excludeHop: varintNumber }),
  announce: fc.record({
    active: fc.boolean(),
    suffix: pathArb,
    hops: fc.array(varintNumber, { maxLength: DEFAULT_LIMITS.maxHops }),
  }),
  announceInit: fc.record({ suffixes: fc.array(pathArb, { maxLength: 20 }) }),
  announceStart: fc.record({
    kind: fc.constant("start" as const),
    suffix: pathArb,
    hops: uniqueHops(),
    cost: costArb(),
  }),
  announceEnd: fc.record({ kind: fc.constant("end" as const), id: varintNumber }),
  announceRestart: fc.record({
    kind: fc.constant("restart" as const),
    id: varintNumber,
    hops: uniqueHops(),
    cost: costArb(),
  }),
  subscribe: fc.record({
    id: varintNumber,
    broadcast: pathArb,
    track: trackArb,
    priority: u8,
    ordered: fc.boolean(),
    maxLatencyMs: varintNumber,
    startGroup: group,
    endGroup: group,
  }),
  subscribeUpdate: fc.record({
    priority: u8,
    ordered: fc.boolean(),
    maxLatencyMs: varintNumber,
    startGroup: group,
    endGroup: group,
  }),
  subscribeOk: fc.record({
    priority: u8,
    ordered: fc.boolean(),
    maxLatencyMs: varintNumber,
    startGroup: group,
    endGroup: group,
  }),
  subscribeDrop: fc.record({ startGroup: varintNumber, endGroup: varintNumber, errorCode: varintNumber }),
  groupHeader: fc.record({ subscribeId: varintNumber, sequence: varintNumber }),
  fetch: fc.record({ broadcast: pathArb, track: trackArb, priority: u8, group: varintNumber }),
  probe: fc.record({ bitrate: varintNumber, rttMs: varintNumber }),
  goaway: fc.record({ uri: fc.string({ unit: "binary", maxLength: 64 }) }),
  sessionSetup: fc.record({
    probe: fc.constantFrom(0, 1, 2),
    path: fc.option(fc.string({ maxLength: 32 }), { nil: undefined }),
    role: fc.constantFrom(0, 1, 2),
    cost: fc.option(varintNumber, { nil: undefined }),
    hop: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
  }),
  announceOk: fc.record({ hop: varintNumber, activeCount: varintNumber }),
  trackRequest: fc.record({ broadcast: pathArb, track: trackArb }),
  trackInfo: fc.record({
    priority: u8,
    ordered: fc.boolean(),
    maxLatencyMs: varintNumber,
    timescale: fc.oneof(fc.constantFrom(1, 1000, 48_000, 90_000, 1_000_000), fc.integer({ min: 1, max: 2 ** 40 })),
  }),
  setupParam: fc.oneof(
    fc.record({ key: fc.nat({ max: 1000 }).map((k) => k * 2), value: varintNumber }),
    fc.record({ key: fc.nat({ max: 1000 }).map((k) => k * 2 + 1), value: fc.uint8Array({ maxLength: 16 }) }),
  ),
};
export const clientSetupArb = fc.record({
  versions: fc.array(fc.oneof(fc.constantFrom(0xff0dad01, 0xff0dad02, 0xff00000e), varintNumber), { maxLength: 8 }),
  params: fc.array(arbs.setupParam, { maxLength: 8 }),
});
export const serverSetupArb = fc.record({ version: varintNumber, params: fc.array(arbs.setupParam, { maxLength: 8 }) });

// --- projections: what each version keeps -----------------------------------------------------

const atLeast = W.versionAtLeast;
const legacyRest = { ordered: false, maxLatencyMs: 0, startGroup: undefined, endGroup: undefined };

function projectAnnounce(m: W.Announce, v: Version): W.Announce {
  if (atLeast(v, "moq-lite-04")) return m;
  if (atLeast(v, "moq-lite-03")) return { ...m, hops: m.hops.map(() => 0) };
  return { ...m, hops: [] };
}

function projectSubscribeLike<T extends W.SubscribeUpdate>(m: T, v: Version): T {
  // 06: no Ordered byte, and a floor of group 0 is the same as none.
  if (atLeast(v, "moq-lite-06")) return { ...m, ordered: false, startGroup: m.startGroup || undefined };
  return atLeast(v, "moq-lite-03") ? m : { ...m, ...legacyRest };
}

// --- the table ------------------------------------------------------------------------------

function codec(c: Omit<Codec, "parse" | "framing"> & { framing?: (v: Version) => Framing }): Codec {
  const framing = c.framing ?? (() => "length" as const);
  return {
    ...c,
    framing,
    parse(bytes, v, limits) {
      const { body } = split(bytes, framing(v));
      return c.decode(body, v, limits);
    },
  };
}

const typedFrom03 = (v: Version): Framing => (atLeast(v, "moq-lite-03") ? "typed" : "length");

export const CODECS: readonly Codec[] = [
  codec({
    name: "ANNOUNCE_INTEREST",
    versions: ALL_VERSIONS,
    encode: W.encodeAnnounceInterest,
    decode: W.decodeAnnounceInterest,
    arbitrary: arbs.announceInterest,
    project: (m: W.AnnounceInterest, v) => (v === "moq-lite-04" || v === "moq-lite-05" ? m : { ...m, excludeHop: 0 }),
  }),
  codec({
    name: "ANNOUNCE",
    versions: UNTIL_05,
    encode: W.encodeAnnounce,
    decode: W.decodeAnnounce,
    arbitrary: arbs.announce,
    project: projectAnnounce,
  }),
  ...(
    [
      ["ANNOUNCE_START", W.AnnounceType06.Start, arbs.announceStart],
      ["ANNOUNCE_END", W.AnnounceType06.End, arbs.announceEnd],
      ["ANNOUNCE_RESTART", W.AnnounceType06.Restart, arbs.announceRestart],
    ] as const
  ).map(([name, type, arbitrary]) =>
    codec({
      name,
      versions: FROM_06,
      framing: () => "typed",
      encode: W.encodeAnnounce06,
      decode: (body: Uint8Array, v: Version, limits?: Limits) => W.decodeAnnounce06(type, body, v, limits),
      arbitrary,
      project: (m) => m,
    }),
  ),
  codec({
    name: "ANNOUNCE_INIT",
    versions: ["moq-lite-01", "moq-lite-02"],
    encode: W.encodeAnnounceInit,
    decode: W.decodeAnnounceInit,
    arbitrary: arbs.announceInit,
    project: (m) => m,
  }),
  codec({
    name: "SUBSCRIBE",
    versions: ALL_VERSIONS,
    encode: W.encodeSubscribe,
    decode: W.decodeSubscribe,
    arbitrary: arbs.subscribe,
    project: projectSubscribeLike,
  }),
  codec({
    name: "SUBSCRIBE_UPDATE",
    versions: ALL_VERSIONS,
    encode: W.encodeSubscribeUpdate,
    decode: W.decodeSubscribeUpdate,
    arbitrary: arbs.subscribeUpdate,
    project: projectSubscribeLike,
  }),
  codec({
    name: "SUBSCRIBE_OK",
    versions: ["moq-lite-01", "moq-lite-02", "moq-lite-03", "moq-lite-04"],
    framing: typedFrom03,
    encode: W.encodeSubscribeOk,
    decode: W.decodeSubscribeOk,
    arbitrary: arbs.subscribeOk,
    project: (m: W.SubscribeOk, v) =>
      v === "moq-lite-02" ? { priority: 0, ...legacyRest } : projectSubscribeLike(m, v),
  }),
  codec({
    name: "SUBSCRIBE_DROP",
    versions: ["moq-lite-03", "moq-lite-04", "moq-lite-05"],
    framing: typedFrom03,
    encode: W.encodeSubscribeDrop,
    decode: W.decodeSubscribeDrop,
    arbitrary: arbs.subscribeDrop,
    project: (m) => m,
  }),
  codec({
    name: "GROUP",
    versions: ALL_VERSIONS,
    encode: W.encodeGroupHeader,
    decode: W.decodeGroupHeader,
    arbitrary: arbs.groupHeader,
    project: (m) => m,
  }),
  codec({
    name: "FETCH",
    versions: ["moq-lite-03", "moq-lite-04", "moq-lite-05", "moq-lite-06"],
    encode: W.encodeFetch,
    decode: W.decodeFetch,
    arbitrary: arbs.fetch,
    project: (m) => m,
  }),
  codec({
    name: "PROBE",
    versions: ["moq-lite-03", "moq-lite-04", "moq-lite-05"],
    encode: W.encodeProbe,
    decode: W.decodeProbe,
    arbitrary: arbs.probe,
    project: (m: W.Probe, v) => (atLeast(v, "moq-lite-04") ? m : { ...m, rttMs: 0 }),
  }),
  codec({
    name: "GOAWAY",
    versions: ["moq-lite-04", "moq-lite-05"],
    encode: W.encodeGoaway,
    decode: W.decodeGoaway,
    arbitrary: arbs.goaway,
    project: (m) => m,
  }),
  codec({
    name: "CLIENT_SETUP",
    versions: ["moq-lite-01", "moq-lite-02"],
    framing: () => "u16",
    encode: (m: W.ClientSetup) => W.encodeClientSetup(m),
    decode: (b, _v, l) => W.decodeClientSetup(b, l),
    arbitrary: clientSetupArb,
    project: (m) => m,
  }),
  codec({
    name: "SERVER_SETUP",
    versions: ["moq-lite-01", "moq-lite-02"],
    framing: () => "u16",
    encode: (m: W.ServerSetup) => W.encodeServerSetup(m),
    decode: (b, _v, l) => W.decodeServerSetup(b, l),
    arbitrary: serverSetupArb,
    project: (m) => m,
  }),
  codec({
    name: "SETUP (stream)",
    versions: FROM_05,
    encode: W.encodeSessionSetup,
    decode: W.decodeSessionSetup,
    arbitrary: arbs.sessionSetup,
    project: (m) => ({ ...m, unknown: new Map() }),
  }),
  codec({
    name: "ANNOUNCE_OK",
    versions: FROM_05,
    encode: W.encodeAnnounceOk,
    decode: W.decodeAnnounceOk,
    arbitrary: arbs.announceOk,
    project: (m) => m,
  }),
  codec({
    name: "TRACK",
    versions: FROM_05,
    encode: W.encodeTrackRequest,
    decode: W.decodeTrackRequest,
    arbitrary: arbs.trackRequest,
    project: (m) => m,
  }),
  codec({
    name: "TRACK_INFO",
    versions: FROM_05,
    encode: W.encodeTrackInfo,
    decode: W.decodeTrackInfo,
    arbitrary: arbs.trackInfo,
    project: (m: W.TrackInfo, v) => (atLeast(v, "moq-lite-06") ? { ...m, ordered: false } : m),
  }),
  codec({
    name: "SUBSCRIBE_START",
    versions: FROM_05,
    framing: () => "typed",
    encode: (m: { group: number }, v) => W.encodeSubscribeStart(m.group, v),
    decode: (b, v, l) => W.decodeSubscribeResponse(W.SubscribeResponseType05.Start, b, v, l),
    arbitrary: fc.record({ group: varintNumber }),
    project: (m: { group: number }) => ({ type: "start", group: m.group }),
  }),
  codec({
    name: "SUBSCRIBE_END",
    versions: FROM_05,
    framing: () => "typed",
    encode: (m: { group: number }, v) => W.encodeSubscribeEnd(m.group, v),
    decode: (b, v, l) => W.decodeSubscribeResponse(W.SubscribeResponseType05.End, b, v, l),
    arbitrary: fc.record({ group: varintNumber }),
    project: (m: { group: number }) => ({ type: "end", group: m.group }),
  }),
  codec({
    name: "SESSION_UPDATE",
    versions: ["moq-lite-01", "moq-lite-02"],
    encode: W.encodeSessionUpdate,
    decode: W.decodeSessionUpdate,
    arbitrary: fc.record({ bitrate: varintNumber }),
    project: (m) => m,
  }),
];

/** Every (codec, version) pair the protocol defines. */
export const CASES: readonly { codec: Codec; version: Version }[] = CODECS.flatMap((codec) =>
  codec.versions.map((version) => ({ codec, version })),
);

/**
 * Check a spec vector: `msg` encodes to exactly `bytes` in version v, and `bytes` decodes to
 * `decoded` (defaults to msg). Returns nothing; fails through expect.
 */
export function checkVector<T>(
  encode: (m: T, v: Version) => Uint8Array,
  decode: (body: Uint8Array, v: Version) => unknown,
  v: Version,
  msg: T,
  bytes: string,
  options: { decoded?: unknown; framing?: Framing; expectType?: number } = {},
): void {
  expect(toHex(encode(msg, v))).toBe(toHex(hex(bytes)));
  const { type, body } = split(hex(bytes), options.framing ?? "length");
  if (options.expectType !== undefined) expect(type).toBe(options.expectType);
  expect(decode(body, v)).toEqual(options.decoded ?? msg);
}
