// What drives an observation. A live connection turns everything it learns (session events, frames
// read with their payloads, announcements, stats samples, state changes, catalogs) into these
// records and feeds them to its observation, and to the recorder when recording; a replay feeds
// the same records read back from a file into a fresh observation, so both show the same views.

import { z } from "zod";
import type { ConnectionStatus, TransportKind } from "../../ipc/contract.ts";

export type Scalar = string | number | boolean | null;

export type ObservationRecord =
  /** The connection's state changed (a new session is established at "connected"). */
  | {
      t: "state";
      at: number;
      status: ConnectionStatus;
      version: string | null;
      transport: TransportKind | null;
      error: string | null;
      /** At "connected": why the transports tried first were passed over ("HTTP/3: …"). */
      fallback?: string[];
    }
  /** A session event, with its message fields already made scalar (records.ts#eventRecord). */
  | {
      t: "event";
      at: number;
      type: string;
      stream: number | null;
      direction: "sent" | "received" | "local";
      name: string | null;
      fields: Record<string, Scalar>;
      bytes: number;
    }
  /** A broadcast announced or ended under the watched prefix; `hopIds`: the hops are ids (04), not a count (03). */
  | { t: "announce"; at: number; path: string; active: boolean; hops: number[]; hopIds: boolean; cost?: number }
  /**
   * A track the user subscribed to (again, after a reconnect). A recording that starts while the
   * track is already subscribed also names the session's subscription id and stream.
   */
  | {
      t: "subscribe";
      at: number;
      track: string;
      broadcast: string;
      name: string;
      subscribeId?: number | null;
      stream?: number | null;
      /** 05+: what TRACK_INFO said, when it came before the recording started. */
      info?: { timescale: number; maxAgeMs: number; priority: number };
    }
  | { t: "unsubscribe"; at: number; track: string }
  /** The subscription ended: cleanly, or with an error (its code and name in words). */
  | { t: "track-end"; at: number; track: string; failed: boolean; error: string | null }
  /** A frame read from a subscribed track: its size and (capped) payload. */
  | {
      t: "frame";
      at: number;
      track: string;
      sequence: number;
      index: number;
      size: number;
      payload: Uint8Array;
      /** moq-lite-05+: the frame's wire timestamp and its track's timescale. */
      timestamp?: number;
      timescale?: number;
    }
  /** A broadcast's hang catalog (its JSON text), or why it could not be read. */
  | { t: "catalog"; at: number; broadcast: string; json: string | null; error: string | null }
  /** The bitrate probe's state. */
  | {
      t: "probe";
      at: number;
      state: "off" | "waiting" | "reporting" | "unsupported";
      note: string | null;
      bitrate: number | null;
    }
  /** Once a second while connected: the session's counters. Also the observation's clock tick. */
  | {
      t: "stats";
      at: number;
      rttMs: number | null;
      rttLatestMs: number | null;
      bytesSent: number;
      bytesReceived: number;
      sendBitrate: number;
      recvBitrate: number;
      probeBitrate: number | null;
    };

export type RecordType = ObservationRecord["t"];
export type RecordOf<T extends RecordType> = Extract<ObservationRecord, { t: T }>;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const status = z.enum(["idle", "connecting", "connected", "reconnecting", "closed", "failed"]);
const transport = z.enum(["websocket", "webtransport-h2", "webtransport-h3"]);
const time = z.number().finite();
const count = z.number().int().nonnegative();
const base64Bytes = z
  .string()
  .base64()
  .transform((s) => new Uint8Array(Buffer.from(s, "base64")));

/** Records as they are stored (payloads as base64), validated when a recording is read back. */
export const recordSchema = z.discriminatedUnion("t", [
  z.object({
    t: z.literal("state"),
    at: time,
    status,
    version: z.string().nullable(),
    transport: transport.nullable(),
    error: z.string().nullable(),
    fallback: z.array(z.string().max(2000)).max(8).optional(),
  }),
  z.object({
    t: z.literal("event"),
    at: time,
    type: z.string(),
    stream: count.nullable(),
    direction: z.enum(["sent", "received", "local"]),
    name: z.string().nullable(),
    fields: z.record(z.string(), scalar),
    bytes: count,
  }),
  z.object({
    t: z.literal("announce"),
    at: time,
    path: z.string(),
    active: z.boolean(),
    hops: z.array(count),
    hopIds: z.boolean(),
    cost: count.optional(),
  }),
  z.object({
    t: z.literal("subscribe"),
    at: time,
    track: z.string(),
    broadcast: z.string(),
    name: z.string(),
    subscribeId: count.nullable().optional(),
    stream: count.nullable().optional(),
    info: z
      .object({ timescale: z.number().int().positive(), maxAgeMs: count, priority: z.number().int().min(0).max(255) })
      .optional(),
  }),
  z.object({ t: z.literal("unsubscribe"), at: time, track: z.string() }),
  z.object({
    t: z.literal("track-end"),
    at: time,
    track: z.string(),
    failed: z.boolean(),
    error: z.string().nullable(),
  }),
  z.object({
    t: z.literal("frame"),
    at: time,
    track: z.string(),
    sequence: count,
    index: count,
    size: count,
    payload: base64Bytes,
    timestamp: z.number().int().optional(),
    timescale: z.number().int().positive().optional(),
  }),
  z.object({
    t: z.literal("catalog"),
    at: time,
    broadcast: z.string(),
    json: z.string().nullable(),
    error: z.string().nullable(),
  }),
  z.object({
    t: z.literal("probe"),
    at: time,
    state: z.enum(["off", "waiting", "reporting", "unsupported"]),
    note: z.string().nullable(),
    bitrate: z.number().nonnegative().nullable(),
  }),
  z.object({
    t: z.literal("stats"),
    at: time,
    rttMs: z.number().nonnegative().nullable(),
    rttLatestMs: z.number().nonnegative().nullable(),
    bytesSent: count,
    bytesReceived: count,
    sendBitrate: z.number().nonnegative(),
    recvBitrate: z.number().nonnegative(),
    probeBitrate: z.number().nonnegative().nullable(),
  }),
]);

/** A record as one JSON line holds it: the payload in base64. */
export type StoredRecord = { t: string; at: number } & Record<string, unknown>;

export function toStored(record: ObservationRecord): StoredRecord {
  if (record.t !== "frame") return record;
  return { ...record, payload: Buffer.from(record.payload).toString("base64") };
}

/** A stored record checked and turned back; throws a readable message naming the problem. */
export function fromStored(value: unknown): ObservationRecord {
  const parsed = recordSchema.safeParse(value);
  if (parsed.success) return parsed.data as ObservationRecord;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new Error(`not an observation record${where}: ${issue?.message ?? "invalid"}`);
}

/** The record types an observation reads; a recording may hold others (the file layer's), skipped. */
export const RECORD_TYPES: ReadonlySet<string> = new Set<RecordType>([
  "state",
  "event",
  "announce",
  "subscribe",
  "unsubscribe",
  "track-end",
  "frame",
  "catalog",
  "probe",
  "stats",
]);
