import { decodeBody, type BytesReader } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage, Writer } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import {
  decodeSince,
  encodeSince,
  encodeUntil,
  readOptionalGroup,
  writeOptionalGroup,
  writeU8,
  writeUint,
} from "./fields.ts";
import type { Path } from "../../model/path.ts";
import { decodePath, writePath } from "./path.ts";
import { versionAtLeast, type Version } from "./version.ts";

// The Subscribe stream (spec §7, §13.3). 01/02 carry only id/path/track/priority; the extra
// fields decode as their defaults there (ordered false, latency 0, no range) and are not written.

/** The preferences both sides state: in SUBSCRIBE, SUBSCRIBE_UPDATE and SUBSCRIBE_OK alike. */
export interface SubscriptionParams {
  /** u8, higher = more important. */
  readonly priority: number;
  /** true: older groups first; false: newest first (live). */
  readonly ordered: boolean;
  readonly maxLatencyMs: number;
  /** undefined = the latest group (in SUBSCRIBE_OK: not known yet). */
  readonly startGroup?: number | undefined;
  /** Inclusive; undefined = unbounded. */
  readonly endGroup?: number | undefined;
  /** 06+: the first frame wanted within the start group (0 = the whole group). */
  readonly startFrame?: number | undefined;
  /** 06+: the last frame wanted within the end group (inclusive); undefined = to its end. */
  readonly endFrame?: number | undefined;
}

/** First message on a Subscribe stream. */
export interface Subscribe extends SubscriptionParams {
  readonly id: number;
  readonly broadcast: Path;
  readonly track: string;
}

/** Sent by the subscriber after SUBSCRIBE; 01/02 carry the priority only. */
export type SubscribeUpdate = SubscriptionParams;

/** Publisher's answer. 01: priority only; 02: empty body (decodes as priority 0); 03/04: all fields. */
export type SubscribeOk = SubscriptionParams;

/** 03/04: groups startGroup..endGroup (inclusive, plain numbers) will never be delivered. */
export interface SubscribeDrop {
  readonly startGroup: number;
  readonly endGroup: number;
  /** 0 = simply unavailable. */
  readonly errorCode: number;
}

/** The `Type (i)` that precedes each subscribe response in 03/04. */
export const SubscribeResponseType = { Ok: 0, Drop: 1 } as const;

/**
 * 05+ (spec §14.5): SUBSCRIBE_OK is gone. Acceptance is implicit; START names the first group
 * that will be delivered, END the first that never will (exclusive), DROP a range given up.
 */
export const SubscribeResponseType05 = { Start: 0, End: 1, Drop: 2 } as const;

export type SubscribeResponse =
  | { readonly type: "ok"; readonly ok: SubscribeOk }
  | { readonly type: "drop"; readonly drop: SubscribeDrop }
  | { readonly type: "start"; readonly group: number }
  | { readonly type: "end"; readonly group: number };

/** Whether subscribe responses carry a `Type (i)` prefix in this version. */
export function subscribeResponsesTyped(version: Version): boolean {
  return versionAtLeast(version, "moq-lite-03");
}

/**
 * 06 (spec §14.8): the Ordered byte is gone, Group Start is the plain lowest group wanted (0 with
 * frame 0 reads as "no floor": the publisher starts where the subscriber's max age reaches), and
 * frame bounds follow the group range.
 */
function framed(version: Version): boolean {
  return versionAtLeast(version, "moq-lite-06");
}

function writeFull(w: Writer, m: SubscribeUpdate, who: string, version: Version): void {
  writeU8(w, m.priority, `${who} priority`);
  if (!framed(version)) w.bool(m.ordered);
  writeUint(w, m.maxLatencyMs, `${who} max latency`);
  if (framed(version)) writeUint(w, m.startGroup ?? 0, "start group");
  else writeOptionalGroup(w, m.startGroup, "start group");
  writeOptionalGroup(w, m.endGroup, "end group");
  if (framed(version)) {
    if (m.startFrame && m.startGroup === undefined) throw new RangeError("a start frame needs a start group");
    if (m.endFrame !== undefined && m.endGroup === undefined) throw new RangeError("an end frame needs an end group");
    writeUint(w, m.startFrame ?? 0, "start frame");
    writeOptionalGroup(w, m.endFrame, "end frame");
  } else if (m.startFrame || m.endFrame !== undefined) {
    throw new RangeError(`frame bounds do not exist in ${version} (needs moq-lite-06 or later)`);
  }
}

function readFull(r: BytesReader, who: string, version: Version): SubscribeUpdate {
  const priority = r.u8(`${who} priority`);
  const ordered = framed(version) ? false : r.bool(`${who} ordered`);
  const maxLatencyMs = r.varint(`${who} max latency`);
  if (!framed(version)) {
    const startGroup = readOptionalGroup(r, "start group");
    const endGroup = readOptionalGroup(r, "end group");
    return { priority, ordered, maxLatencyMs, startGroup, endGroup };
  }
  const floor = r.varint("start group");
  const endGroup = readOptionalGroup(r, "end group");
  const startFrame = r.varint("start frame");
  const endFrame = readOptionalGroup(r, "end frame");
  if (endFrame !== undefined && endGroup === undefined) throw new DecodeError("an end frame needs an end group");
  const startGroup = floor === 0 && startFrame === 0 ? undefined : floor;
  const out: SubscribeUpdate = { priority, ordered, maxLatencyMs, startGroup, endGroup };
  if (startFrame === 0 && endFrame === undefined) return out;
  return { ...out, startFrame, endFrame };
}

function legacy(priority: number): SubscribeUpdate {
  return { priority, ordered: false, maxLatencyMs: 0, startGroup: undefined, endGroup: undefined };
}

export function encodeSubscribe(msg: Subscribe, version: Version): Uint8Array {
  return encodeMessage((w) => {
    writeUint(w, msg.id, "subscribe id");
    writePath(w, msg.broadcast);
    w.string(msg.track);
    if (versionAtLeast(version, "moq-lite-03")) writeFull(w, msg, "subscriber", version);
    else writeU8(w, msg.priority, "subscriber priority");
  });
}

export function decodeSubscribe(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): Subscribe {
  return decodeBody(body, "SUBSCRIBE", (r) => {
    const id = r.varint("subscribe id");
    const broadcast = decodePath(r, "broadcast path");
    const track = r.string("track name");
    const rest = versionAtLeast(version, "moq-lite-03")
      ? readFull(r, "subscriber", version)
      : legacy(r.u8("subscriber priority"));
    return { id, broadcast, track, ...rest };
  });
}

export function encodeSubscribeUpdate(msg: SubscribeUpdate, version: Version): Uint8Array {
  return encodeMessage((w) => {
    if (versionAtLeast(version, "moq-lite-03")) writeFull(w, msg, "subscriber", version);
    else writeU8(w, msg.priority, "subscriber priority");
  });
}

export function decodeSubscribeUpdate(
  body: Uint8Array,
  version: Version,
  _limits: Limits = DEFAULT_LIMITS,
): SubscribeUpdate {
  return decodeBody(body, "SUBSCRIBE_UPDATE", (r) =>
    versionAtLeast(version, "moq-lite-03") ? readFull(r, "subscriber", version) : legacy(r.u8("subscriber priority")),
  );
}

/** 03/04: `00` + Length + body; 01: Length + priority; 02: `00` (empty body). */
export function encodeSubscribeOk(msg: SubscribeOk, version: Version): Uint8Array {
  if (version === "moq-lite-02") {
    // The body is empty but the priority still has to be sane: it came from our own code.
    if (!Number.isInteger(msg.priority) || msg.priority < 0 || msg.priority > 255)
      throw new RangeError(`publisher priority must be an integer in 0..255, got ${msg.priority}`);
    return encodeMessage(() => {});
  }
  if (version === "moq-lite-01") return encodeMessage((w) => writeU8(w, msg.priority, "publisher priority"));
  encodeUntil(version, "moq-lite-04", "SUBSCRIBE_OK");
  const w = new Writer();
  w.varint(SubscribeResponseType.Ok);
  w.message((b) => writeFull(b, msg, "publisher", version));
  return w.finish();
}

/** The body only: the caller has read the type (03/04) and the length. */
export function decodeSubscribeOk(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): SubscribeOk {
  return decodeBody(body, "SUBSCRIBE_OK", (r) => {
    if (version === "moq-lite-02") return legacy(0);
    if (version === "moq-lite-01") return legacy(r.u8("publisher priority"));
    return readFull(r, "publisher", version);
  });
}

/** 03/04 only: `01` + Length + body. */
export function encodeSubscribeDrop(msg: SubscribeDrop, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-03", "SUBSCRIBE_DROP");
  const w = new Writer();
  w.varint(versionAtLeast(version, "moq-lite-05") ? SubscribeResponseType05.Drop : SubscribeResponseType.Drop);
  w.message((b) => {
    writeUint(b, msg.startGroup, "drop start group");
    writeUint(b, msg.endGroup, "drop end group");
    writeUint(b, msg.errorCode, "drop error code");
  });
  return w.finish();
}

export function decodeSubscribeDrop(
  body: Uint8Array,
  version: Version,
  _limits: Limits = DEFAULT_LIMITS,
): SubscribeDrop {
  decodeSince(version, "moq-lite-03", "SUBSCRIBE_DROP");
  return decodeBody(body, "SUBSCRIBE_DROP", (r) => {
    const startGroup = r.varint("drop start group");
    const endGroup = r.varint("drop end group");
    const errorCode = r.varint("drop error code");
    return { startGroup, endGroup, errorCode };
  });
}

/** 05+: `00` + Length + the first group to be delivered (a plain number). */
export function encodeSubscribeStart(group: number, version: Version): Uint8Array {
  return encodeRangeResponse(SubscribeResponseType05.Start, group, version, "SUBSCRIBE_START");
}

/** 05+: `01` + Length + the first group never delivered (exclusive; 0 = none at all). */
export function encodeSubscribeEnd(group: number, version: Version): Uint8Array {
  return encodeRangeResponse(SubscribeResponseType05.End, group, version, "SUBSCRIBE_END");
}

function encodeRangeResponse(type: number, group: number, version: Version, what: string): Uint8Array {
  encodeSince(version, "moq-lite-05", what);
  const w = new Writer();
  w.varint(type);
  w.message((b) => writeUint(b, group, `${what} group`));
  return w.finish();
}

function decodeRangeResponse(body: Uint8Array, what: string): number {
  return decodeBody(body, what, (r) => r.varint(`${what} group`));
}

/**
 * Dispatch a typed 03/04 or 05 response. In 01/02 every response is a SUBSCRIBE_OK and has no type;
 * pass `undefined` as the type there.
 */
export function decodeSubscribeResponse(
  type: number | undefined,
  body: Uint8Array,
  version: Version,
  limits: Limits = DEFAULT_LIMITS,
): SubscribeResponse {
  if (!subscribeResponsesTyped(version)) {
    if (type !== undefined) throw new DecodeError(`subscribe responses carry no type in ${version}`);
    return { type: "ok", ok: decodeSubscribeOk(body, version, limits) };
  }
  if (type === undefined) throw new DecodeError(`subscribe responses carry a type in ${version}`);
  if (versionAtLeast(version, "moq-lite-05")) {
    switch (type) {
      case SubscribeResponseType05.Start:
        return { type: "start", group: decodeRangeResponse(body, "SUBSCRIBE_START") };
      case SubscribeResponseType05.End:
        return { type: "end", group: decodeRangeResponse(body, "SUBSCRIBE_END") };
      case SubscribeResponseType05.Drop:
        return { type: "drop", drop: decodeSubscribeDrop(body, version, limits) };
      default:
        throw new DecodeError(`unknown subscribe response type ${type}`);
    }
  }
  switch (type) {
    case SubscribeResponseType.Ok:
      return { type: "ok", ok: decodeSubscribeOk(body, version, limits) };
    case SubscribeResponseType.Drop:
      return { type: "drop", drop: decodeSubscribeDrop(body, version, limits) };
    default:
      throw new DecodeError(`unknown subscribe response type ${type}`);
  }
}
