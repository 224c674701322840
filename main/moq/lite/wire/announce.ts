import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import { decodeSince, decodeUntil, encodeSince, encodeUntil, readCount, writeUint } from "./fields.ts";
import type { Path } from "../../model/path.ts";
import { decodePath, writePath } from "./path.ts";
import { versionAtLeast, type Version } from "./version.ts";

// Discovery on an Announce stream (spec §6, §13.3).

/**
 * First message on an Announce stream: ANNOUNCE_PLEASE (01–03) / ANNOUNCE_INTEREST (04+).
 * Only 04 and 05 carry `excludeHop`; other versions decode it as 0 and never write it (06 says
 * who the subscriber is once per session, in SETUP's Hop parameter).
 */
export interface AnnounceInterest {
  readonly prefix: Path;
  /** Hop id whose broadcasts the responder should leave out; 0 = no filtering. */
  readonly excludeHop: number;
}

/**
 * One announcement, relative to the requested prefix.
 * `hops`: 04 sends the hop ids (origin first); 03 sends only a count, decoded as that many 0
 * ("unknown") ids; 01/02 send no hops at all, decoded as [].
 */
export interface Announce {
  readonly active: boolean;
  readonly suffix: Path;
  readonly hops: readonly number[];
  /**
   * 05: an `active` that replaces the current advertisement of an active path (a re-route or a
   * restart). Sent as a second `active` (status 1); status 2 says so explicitly and is accepted.
   */
  readonly restart?: boolean;
}

/**
 * 05+: the first message of every announce response. `hop` is the responder's own hop id (0 =
 * none given), which 05 leaves out of each announcement's hop list; `activeCount` is how many
 * `active` announcements form the initial set that follows at once.
 */
export interface AnnounceOk {
  readonly hop: number;
  readonly activeCount: number;
}

export function encodeAnnounceOk(msg: AnnounceOk, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-05", "ANNOUNCE_OK");
  return encodeMessage((w) => {
    writeUint(w, msg.hop, "responder hop id");
    writeUint(w, msg.activeCount, "active count");
  });
}

export function decodeAnnounceOk(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): AnnounceOk {
  decodeSince(version, "moq-lite-05", "ANNOUNCE_OK");
  return decodeBody(body, "ANNOUNCE_OK", (r) => {
    const hop = r.varint("responder hop id");
    const activeCount = r.varint("active count");
    return { hop, activeCount };
  });
}

/** 01/02 only: the mandatory first response, the set of currently active suffixes. */
export interface AnnounceInit {
  readonly suffixes: readonly Path[];
}

function carriesExcludeHop(version: Version): boolean {
  return version === "moq-lite-04" || version === "moq-lite-05";
}

export function encodeAnnounceInterest(msg: AnnounceInterest, version: Version): Uint8Array {
  return encodeMessage((w) => {
    writePath(w, msg.prefix);
    if (carriesExcludeHop(version)) writeUint(w, msg.excludeHop, "exclude hop");
  });
}

export function decodeAnnounceInterest(
  body: Uint8Array,
  version: Version,
  _limits: Limits = DEFAULT_LIMITS,
): AnnounceInterest {
  return decodeBody(body, "ANNOUNCE_INTEREST", (r) => {
    const prefix = decodePath(r, "announce prefix");
    const excludeHop = carriesExcludeHop(version) ? r.varint("exclude hop") : 0;
    return { prefix, excludeHop };
  });
}

/** The untyped ANNOUNCE of 01–05 (06 has typed messages instead: announce-06.ts). */
export function encodeAnnounce(msg: Announce, version: Version): Uint8Array {
  encodeUntil(version, "moq-lite-05", "ANNOUNCE (untyped)");
  return encodeMessage((w) => {
    w.bool(msg.active);
    writePath(w, msg.suffix);
    if (versionAtLeast(version, "moq-lite-04")) {
      w.varint(msg.hops.length);
      for (const hop of msg.hops) writeUint(w, hop, "hop id");
    } else if (versionAtLeast(version, "moq-lite-03")) {
      w.varint(msg.hops.length);
    }
  });
}

export function decodeAnnounce(body: Uint8Array, version: Version, limits: Limits = DEFAULT_LIMITS): Announce {
  decodeUntil(version, "moq-lite-05", "ANNOUNCE (untyped)");
  return decodeBody(body, "ANNOUNCE", (r) => {
    let active: boolean;
    let restart = false;
    if (versionAtLeast(version, "moq-lite-05")) {
      const status = r.u8("announce status");
      if (status > 2) throw new DecodeError(`announce status ${status} is not 0 (ended), 1 (active) or 2 (restart)`);
      active = status !== 0;
      restart = status === 2;
    } else {
      active = r.bool("announce status");
    }
    const suffix = decodePath(r, "announce suffix");
    let hops: number[] = [];
    if (versionAtLeast(version, "moq-lite-04")) {
      const n = readCount(r, "hop count", limits.maxHops);
      hops = new Array<number>(n);
      for (let i = 0; i < n; i++) hops[i] = r.varint("hop id");
    } else if (versionAtLeast(version, "moq-lite-03")) {
      // 03 carries only the distance; no bytes follow the count, so only the limit bounds it.
      const n = r.varint("hop count");
      if (n > limits.maxHops) throw new DecodeError(`hop count ${n} exceeds the limit of ${limits.maxHops}`);
      hops = new Array<number>(n).fill(0);
    }
    return restart ? { active, suffix, hops, restart } : { active, suffix, hops };
  });
}

export function encodeAnnounceInit(msg: AnnounceInit, version: Version): Uint8Array {
  encodeUntil(version, "moq-lite-02", "ANNOUNCE_INIT");
  return encodeMessage((w) => {
    w.varint(msg.suffixes.length);
    for (const s of msg.suffixes) writePath(w, s);
  });
}

export function decodeAnnounceInit(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): AnnounceInit {
  decodeUntil(version, "moq-lite-02", "ANNOUNCE_INIT");
  return decodeBody(body, "ANNOUNCE_INIT", (r) => {
    // Each suffix takes at least its length byte, so the body length bounds the count.
    const n = readCount(r, "suffix count", Number.MAX_SAFE_INTEGER);
    const suffixes = new Array<Path>(n);
    for (let i = 0; i < n; i++) suffixes[i] = decodePath(r, "announce suffix");
    return { suffixes };
  });
}
