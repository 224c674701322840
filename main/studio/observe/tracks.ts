// Subscribed tracks and their group timelines, learned from the session's events (what crossed
// the wire: groups, frames, stream ends) and from the frames read (payloads: hang timestamps,
// the inspector). Findings about a track (gaps, resets, stalls, bitrate, timestamp skew) are
// raised here, where the numbers are.

import type { FrameMeta, GroupBar, TrackRow, WireTimestamp } from "../../ipc/contract.ts";
import { LiveCollection } from "../live/collection.ts";
import { codeName, explainCode } from "../describe.ts";
import type { Findings } from "./findings.ts";
import { FrameStore } from "./frame-store.ts";
import { GapTracker } from "./gaps.ts";
import { CATALOG_TRACK, decodeTimestamp, isHangBroadcast } from "./hang.ts";
import type { RecordOf } from "./records.ts";
import { RateWindow } from "./rate-window.ts";

/** Groups per second are averaged over this window: long enough that a track at one group a
 * second never reads 0, short enough that a stalled track (no group for 3 s) does. */
const GROUP_RATE_WINDOW_MS = 2000;

/** Groups kept on the timeline per track. */
export const GROUPS_PER_TRACK = 512;
/** Groups per track whose frame list the inspector can open. */
export const FRAME_LISTS_PER_TRACK = 64;
/** Frames listed per group at most. */
export const FRAMES_PER_GROUP = 2048;
/** No frame for this long (and 3× the usual group interval) is a stall. */
export const MIN_STALL_MS = 3000;
/** Delivery delay below this, or jumping by more than this between frames, is timestamp skew. */
export const SKEW_MS = 1000;
/** The declared bitrate may be exceeded by this factor (keyframes, bursts) before it is a finding. */
const OVER_CATALOG_FACTOR = 1.5;
/** Bitrate over the catalog's is judged over this window, after this long subscribed. */
const CATALOG_WINDOW_MS = 5000;

export interface RenditionLookup {
  (broadcast: string, track: string): { kind: "video" | "audio"; bitrate: number | null } | undefined;
}

interface FrameInfo {
  index: number;
  size: number;
  at: number;
  timestampUs: number | null;
  keyframe: boolean | null;
  wire: WireTimestamp | null;
}

interface TrackState {
  key: string;
  broadcast: string;
  name: string;
  /** Ids of the current session's subscription (they start over after a reconnect). */
  subscribeId: number | null;
  subscribeStream: number | null;
  subscribedAt: number;
  gaps: GapTracker;
  highest: number | null;
  /** Sequences on the timeline, oldest first. */
  ring: number[];
  frameLists: Map<number, FrameInfo[]>;
  bytesWindow: RateWindow;
  groupsWindow: RateWindow;
  lastGroupAt: number | null;
  groupInterval: number | null;
  stalled: boolean;
  lastDelay: number | null;
}

export class TrackObserver {
  readonly tracks = new LiveCollection<TrackRow>();
  readonly timeline = new LiveCollection<GroupBar>();
  readonly frames = new FrameStore();
  readonly #states = new Map<string, TrackState>();
  readonly #bySubscribeId = new Map<number, TrackState>();
  readonly #groupStreams = new Map<number, { state: TrackState; sequence: number }>();
  /** 05+ Track streams we opened, until their TRACK_INFO arrives. */
  readonly #infoStreams = new Map<number, TrackState>();
  readonly #findings: Findings;
  readonly #rendition: RenditionLookup;

  constructor(findings: Findings, rendition: RenditionLookup) {
    this.#findings = findings;
    this.#rendition = rendition;
  }

  /** The track key for a broadcast's track, if subscribed (now or before). */
  keyOf(broadcast: string, name: string): string | undefined {
    for (const s of this.#states.values()) if (s.broadcast === broadcast && s.name === name) return s.key;
    return undefined;
  }

  /** Which track a session subscription id belongs to, for the message log. */
  bySubscribeId(id: number): { key: string; broadcast: string; name: string } | undefined {
    return this.#bySubscribeId.get(id);
  }

  /** The track and group a stream carries, for the message log. */
  byStream(stream: number): { key: string; broadcast: string; name: string; sequence: number | null } | undefined {
    const group = this.#groupStreams.get(stream);
    if (group) return { ...group.state, sequence: group.sequence };
    for (const s of this.#states.values()) if (s.subscribeStream === stream) return { ...s, sequence: null };
    return undefined;
  }

  /** The current session's subscription of a track, for a recording's opening snapshot. */
  subscriptionOf(track: string): { subscribeId: number | null; stream: number | null } {
    const s = this.#states.get(track);
    return { subscribeId: s?.subscribeId ?? null, stream: s?.subscribeStream ?? null };
  }

  subscribed(record: RecordOf<"subscribe">): void {
    const existing = this.#states.get(record.track);
    const state: TrackState = {
      key: record.track,
      broadcast: record.broadcast,
      name: record.name,
      subscribeId: record.subscribeId ?? null,
      subscribeStream: record.stream ?? null,
      subscribedAt: record.at,
      gaps: new GapTracker(),
      highest: null,
      ring: existing?.ring ?? [],
      frameLists: existing?.frameLists ?? new Map(),
      bytesWindow: new RateWindow(),
      groupsWindow: new RateWindow(),
      lastGroupAt: null,
      groupInterval: existing?.groupInterval ?? null,
      stalled: false,
      lastDelay: null,
    };
    this.#states.set(record.track, state);
    if (state.subscribeId !== null) this.#bySubscribeId.set(state.subscribeId, state);
    const row = this.tracks.get(record.track);
    this.tracks.set({
      key: record.track,
      broadcast: record.broadcast,
      track: record.name,
      status: "subscribing",
      error: null,
      latency: { subscribeSentAt: record.at, okMs: null, firstGroupMs: null, firstFrameMs: null },
      groups: row?.groups ?? 0,
      frames: row?.frames ?? 0,
      bytes: row?.bytes ?? 0,
      groupsPerSecond: 0,
      bitrate: 0,
      latestGroup: row?.latestGroup ?? null,
      lastFrameAt: row?.lastFrameAt ?? null,
      lost: row?.lost ?? 0,
      resets: row?.resets ?? 0,
      outOfOrder: row?.outOfOrder ?? 0,
      hang: this.#hangOf(record.broadcast, record.name, null),
      flags: row?.flags ?? [],
      // A new subscription asks again (a reconnect may reach an older version): a recording's
      // opening snapshot carries what was already known.
      info: record.info ?? null,
    });
  }

  unsubscribed(record: RecordOf<"unsubscribe">): void {
    this.#detach(record.track);
    this.#row(record.track, (r) => ({ ...r, status: "ended", error: null }));
  }

  ended(record: RecordOf<"track-end">): void {
    this.#detach(record.track);
    this.#row(record.track, (r) => ({ ...r, status: record.failed ? "failed" : "ended", error: record.error }));
    if (record.failed && record.error) {
      this.#findings.raise({
        kind: "reset",
        severity: "error",
        subject: record.track,
        id: `track-failed:${record.track}`,
        text: `${this.#label(record.track)} failed: ${record.error}`,
        at: record.at,
        link: { track: record.track, sequence: null },
      });
    }
  }

  /**
   * A new session (or none): subscription ids and streams start over; groups in flight are lost
   * with it. Without a session (`waiting`: a reconnect will subscribe again) rates drop to zero.
   */
  restart(at: number, waiting?: "subscribing" | "ended"): void {
    if (waiting) {
      for (const row of this.tracks.items()) {
        if (row.status !== "active" && row.status !== "subscribing") continue;
        this.#row(row.key, (r) => ({ ...r, status: waiting, groupsPerSecond: 0, bitrate: 0 }));
      }
    }
    for (const { state, sequence } of this.#groupStreams.values()) {
      this.#bar(state.key, sequence, (b) =>
        b.status === "arriving" ? { ...b, status: "reset", codeName: "connection lost", lastByteAt: at } : b,
      );
    }
    this.#groupStreams.clear();
    this.#infoStreams.clear();
    this.#bySubscribeId.clear();
    for (const s of this.#states.values()) {
      s.subscribeId = null;
      s.subscribeStream = null;
    }
  }

  onEvent(e: RecordOf<"event">): void {
    const f = e.fields;
    if (e.type === "message" && e.direction === "sent" && e.name === "SUBSCRIBE") {
      const state = [...this.#states.values()].find(
        (s) => s.broadcast === f.broadcast && s.name === f.track && s.subscribeId === null,
      );
      if (!state || typeof f.id !== "number") return;
      state.subscribeId = f.id;
      state.subscribeStream = e.stream;
      this.#bySubscribeId.set(f.id, state);
      this.#row(state.key, (r) => ({ ...r, latency: { ...r.latency, subscribeSentAt: e.at } }));
    } else if (e.type === "message" && e.direction === "sent" && e.name === "TRACK" && e.stream !== null) {
      // 05+ asks for the track's properties on a Track stream just before it subscribes.
      const state = [...this.#states.values()].find((s) => s.broadcast === f.broadcast && s.name === f.track);
      if (state) this.#infoStreams.set(e.stream, state);
    } else if (e.type === "message" && e.direction === "received" && e.name === "TRACK_INFO" && e.stream !== null) {
      const state = this.#infoStreams.get(e.stream);
      this.#infoStreams.delete(e.stream);
      const { timescale, maxLatencyMs, priority } = f;
      if (!state || typeof timescale !== "number" || typeof maxLatencyMs !== "number" || typeof priority !== "number")
        return;
      this.#row(state.key, (r) => ({ ...r, info: { timescale, maxAgeMs: maxLatencyMs, priority } }));
    } else if (
      e.type === "message" &&
      e.direction === "received" &&
      // 05 accepts implicitly: SUBSCRIBE_START is its first answer.
      (e.name === "SUBSCRIBE_OK" || e.name === "SUBSCRIBE_START")
    ) {
      const state = [...this.#states.values()].find((s) => s.subscribeStream === e.stream);
      if (!state) return;
      this.#row(state.key, (r) => ({
        ...r,
        status: r.status === "subscribing" ? "active" : r.status,
        latency: { ...r.latency, okMs: r.latency.okMs ?? e.at - r.latency.subscribeSentAt },
      }));
    } else if (e.type === "group" && e.direction === "received" && typeof f.subscribeId === "number") {
      const state = this.#bySubscribeId.get(f.subscribeId);
      if (state && typeof f.sequence === "number" && e.stream !== null) this.#groupStarted(state, f.sequence, e);
    } else if (e.type === "datagram" && e.direction === "received" && typeof f.subscribeId === "number") {
      // A whole group in one datagram: it starts, carries its frame and completes at once.
      const state = this.#bySubscribeId.get(f.subscribeId);
      if (!state || f.dropped || typeof f.sequence !== "number" || typeof f.size !== "number") return;
      this.#groupStarted(state, f.sequence, e);
      this.#bar(state.key, f.sequence, (b) => ({ ...b, datagram: true }));
      this.#frameArrived(state, f.sequence, f.size, e.at);
      this.#groupEnded(state, f.sequence, null, false, e.at);
    } else if (e.type === "frame" && e.direction === "received" && e.stream !== null) {
      const group = this.#groupStreams.get(e.stream);
      if (group && typeof f.size === "number") this.#frameArrived(group.state, group.sequence, f.size, e.at);
    } else if (e.type === "stream-ended" && f.half === "recv" && e.stream !== null) {
      // A Track stream that ended without TRACK_INFO (refused, reset) is forgotten.
      this.#infoStreams.delete(e.stream);
      const group = this.#groupStreams.get(e.stream);
      if (!group) return;
      this.#groupStreams.delete(e.stream);
      const code = typeof f.code === "number" ? f.code : null;
      this.#groupEnded(group.state, group.sequence, f.how === "fin" ? null : code, f.how !== "fin", e.at);
    }
  }

  /** A group began: on a stream (e.stream), or in a datagram (no stream). */
  #groupStarted(state: TrackState, sequence: number, e: RecordOf<"event">): void {
    const stream = e.stream;
    if (stream !== null) this.#groupStreams.set(stream, { state, sequence });
    const fresh = state.gaps.arrived(sequence);
    const late = state.highest !== null && sequence < state.highest;
    if (state.highest === null || sequence > state.highest) state.highest = sequence;
    if (state.lastGroupAt !== null && !late) {
      const gap = e.at - state.lastGroupAt;
      state.groupInterval = state.groupInterval === null ? gap : state.groupInterval * 0.8 + gap * 0.2;
    }
    if (!late) state.lastGroupAt = e.at;
    state.groupsWindow.add(e.at, 1);
    const wasSkipped = this.timeline.get(barKey(state.key, sequence))?.status === "skipped";
    this.#setBar(state, {
      key: barKey(state.key, sequence),
      track: state.key,
      sequence,
      firstByteAt: e.at,
      lastByteAt: e.at,
      frames: 0,
      bytes: 0,
      status: late ? "out-of-order" : "arriving",
      code: null,
      codeName: null,
      wire: null,
      datagram: false,
      stream,
    });
    this.#row(state.key, (r) => ({
      ...r,
      status: r.status === "subscribing" ? "active" : r.status,
      groups: r.groups + (fresh || wasSkipped ? 1 : 0),
      latestGroup: state.highest,
      outOfOrder: r.outOfOrder + (late ? 1 : 0),
      lost: r.lost - (wasSkipped ? 1 : 0),
      latency: { ...r.latency, firstGroupMs: r.latency.firstGroupMs ?? e.at - r.latency.subscribeSentAt },
      ...this.#rates(state, e.at),
    }));
  }

  #frameArrived(state: TrackState, sequence: number, size: number, at: number): void {
    state.bytesWindow.add(at, size);
    state.stalled = false;
    this.#bar(state.key, sequence, (b) => ({ ...b, frames: b.frames + 1, bytes: b.bytes + size, lastByteAt: at }));
    this.#row(state.key, (r) => ({
      ...r,
      frames: r.frames + 1,
      bytes: r.bytes + size,
      lastFrameAt: at,
      latency: { ...r.latency, firstFrameMs: r.latency.firstFrameMs ?? at - r.latency.subscribeSentAt },
      ...this.#rates(state, at),
    }));
  }

  #groupEnded(state: TrackState, sequence: number, code: number | null, reset: boolean, at: number): void {
    this.#bar(state.key, sequence, (b) => ({
      ...b,
      lastByteAt: Math.max(b.lastByteAt, at),
      status: reset ? "reset" : b.status === "out-of-order" ? "out-of-order" : "complete",
      code,
      codeName: code === null ? null : codeName(code),
    }));
    if (reset) {
      this.#row(state.key, (r) => ({ ...r, resets: r.resets + 1 }));
      const words = code === null ? "without a code" : `with ${explainCode(code)}`;
      this.#findings.raise({
        kind: "reset",
        severity: "warning",
        subject: state.key,
        id: `reset:${state.key}:${code}`,
        text: `${this.#label(state.key)}: group ${sequence} was reset ${words}`,
        at,
        link: { track: state.key, sequence },
      });
      return;
    }
    const lost = state.gaps.confirmLost(sequence);
    if (lost.length === 0) return;
    for (const s of lost.slice(-GROUPS_PER_TRACK)) {
      this.#setBar(state, {
        key: barKey(state.key, s),
        track: state.key,
        sequence: s,
        firstByteAt: at,
        lastByteAt: at,
        frames: 0,
        bytes: 0,
        status: "skipped",
        code: null,
        codeName: null,
        wire: null,
        datagram: false,
        stream: null,
      });
    }
    this.#row(state.key, (r) => ({ ...r, lost: r.lost + lost.length }));
    const range = lost.length === 1 ? `group ${lost[0]}` : `groups ${lost[0]}–${lost[lost.length - 1]}`;
    this.#findings.raise({
      kind: "gap",
      severity: "warning",
      subject: state.key,
      text: `${this.#label(state.key)}: ${range} never arrived (${lost.length} lost; group ${sequence} came complete after)`,
      at,
      link: { track: state.key, sequence: lost[0]! },
    });
  }

  /** A frame read from the track: its payload for the inspector and what hang says about it. */
  onFrame(record: RecordOf<"frame">): void {
    const state = this.#states.get(record.track);
    if (!state) return;
    const row = this.tracks.get(record.track);
    const hang = row?.hang ?? null;
    let timestampUs: number | null = null;
    if (hang && hang.kind !== "catalog") timestampUs = decodeTimestamp(record.payload)?.timestampUs ?? null;
    const keyframe = hang && hang.kind !== "catalog" ? record.index === 0 : null;
    let list = state.frameLists.get(record.sequence);
    if (!list) {
      list = [];
      state.frameLists.set(record.sequence, list);
      while (state.frameLists.size > FRAME_LISTS_PER_TRACK) {
        const oldest = Math.min(...state.frameLists.keys());
        this.#dropFrames(state, oldest);
      }
    }
    if (list.length < FRAMES_PER_GROUP) {
      const wire =
        record.timestamp !== undefined && record.timescale !== undefined
          ? { timestamp: record.timestamp, timescale: record.timescale }
          : null;
      list.push({ index: record.index, size: record.size, at: record.at, timestampUs, keyframe, wire });
      this.frames.put(FrameStore.key(record.track, record.sequence, record.index), record.payload);
    }
    if (record.timestamp !== undefined && record.timescale !== undefined) {
      const t = record.timestamp;
      const timescale = record.timescale;
      this.#bar(record.track, record.sequence, (b) => ({
        ...b,
        wire: b.wire
          ? { first: Math.min(b.wire.first, t), last: Math.max(b.wire.last, t), timescale }
          : { first: t, last: t, timescale },
      }));
    }
    if (timestampUs === null || !hang) return;
    // Demo and live publishers stamp wall-clock µs; other timelines (files from 0) have no delay to show.
    const delay = record.at - timestampUs / 1000;
    const wallClock = Math.abs(delay) < 24 * 3600 * 1000;
    if (!wallClock) return;
    const jump = state.lastDelay === null ? 0 : Math.abs(delay - state.lastDelay);
    state.lastDelay = delay;
    this.#row(record.track, (r) => ({ ...r, hang: r.hang ? { ...r.hang, deliveryDelayMs: delay } : r.hang }));
    if (delay < -SKEW_MS || jump > SKEW_MS) {
      this.#findings.raise({
        kind: "timestamp-skew",
        severity: "note",
        subject: record.track,
        text:
          delay < -SKEW_MS
            ? `${this.#label(record.track)}: frame timestamps run ${Math.round(-delay)} ms ahead of this clock (publisher clock skew?)`
            : `${this.#label(record.track)}: delivery delay jumped by ${Math.round(jump)} ms at group ${record.sequence}`,
        at: record.at,
        link: { track: record.track, sequence: record.sequence },
      });
    }
  }

  /** The frames of a group the inspector can list; throws when the group is no longer kept. */
  groupFrames(track: string, sequence: number): FrameMeta[] {
    const state = this.#states.get(track);
    if (!state) throw new Error(`no track "${track}" on this connection`);
    const list = state.frameLists.get(sequence);
    if (!list) {
      throw new Error(
        `group ${sequence} of ${this.#label(track)} is not kept (the inspector keeps the last ${FRAME_LISTS_PER_TRACK} groups per track)`,
      );
    }
    return list.map((f) => ({ ...f, kept: this.frames.has(FrameStore.key(track, sequence, f.index)) }));
  }

  frameInfo(track: string, sequence: number, index: number): FrameInfo | undefined {
    return this.#states
      .get(track)
      ?.frameLists.get(sequence)
      ?.find((f) => f.index === index);
  }

  /** Once a second: rates decay, stalls and bitrate over the catalog's are judged. */
  tick(now: number): void {
    for (const state of this.#states.values()) {
      const row = this.tracks.get(state.key);
      if (!row) continue;
      const rates = this.#rates(state, now);
      // A catalog changes only now and then: silence there is normal.
      const active = (row.status === "active" || row.status === "subscribing") && row.hang?.kind !== "catalog";
      const usual = state.groupInterval ?? 0;
      const since = row.lastFrameAt ?? state.subscribedAt;
      const stalled = active && state.subscribeId !== null && now - since > Math.max(MIN_STALL_MS, 3 * usual);
      if (stalled && !state.stalled) {
        this.#findings.raise({
          kind: "stall",
          severity: "warning",
          subject: state.key,
          text: `${this.#label(state.key)}: no frame for ${Math.round((now - since) / 1000)} s (groups usually every ${Math.round(usual)} ms)`,
          at: now,
          link: { track: state.key, sequence: state.highest },
        });
      }
      state.stalled = stalled;
      this.#checkBitrate(state, row, now);
      this.#row(state.key, (r) => ({ ...r, ...rates }));
    }
  }

  #checkBitrate(state: TrackState, row: TrackRow, now: number): void {
    const declared = row.hang?.catalogBitrate;
    if (!declared || now - state.subscribedAt < CATALOG_WINDOW_MS) return;
    const measured = (state.bytesWindow.sum(now, CATALOG_WINDOW_MS) * 8 * 1000) / CATALOG_WINDOW_MS;
    if (measured <= declared * OVER_CATALOG_FACTOR) return;
    this.#findings.raise({
      kind: "bitrate-over-catalog",
      severity: "warning",
      subject: state.key,
      text: `${this.#label(state.key)}: ${Math.round(measured / 1000)} kbit/s over ${CATALOG_WINDOW_MS / 1000} s, the catalog declares ${Math.round(declared / 1000)} kbit/s`,
      at: now,
      link: { track: state.key, sequence: state.highest },
    });
  }

  /** The catalog of `broadcast` changed: its tracks learn their kind and declared bitrate. */
  catalogChanged(broadcast: string): void {
    for (const s of this.#states.values()) {
      if (s.broadcast !== broadcast) continue;
      this.#row(s.key, (r) => ({ ...r, hang: this.#hangOf(broadcast, s.name, r.hang?.deliveryDelayMs ?? null) }));
    }
  }

  #hangOf(broadcast: string, name: string, delay: number | null): TrackRow["hang"] {
    const rendition = this.#rendition(broadcast, name);
    if (!rendition && !isHangBroadcast(broadcast)) return null;
    const kind = name === CATALOG_TRACK ? "catalog" : (rendition?.kind ?? "other");
    return { kind, catalogBitrate: rendition?.bitrate ?? null, deliveryDelayMs: delay, timescale: 1_000_000 };
  }

  #rates(state: TrackState, now: number): Pick<TrackRow, "groupsPerSecond" | "bitrate"> {
    return {
      // Groups come about once a second on typical media: a one-second window reads 0 or 1 at
      // random, so average over two.
      groupsPerSecond: state.groupsWindow.sum(now, GROUP_RATE_WINDOW_MS) / (GROUP_RATE_WINDOW_MS / 1000),
      bitrate: state.bytesWindow.sum(now, 1000) * 8,
    };
  }

  /** Short words for what is notable about a track. */
  #flags(state: TrackState | undefined, row: TrackRow): string[] {
    const flags: string[] = [];
    if (row.status === "failed") flags.push("failed");
    if (row.lost > 0) flags.push(`lost ${row.lost}`);
    if (state?.stalled) flags.push("stalled");
    if (row.resets > 0) flags.push(`reset ${row.resets}`);
    if (row.outOfOrder > 0) flags.push(`out of order ${row.outOfOrder}`);
    return flags;
  }

  #detach(track: string): void {
    const state = this.#states.get(track);
    if (!state) return;
    if (state.subscribeId !== null) this.#bySubscribeId.delete(state.subscribeId);
    state.subscribeId = null;
    state.subscribeStream = null;
    state.stalled = false;
  }

  #setBar(state: TrackState, bar: GroupBar): void {
    if (!this.timeline.has(bar.key)) {
      state.ring.push(bar.sequence);
      while (state.ring.length > GROUPS_PER_TRACK) {
        const oldest = state.ring.shift()!;
        this.timeline.delete(barKey(state.key, oldest));
      }
    }
    this.timeline.set(bar);
  }

  #dropFrames(state: TrackState, sequence: number): void {
    const list = state.frameLists.get(sequence);
    state.frameLists.delete(sequence);
    for (const f of list ?? []) this.frames.delete(FrameStore.key(state.key, sequence, f.index));
  }

  #bar(track: string, sequence: number, change: (b: GroupBar) => GroupBar): void {
    this.timeline.update(barKey(track, sequence), change);
  }

  #row(track: string, change: (r: TrackRow) => TrackRow): void {
    const state = this.#states.get(track);
    this.tracks.update(track, (r) => {
      const next = change(r);
      return { ...next, flags: this.#flags(state, next) };
    });
  }

  #label(track: string): string {
    const s = this.#states.get(track);
    return s ? `${s.broadcast} / ${s.name}` : track;
  }
}

export function barKey(track: string, sequence: number): string {
  return `${track}#${sequence}`;
}
