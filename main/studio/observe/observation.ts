// Everything observed about one connection, built from records alone (records.ts): the same
// records give the same views whether they come from a live session or a recording.

import type {
  ConnectionStatus,
  FramePayload,
  FrameMeta,
  MessageDirection,
  PeerSetup,
  TransportKind,
} from "../../ipc/contract.ts";
import { Catalogs } from "./catalogs.ts";
import { Findings } from "./findings.ts";
import { FrameStore } from "./frame-store.ts";
import { CATALOG_TRACK, decodeTimestamp, listNalUnits } from "./hang.ts";
import { MessageLog } from "./messages.ts";
import type { ObservationRecord, RecordOf, Scalar } from "./records.ts";
import { StatsHistory } from "./stats.ts";
import { TrackObserver } from "./tracks.ts";
import { AnnouncementTree } from "./tree.ts";

/** No RTT this long after connecting is worth a note. */
export const RTT_UNKNOWN_AFTER_MS = 5000;
/** A message row's summary is cut here. */
const SUMMARY_CHARS = 160;

export interface ObservedState {
  status: ConnectionStatus;
  version: string | null;
  transport: TransportKind | null;
  /** Why the transports tried before `transport` were passed over; [] when it was the first. */
  fallback: string[];
  error: string | null;
  connectedAt: number | null;
  since: number;
  rttMs: number | null;
  rttLatestMs: number | null;
  probe: { state: "off" | "waiting" | "reporting" | "unsupported"; note: string | null; bitrate: number | null };
  /** moq-lite-05+: what the peer's SETUP said about itself. */
  peer: PeerSetup | null;
}

export class Observation {
  readonly tree = new AnnouncementTree();
  readonly findings = new Findings();
  readonly catalogs = new Catalogs();
  readonly tracks = new TrackObserver(this.findings, (b, t) => this.catalogs.rendition(b, t));
  readonly stats = new StatsHistory();
  readonly messages = new MessageLog();
  readonly state: ObservedState = {
    status: "idle",
    version: null,
    transport: null,
    fallback: [],
    error: null,
    connectedAt: null,
    since: Date.now(),
    rttMs: null,
    rttLatestMs: null,
    probe: { state: "off", note: null, bitrate: null },
    peer: null,
  };
  /** The time of the latest record: the observation's clock (a replay's too). */
  now = 0;
  #rttNoted = false;
  readonly #stateListeners = new Set<() => void>();

  /** Called after each record that changed `state`. */
  onState(fn: () => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  apply(record: ObservationRecord): void {
    this.now = Math.max(this.now, record.at);
    switch (record.t) {
      case "state":
        return this.#onStateRecord(record);
      case "event":
        return this.#onEvent(record);
      case "announce":
        return this.tree.apply(record);
      case "subscribe":
        this.catalogs.ensure(record.broadcast);
        return this.tracks.subscribed(record);
      case "unsubscribe":
        return this.tracks.unsubscribed(record);
      case "track-end":
        return this.tracks.ended(record);
      case "frame":
        return this.#onFrame(record);
      case "catalog":
        this.catalogs.apply(record);
        return this.tracks.catalogChanged(record.broadcast);
      case "probe":
        return this.#onProbe(record);
      case "stats":
        return this.#onStats(record);
    }
  }

  #onStateRecord(r: RecordOf<"state">): void {
    const s = this.state;
    const wasConnected = s.status === "connected";
    s.status = r.status;
    s.since = r.at;
    s.error = r.error;
    if (r.status === "connected") {
      s.version = r.version;
      s.transport = r.transport;
      s.fallback = r.fallback ?? [];
      s.connectedAt = r.at;
      s.probe = { state: "off", note: null, bitrate: null };
      s.peer = null;
      this.#rttNoted = false;
      this.tracks.restart(r.at);
      this.stats.restart();
    } else if (wasConnected) {
      this.tree.endAll(r.at);
      this.tracks.restart(r.at, r.status === "reconnecting" ? "subscribing" : "ended");
    }
    if ((r.status === "reconnecting" || r.status === "failed") && r.error) {
      this.findings.raise({
        kind: "connection",
        severity: r.status === "failed" ? "error" : "warning",
        subject: "connection",
        text: r.status === "failed" ? `connection failed: ${r.error}` : `connection lost, reconnecting: ${r.error}`,
        at: r.at,
      });
    }
    this.messages.add({
      at: r.at,
      direction: "local",
      stream: null,
      type: r.status,
      summary: [r.version, r.transport, r.error].filter(Boolean).join(" · ").slice(0, SUMMARY_CHARS),
      fields: { status: r.status, version: r.version, transport: r.transport, error: r.error },
      bytes: 0,
      broadcast: null,
      track: null,
      sequence: null,
    });
    this.#changed();
  }

  #onEvent(e: RecordOf<"event">): void {
    const f = e.fields;
    if (e.type === "stream-opened") this.stats.streams++;
    if (e.type === "stream-ended" && f.how === "reset") this.stats.resets++;
    if (e.type === "frame" && e.direction === "received" && typeof f.size === "number") this.stats.addPayload(f.size);
    // The library reports a group twice: as the GROUP header message and as a group event. One row.
    if (e.type !== "group") this.messages.add(this.#row(e));
    this.tracks.onEvent(e);
    if (e.type === "message" && e.direction === "received" && e.name === "SETUP" && typeof f.probe === "number") {
      this.state.peer = {
        probe: f.probe,
        role: typeof f.role === "number" ? f.role : 0,
        hop: typeof f.hop === "number" ? f.hop : null,
        cost: typeof f.cost === "number" ? f.cost : null,
      };
      this.#changed();
    }
  }

  #row(e: RecordOf<"event">) {
    const f = e.fields;
    // ANNOUNCE names the broadcast by its suffix under the watched prefix (the root here).
    const announce = e.name === "ANNOUNCE" || e.name?.startsWith("ANNOUNCE_") === true;
    const named = typeof f.broadcast === "string" ? f.broadcast : announce ? f.suffix : null;
    let broadcast: string | null = typeof named === "string" ? named : null;
    let track: string | null = null;
    let sequence: number | null = typeof f.sequence === "number" ? f.sequence : null;
    const bySub = typeof f.subscribeId === "number" ? this.tracks.bySubscribeId(f.subscribeId) : undefined;
    const byStream = e.stream !== null ? this.tracks.byStream(e.stream) : undefined;
    const known = bySub ?? byStream;
    if (known) {
      broadcast = known.broadcast;
      track = known.key;
    } else if (broadcast !== null && typeof f.track === "string") {
      track = this.tracks.keyOf(broadcast, f.track) ?? null;
    }
    if (sequence === null && byStream) sequence = byStream.sequence;
    const type = e.type === "message" ? (e.name ?? "message") : rowType(e);
    return {
      at: e.at,
      direction: e.direction as MessageDirection,
      stream: e.stream,
      type,
      summary: summarize(e),
      fields: f,
      bytes: e.bytes,
      broadcast,
      track,
      sequence,
    };
  }

  #onFrame(r: RecordOf<"frame">): void {
    this.tracks.onFrame(r);
    const row = this.tracks.tracks.get(r.track);
    if (row?.track === CATALOG_TRACK && r.index === 0) {
      this.apply({
        t: "catalog",
        at: r.at,
        broadcast: row.broadcast,
        json: new TextDecoder().decode(r.payload),
        error: null,
      });
    }
  }

  #onProbe(r: RecordOf<"probe">): void {
    this.state.probe = { state: r.state, note: r.note, bitrate: r.bitrate };
    if (r.state === "unsupported") {
      this.findings.raise({
        kind: "probe-unsupported",
        severity: "note",
        subject: "connection",
        text: r.note ?? "the peer does not report probe measurements",
        at: r.at,
      });
    }
    this.#changed();
  }

  #onStats(r: RecordOf<"stats">): void {
    this.state.rttMs = r.rttMs;
    this.state.rttLatestMs = r.rttLatestMs;
    this.stats.sample(r, this.messages.count);
    this.tracks.tick(r.at);
    this.tree.expire(r.at);
    const s = this.state;
    if (
      !this.#rttNoted &&
      s.status === "connected" &&
      s.connectedAt !== null &&
      r.at - s.connectedAt > RTT_UNKNOWN_AFTER_MS &&
      r.rttMs === null
    ) {
      this.#rttNoted = true;
      this.findings.raise({
        kind: "rtt-unknown",
        severity: "note",
        subject: "connection",
        text: `no RTT measurement ${RTT_UNKNOWN_AFTER_MS / 1000} s after connecting (the transport does not report one and the peer sends no probe RTT)`,
        at: r.at,
      });
    }
    this.#changed();
  }

  /** The frames of a group, for the inspector. */
  groupFrames(track: string, sequence: number): FrameMeta[] {
    return this.tracks.groupFrames(track, sequence);
  }

  /** A frame's kept payload and what hang knows about it; throws when it is no longer kept. */
  openFrame(track: string, sequence: number, index: number): FramePayload {
    const info = this.tracks.frameInfo(track, sequence, index);
    const payload = this.tracks.frames.get(FrameStore.key(track, sequence, index));
    if (!info || !payload) {
      throw new Error(
        `frame ${index} of group ${sequence} is no longer kept (the inspector keeps the most recent frames only)`,
      );
    }
    const row = this.tracks.tracks.get(track);
    let nalUnits: FramePayload["nalUnits"] = null;
    if (row?.hang?.kind === "video") {
      const offset = decodeTimestamp(payload)?.payloadOffset ?? 0;
      nalUnits = listNalUnits(payload.subarray(offset));
    }
    return {
      track,
      sequence,
      index,
      size: info.size,
      base64: Buffer.from(payload).toString("base64"),
      truncated: payload.length < info.size,
      timestampUs: info.timestampUs,
      keyframe: info.keyframe,
      wire: info.wire,
      nalUnits,
    };
  }

  #changed(): void {
    for (const fn of this.#stateListeners) fn();
  }
}

function rowType(e: RecordOf<"event">): string {
  switch (e.type) {
    case "stream-opened":
      return "stream opened";
    case "stream-ended":
      return e.fields.how === "reset" ? "stream reset" : e.fields.how === "stop" ? "stream stopped" : "stream ended";
    case "frame":
      return "FRAME";
    case "datagram":
      return "DATAGRAM";
    default:
      return e.type;
  }
}

/** "id=3 broadcast=demo/clock track=seconds", cut to one short line. */
function summarize(e: RecordOf<"event">): string {
  const f = e.fields;
  let text: string;
  if (e.type === "frame") text = `group ${f.sequence} frame ${f.index}, ${f.size} bytes`;
  else if (e.type === "datagram")
    text = `group ${f.sequence}, ${f.size} bytes, t ${f.timestamp}${f.dropped ? `, dropped: ${f.dropped}` : ""}`;
  else if (e.type === "stream-opened") text = `${f.kind} (${f.dir}, by ${f.initiator})`;
  else if (e.type === "stream-ended") text = `${f.half} half ${f.how}${f.code !== null ? ` code ${f.code}` : ""}`;
  else
    text = Object.entries(f)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(" ");
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
}

function show(v: Scalar): string {
  return typeof v === "string" ? (v.includes(" ") ? JSON.stringify(v) : v) : String(v);
}
