import type { BytesReader } from "../../coding/bytes-reader.ts";
import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { Writer } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import type { Path } from "../../model/path.ts";
import { decodeSince, encodeSince, readCount, writeUint } from "./fields.ts";
import { decodePath, writePath } from "./path.ts";
import type { Version } from "./version.ts";

// 06's announcements (spec §14.8): typed messages `Type (i) | Length (i) | body` after
// ANNOUNCE_OK. Each START takes the stream's next announce id (0, 1, …) without carrying it;
// END and RESTART name that id. START and RESTART carry the route's cost next to its hop chain.

/**
 * What pulling a broadcast through a route costs, summed over its links: `warm` as it is today,
 * `cold` with no discounts. Values saturate at 2^62-1, which we hold as Infinity.
 */
export interface RouteCost {
  readonly warm: number;
  readonly cold: number;
}

/** A live publisher's own route. */
export const ZERO_COST: RouteCost = Object.freeze({ warm: 0, cold: 0 });

export const AnnounceType06 = { Start: 0, End: 1, Restart: 2 } as const;

export type Announce06 =
  | { readonly kind: "start"; readonly suffix: Path; readonly hops: readonly number[]; readonly cost: RouteCost }
  | { readonly kind: "end"; readonly id: number }
  | { readonly kind: "restart"; readonly id: number; readonly hops: readonly number[]; readonly cost: RouteCost }
  /** A type this version does not define: skipped whole, and it takes no id. */
  | { readonly kind: "unknown"; readonly type: number };

const COST_MAX = (1n << 62n) - 1n;

/** Add a link's cost to a route's, saturating. */
export function chargeCost(cost: RouteCost, link: number): RouteCost {
  return { warm: cost.warm + link, cold: cost.cold + link };
}

function writeCostPart(w: Writer, v: number, what: string): void {
  if (v === Infinity || v > Number.MAX_SAFE_INTEGER) w.varint(COST_MAX);
  else writeUint(w, v, what);
}

function readCostPart(r: BytesReader, what: string): number {
  const v = r.varintBig(what);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}

function writeHops(w: Writer, hops: readonly number[]): void {
  w.varint(hops.length);
  for (const hop of hops) writeUint(w, hop, "hop id");
}

function readHops(r: BytesReader, limits: Limits): number[] {
  const n = readCount(r, "hop count", limits.maxHops);
  const hops = new Array<number>(n);
  for (let i = 0; i < n; i++) hops[i] = r.varint("hop id");
  checkHopChain(hops);
  return hops;
}

/** The whole message, type and length included. */
export function encodeAnnounce06(msg: Announce06, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-06", "a typed announcement");
  const w = new Writer();
  switch (msg.kind) {
    case "start":
      w.varint(AnnounceType06.Start).message((b) => {
        writePath(b, msg.suffix);
        writeHops(b, msg.hops);
        writeCostPart(b, msg.cost.warm, "warm cost");
        writeCostPart(b, msg.cost.cold, "cold cost");
      });
      break;
    case "end":
      w.varint(AnnounceType06.End).message((b) => writeUint(b, msg.id, "announce id"));
      break;
    case "restart":
      w.varint(AnnounceType06.Restart).message((b) => {
        writeUint(b, msg.id, "announce id");
        writeHops(b, msg.hops);
        writeCostPart(b, msg.cost.warm, "warm cost");
        writeCostPart(b, msg.cost.cold, "cold cost");
      });
      break;
    case "unknown":
      throw new RangeError(`announce type ${msg.type} is not ours to send`);
  }
  return w.finish();
}

/** The body of a message whose type and length the caller read. */
export function decodeAnnounce06(
  type: number,
  body: Uint8Array,
  version: Version,
  limits: Limits = DEFAULT_LIMITS,
): Announce06 {
  decodeSince(version, "moq-lite-06", "a typed announcement");
  switch (type) {
    case AnnounceType06.Start:
      return decodeBody(body, "ANNOUNCE_START", (r) => {
        const suffix = decodePath(r, "announce suffix");
        const hops = readHops(r, limits);
        const cost = { warm: readCostPart(r, "warm cost"), cold: readCostPart(r, "cold cost") };
        return { kind: "start" as const, suffix, hops, cost };
      });
    case AnnounceType06.End:
      return decodeBody(body, "ANNOUNCE_END", (r) => ({ kind: "end" as const, id: r.varint("announce id") }));
    case AnnounceType06.Restart:
      return decodeBody(body, "ANNOUNCE_RESTART", (r) => {
        const id = r.varint("announce id");
        const hops = readHops(r, limits);
        const cost = { warm: readCostPart(r, "warm cost"), cold: readCostPart(r, "cold cost") };
        return { kind: "restart" as const, id, hops, cost };
      });
    default:
      return { kind: "unknown", type };
  }
}

/** Hop ids other than 0 ("anonymous") appear once in a chain. */
export function checkHopChain(hops: readonly number[]): void {
  const seen = new Set<number>();
  for (const hop of hops) {
    if (hop === 0) continue;
    if (seen.has(hop)) throw new DecodeError(`hop ${hop} appears twice in an announcement's chain`);
    seen.add(hop);
  }
}
