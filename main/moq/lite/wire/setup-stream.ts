import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { readVarintBigAt, varintLength } from "../../coding/varint.ts";
import { encodeMessage, Writer } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import { decodeSince, encodeSince, readCount, writeUint } from "./fields.ts";
import type { Version } from "./version.ts";

// The 05+ SETUP message (spec §14.2): the one message on each side's Setup stream (uni, type 0x1).
// `Length (i) | Count (i) | (Id (i) | Length (i) | Value (b)) × Count`. Capabilities, not a
// negotiation: the two sides' SETUPs are independent. Unknown ids are skipped, a repeated id is
// an error, order carries no meaning (we write ids in ascending order). Integer values are
// themselves varints inside the value bytes.

export const SetupParameter = {
  Probe: 0x1,
  /** Client only, on bindings without a request URI (raw QUIC, QMux over TCP). */
  Path: 0x2,
  /** Client only: what the session is for. */
  Role: 0x3,
  /** 06: what pulling a broadcast from the sender costs; a receiver adds it to each route's cost. */
  Cost: 0x4,
  /** 06: the sender's hop id for the whole session (a relay leaves out routes through it). */
  Hop: 0x5,
} as const;

/** What an endpoint can do about bandwidth probing (spec §10.2); higher includes lower. */
export type ProbeLevel = 0 | 1 | 2;
export const ProbeLevelName: Readonly<Record<ProbeLevel, string>> = { 0: "none", 1: "report", 2: "increase" };

/** 0: publish and subscribe (the default), 1: publisher only, 2: subscriber only. */
export type SetupRole = 0 | 1 | 2;

export interface SessionSetup {
  /** 0 when absent. An unknown (future) level reads as the highest we know. */
  readonly probe: ProbeLevel;
  readonly path?: string | undefined;
  /** 0 when absent. An unknown value reads as 0. */
  readonly role: SetupRole;
  /** The link cost the sender asks for; undefined when absent (a receiver then charges 1). */
  readonly cost?: number | undefined;
  /** The sender's hop id; undefined when absent or 0. */
  readonly hop?: number | undefined;
  /** Parameters we do not interpret, by id, kept so a trace can show them. */
  readonly unknown: ReadonlyMap<number, Uint8Array>;
}

/** At most this many parameters (as the reference implementations). */
export const MAX_SETUP_PARAMETERS = 64;

export function encodeSessionSetup(msg: Omit<SessionSetup, "unknown">, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-05", "SETUP (stream)");
  const params: [number, Uint8Array][] = [];
  if (msg.probe !== 0) params.push([SetupParameter.Probe, varintValue(msg.probe, "probe level")]);
  if (msg.path !== undefined) params.push([SetupParameter.Path, new TextEncoder().encode(msg.path)]);
  if (msg.role !== 0) params.push([SetupParameter.Role, varintValue(msg.role, "role")]);
  if (msg.cost !== undefined) params.push([SetupParameter.Cost, varintValue(msg.cost, "cost")]);
  if (msg.hop) params.push([SetupParameter.Hop, varintValue(msg.hop, "hop id")]);
  return encodeMessage((w) => {
    w.varint(params.length);
    for (const [id, value] of params) {
      w.varint(id);
      w.bytes(value);
    }
  });
}

export function decodeSessionSetup(body: Uint8Array, version: Version, limits: Limits = DEFAULT_LIMITS): SessionSetup {
  decodeSince(version, "moq-lite-05", "SETUP (stream)");
  return decodeBody(body, "SETUP", (r) => {
    // An id and a length: two bytes at least per parameter.
    const count = readCount(r, "setup parameter count", Math.min(limits.maxSetupEntries, MAX_SETUP_PARAMETERS), 2);
    const values = new Map<number, Uint8Array>();
    for (let i = 0; i < count; i++) {
      const id = r.varint("setup parameter id");
      if (values.has(id)) throw new DecodeError(`setup parameter 0x${id.toString(16)} appears twice`);
      values.set(id, r.bytes("setup parameter value"));
    }
    // Values are u62 on the wire. Past 2^53 a level or role is just one we do not know, and a cost
    // saturates (as a 06 announcement's does); a hop id must stay exact, so that one is refused.
    const probe = values.has(SetupParameter.Probe) ? probeLevel(intValue(values, SetupParameter.Probe, "probe")) : 0;
    const pathBytes = values.get(SetupParameter.Path);
    const path = pathBytes === undefined ? undefined : utf8(pathBytes);
    const roleCode = values.has(SetupParameter.Role) ? intValue(values, SetupParameter.Role, "role") : 0n;
    const role: SetupRole = roleCode === 1n ? 1 : roleCode === 2n ? 2 : 0;
    const costValue = values.has(SetupParameter.Cost) ? intValue(values, SetupParameter.Cost, "cost") : undefined;
    const cost = costValue === undefined ? undefined : Number(costValue > MAX_EXACT ? MAX_EXACT : costValue);
    const hopValue = values.has(SetupParameter.Hop) ? intValue(values, SetupParameter.Hop, "hop") : undefined;
    if (hopValue !== undefined && hopValue > MAX_EXACT)
      throw new DecodeError(`setup parameter hop ${hopValue} is beyond 2^53, which no hop id here can be`);
    const hop = hopValue ? Number(hopValue) : undefined;
    for (const id of Object.values(SetupParameter)) values.delete(id);
    const out: SessionSetup = { probe, path, role, unknown: values };
    return cost === undefined && hop === undefined ? out : { ...out, cost, hop };
  });
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function probeLevel(code: bigint): ProbeLevel {
  return code === 0n ? 0 : code === 1n ? 1 : 2;
}

function varintValue(v: number, what: string): Uint8Array {
  const w = new Writer();
  writeUint(w, v, what);
  return w.finish();
}

/** A parameter whose value is one varint and nothing else, in its full 62-bit range. */
function intValue(values: Map<number, Uint8Array>, id: number, what: string): bigint {
  const bytes = values.get(id)!;
  if (bytes.byteLength === 0 || varintLength(bytes[0]!) !== bytes.byteLength) {
    throw new DecodeError(`setup parameter ${what} must hold exactly one varint (got ${bytes.byteLength} bytes)`);
  }
  return readVarintBigAt(bytes, 0);
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DecodeError("setup parameter path is not valid UTF-8");
  }
}
