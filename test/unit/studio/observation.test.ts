// An observation fed records directly, as a replay feeds it: the bounds hold under many groups,
// the findings come from the numbers, ended broadcasts leave the tree after a while, and records
// survive the trip through JSON.

import { describe, expect, it } from "vitest";
import { writeVarintAt, varintSize } from "../../../main/moq/index.ts";
import { FRAME_STORE_CAP } from "../../../main/studio/observe/frame-store.ts";
import { MESSAGE_LOG_CAPACITY } from "../../../main/studio/observe/messages.ts";
import { Observation } from "../../../main/studio/observe/observation.ts";
import type { ObservationRecord, RecordOf } from "../../../main/studio/observe/records.ts";
import { fromStored, toStored } from "../../../main/studio/observe/records.ts";
import { STATS_CAPACITY } from "../../../main/studio/observe/stats.ts";
import { FRAME_LISTS_PER_TRACK, GROUPS_PER_TRACK } from "../../../main/studio/observe/tracks.ts";
import { ENDED_KEEP_MS } from "../../../main/studio/observe/tree.ts";

const T0 = 1_800_000_000_000;

function event(
  at: number,
  type: string,
  stream: number | null,
  fields: RecordOf<"event">["fields"],
  extra: Partial<RecordOf<"event">> = {},
): RecordOf<"event"> {
  return { t: "event", at, type, stream, direction: "received", name: null, fields, bytes: 0, ...extra };
}

function stats(at: number, rttMs: number | null = 0.2): RecordOf<"stats"> {
  return {
    t: "stats",
    at,
    rttMs,
    rttLatestMs: rttMs,
    bytesSent: 0,
    bytesReceived: 0,
    sendBitrate: 0,
    recvBitrate: 0,
    probeBitrate: null,
  };
}

/** A connected observation with `broadcast`/`track` subscribed as subscription 0 on stream 1. */
function subscribed(broadcast = "b", track = "t"): { o: Observation; key: string } {
  const o = new Observation();
  o.apply({ t: "state", at: T0, status: "connected", version: "moq-lite-04", transport: "websocket", error: null });
  o.apply({ t: "subscribe", at: T0, track: `${broadcast}/${track}`, broadcast, name: track });
  o.apply(event(T0 + 1, "message", 1, { id: 0, broadcast, track }, { direction: "sent", name: "SUBSCRIBE" }));
  o.apply(event(T0 + 2, "message", 1, { priority: 0 }, { name: "SUBSCRIBE_OK" }));
  return { o, key: `${broadcast}/${track}` };
}

/** Group `sequence` on its own stream: header, frames of `size` bytes, FIN; with the frames read. */
function group(
  o: Observation,
  key: string,
  sequence: number,
  at: number,
  frames: Uint8Array[],
  end: "fin" | "reset" = "fin",
): void {
  const stream = 1000 + sequence;
  o.apply(event(at, "group", stream, { subscribeId: 0, broadcast: "b", track: "t", sequence }));
  frames.forEach((payload, index) => {
    o.apply(event(at, "frame", stream, { subscribeId: 0, sequence, index, size: payload.length }));
    o.apply({ t: "frame", at, track: key, sequence, index, size: payload.length, payload });
  });
  o.apply(event(at, "stream-ended", stream, { half: "recv", how: end, code: end === "fin" ? null : 0 }));
}

function hangFrame(timestampUs: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const at = writeVarintAt(out, 0, timestampUs);
  out.set([0, 0, 0, 1, 0x65], at);
  return out.subarray(0, Math.max(size, varintSize(timestampUs) + 5));
}

describe("observation bounds", () => {
  it("keeps the timeline, frame lists, payloads, messages and stats within their capacities", () => {
    const { o, key } = subscribed();
    const payload = new Uint8Array(64 * 1024).fill(7);
    const groups = 2000;
    for (let s = 0; s < groups; s++) group(o, key, s, T0 + 10 + s, [payload, payload]);
    for (let i = 0; i < STATS_CAPACITY + 50; i++) o.apply(stats(T0 + 2000 + i * 1000));

    const bars = o.tracks.timeline.items().filter((b) => b.track === key);
    expect(bars).toHaveLength(GROUPS_PER_TRACK);
    expect(bars[0]!.sequence).toBe(groups - GROUPS_PER_TRACK);
    expect(o.tracks.frames.bytes).toBeLessThanOrEqual(FRAME_STORE_CAP);
    expect(() => o.groupFrames(key, groups - FRAME_LISTS_PER_TRACK - 1)).toThrow(/not kept/);
    expect(o.groupFrames(key, groups - 1)).toHaveLength(2);
    expect(o.messages.rows.size).toBe(MESSAGE_LOG_CAPACITY);
    expect(o.messages.count).toBeGreaterThan(MESSAGE_LOG_CAPACITY);
    expect(o.stats.view.size).toBe(STATS_CAPACITY);
    expect(o.tracks.tracks.get(key)).toMatchObject({ groups, frames: groups * 2, lost: 0 });
  });

  it("keeps the newest matching rows in a filtered messages view and removes what falls out", () => {
    const o = new Observation();
    const view = o.messages.view({ text: "keep" }, 3);
    const changes: [string, boolean][] = [];
    view.subscribe((key, removed) => changes.push([key, removed]));
    for (let i = 0; i < 10; i++) {
      o.apply(event(T0 + i, "message", 4, { note: i % 2 === 0 ? "keep" : "skip" }, { name: "ANNOUNCE" }));
    }
    expect(view.items().map((r) => r.fields.note)).toEqual(["keep", "keep", "keep"]);
    expect(view.items().map((r) => r.id)).toEqual([5, 7, 9]);
    expect(changes.filter(([, removed]) => removed).map(([k]) => k)).toEqual(["1", "3"]);
    const later = o.messages.view({ text: "KEEP" }, 2);
    expect(later.items().map((r) => r.id)).toEqual([7, 9]);
    expect(o.messages.view({ direction: "sent" }).items()).toEqual([]);
  });
});

describe("group order", () => {
  it("marks a group that arrives after a later one out of order, even after it was counted lost", () => {
    const { o, key } = subscribed();
    const frame = [new Uint8Array(5)];
    group(o, key, 0, T0 + 10, frame);
    // 2 starts before 1: 1 is late but not lost yet.
    const stream2 = 1002;
    o.apply(event(T0 + 20, "group", stream2, { subscribeId: 0, broadcast: "b", track: "t", sequence: 2 }));
    group(o, key, 1, T0 + 30, frame);
    expect(o.tracks.timeline.get(`${key}#1`)).toMatchObject({ status: "out-of-order" });
    o.apply(event(T0 + 40, "stream-ended", stream2, { half: "recv", how: "fin", code: null }));
    expect(o.tracks.timeline.get(`${key}#2`)).toMatchObject({ status: "complete" });
    // 4 completes while 3 is missing: 3 is lost; when 3 turns up after all it is out of order, not lost.
    group(o, key, 4, T0 + 50, frame);
    expect(o.tracks.timeline.get(`${key}#3`)).toMatchObject({ status: "skipped", frames: 0 });
    expect(o.tracks.tracks.get(key)).toMatchObject({ lost: 1 });
    group(o, key, 3, T0 + 60, frame);
    expect(o.tracks.timeline.get(`${key}#3`)).toMatchObject({ status: "out-of-order", frames: 1 });
    expect(o.tracks.tracks.get(key)).toMatchObject({ lost: 0, outOfOrder: 2, groups: 5 });
    const rows = o.messages.view({ track: key, types: ["FRAME"] }).items();
    expect(rows.map((r) => r.sequence)).toEqual([0, 1, 4, 3]);
  });
});

describe("wire timestamps on the timeline", () => {
  it("a group's bar spans the wire timestamps of the frames read, in the track's timescale", () => {
    const { o, key } = subscribed();
    const stream = 1007;
    o.apply(event(T0, "group", stream, { subscribeId: 0, broadcast: "b", track: "t", sequence: 7 }));
    // Out of presentation order, as B-frames arrive: the span is min to max, not first to last.
    for (const [index, timestamp] of [90_000, 96_000, 93_000].entries()) {
      o.apply({
        t: "frame",
        at: T0,
        track: key,
        sequence: 7,
        index,
        size: 1,
        payload: new Uint8Array(1),
        timestamp,
        timescale: 90_000,
      });
    }
    expect(o.tracks.timeline.get(`${key}#7`)!.wire).toEqual({ first: 90_000, last: 96_000, timescale: 90_000 });
    // Before 05 frames carry none.
    group(o, key, 8, T0 + 10, [new Uint8Array(1)]);
    expect(o.tracks.timeline.get(`${key}#8`)!.wire).toBeNull();
  });
});

describe("datagrams on the timeline", () => {
  it("a group that came in a datagram is one complete bar with its frame, flagged; a dropped copy adds nothing", () => {
    const { o, key } = subscribed();
    const datagram = (at: number, sequence: number, dropped: string | null) =>
      o.apply({
        t: "event",
        at,
        type: "datagram",
        stream: null,
        direction: "received",
        name: null,
        fields: { subscribeId: 0, sequence, size: 6, timestamp: 1000, dropped },
        bytes: 9,
      });
    datagram(T0 + 10, 0, null);
    expect(o.tracks.timeline.get(`${key}#0`)).toMatchObject({
      status: "complete",
      frames: 1,
      bytes: 6,
      datagram: true,
    });
    datagram(T0 + 20, 0, "group 0 is already here");
    expect(o.tracks.timeline.get(`${key}#0`)).toMatchObject({ frames: 1 });
    expect(o.tracks.tracks.get(key)).toMatchObject({ groups: 1, frames: 1 });
    expect(
      o.messages
        .view({ types: ["DATAGRAM"] })
        .items()
        .map((r) => r.summary),
    ).toEqual(["group 0, 6 bytes, t 1000", "group 0, 6 bytes, t 1000, dropped: group 0 is already here"]);
  });
});

describe("observation findings", () => {
  it("reports a stalled track once the usual group interval is far exceeded", () => {
    const { o, key } = subscribed();
    for (let s = 0; s < 5; s++) group(o, key, s, T0 + 100 * s, [new Uint8Array(10)]);
    o.apply(stats(T0 + 1000));
    expect(o.findings.view.items().find((f) => f.kind === "stall")).toBeUndefined();
    o.apply(stats(T0 + 400 + 3500));
    const stall = o.findings.view.items().find((f) => f.kind === "stall");
    expect(stall).toMatchObject({ severity: "warning", subject: key, count: 1 });
    expect(o.tracks.tracks.get(key)!.flags).toContain("stalled");
    expect(o.tracks.tracks.get(key)!.groupsPerSecond).toBe(0);
  });

  it("does not call a quiet hang catalog track stalled", () => {
    const { o, key } = subscribed("x.hang", "catalog.json");
    expect(o.tracks.tracks.get(key)!.hang!.kind).toBe("catalog");
    group(o, key, 0, T0 + 10, [new TextEncoder().encode("{}")]);
    o.apply(stats(T0 + 60_000));
    expect(o.findings.view.items().find((f) => f.kind === "stall")).toBeUndefined();
  });

  it("notes an unknown RTT after five seconds, an unsupported probe, and a connection lost", () => {
    const { o } = subscribed();
    o.apply(stats(T0 + 3000, null));
    expect(o.findings.view.items().find((f) => f.kind === "rtt-unknown")).toBeUndefined();
    o.apply(stats(T0 + 6000, null));
    o.apply(stats(T0 + 7000, null));
    expect(o.findings.view.items().find((f) => f.kind === "rtt-unknown")).toMatchObject({ severity: "note", count: 1 });
    o.apply({
      t: "probe",
      at: T0 + 7000,
      state: "unsupported",
      note: "peer does not report probe measurements",
      bitrate: null,
    });
    expect(o.state.probe.state).toBe("unsupported");
    expect(o.findings.view.items().find((f) => f.kind === "probe-unsupported")).toMatchObject({ severity: "note" });
    o.apply({
      t: "state",
      at: T0 + 8000,
      status: "reconnecting",
      version: null,
      transport: null,
      error: "lost the connection",
    });
    expect(o.findings.view.items().find((f) => f.kind === "connection")).toMatchObject({ severity: "warning" });
    expect(o.tracks.tracks.get("b/t")).toMatchObject({ status: "subscribing", bitrate: 0 });
  });

  it("warns about a bitrate above the catalog's and notes timestamp skew on a hang track", () => {
    const o = new Observation();
    o.apply({ t: "state", at: T0, status: "connected", version: "moq-lite-04", transport: "websocket", error: null });
    const catalog = {
      video: { renditions: { v: { codec: "avc1.64001f", bitrate: 8000, codedWidth: 64, codedHeight: 48 } } },
    };
    o.apply({ t: "catalog", at: T0, broadcast: "x.hang", json: JSON.stringify(catalog), error: null });
    o.apply({ t: "subscribe", at: T0, track: "x.hang/v", broadcast: "x.hang", name: "v" });
    o.apply(
      event(T0 + 1, "message", 1, { id: 0, broadcast: "x.hang", track: "v" }, { direction: "sent", name: "SUBSCRIBE" }),
    );
    const key = "x.hang/v";
    expect(o.tracks.tracks.get(key)!.hang).toMatchObject({ kind: "video", catalogBitrate: 8000 });
    // 10 kB a second is 80 kbit/s, ten times the declared 8 kbit/s; timestamps are wall-clock µs.
    for (let s = 0; s < 7; s++) {
      const at = T0 + 1000 * s;
      const stream = 100 + s;
      o.apply(event(at, "group", stream, { subscribeId: 0, broadcast: "x.hang", track: "v", sequence: s }));
      o.apply(event(at, "frame", stream, { subscribeId: 0, sequence: s, index: 0, size: 10_000 }));
      o.apply({
        t: "frame",
        at,
        track: key,
        sequence: s,
        index: 0,
        size: 10_000,
        payload: hangFrame((at - 20) * 1000, 10_000),
      });
      o.apply(event(at, "stream-ended", stream, { half: "recv", how: "fin", code: null }));
      o.apply(stats(at + 1));
    }
    expect(o.tracks.tracks.get(key)!.hang!.deliveryDelayMs).toBeCloseTo(20, 5);
    expect(o.findings.view.items().find((f) => f.kind === "bitrate-over-catalog")).toMatchObject({
      severity: "warning",
    });
    expect(o.findings.view.items().find((f) => f.kind === "timestamp-skew")).toBeUndefined();
    // A frame stamped 5 s in the future: the publisher's clock runs ahead.
    const at = T0 + 8000;
    o.apply(event(at, "group", 200, { subscribeId: 0, broadcast: "x.hang", track: "v", sequence: 8 }));
    o.apply({
      t: "frame",
      at,
      track: key,
      sequence: 8,
      index: 0,
      size: 100,
      payload: hangFrame((at + 5000) * 1000, 100),
    });
    const skew = o.findings.view.items().find((f) => f.kind === "timestamp-skew");
    expect(skew).toMatchObject({ severity: "note", link: { track: key, sequence: 8 } });
    expect(o.groupFrames(key, 8)[0]).toMatchObject({ keyframe: true, timestampUs: (at + 5000) * 1000 });
  });
});

describe("announcement tree", () => {
  it("rolls counts up, keeps ended broadcasts a while, then drops them and their empty prefixes", () => {
    const o = new Observation();
    const announce = (at: number, path: string, active: boolean, hops: number[] = [7, 9]) =>
      o.apply({ t: "announce", at, path, active, hops, hopIds: true });
    announce(T0, "room/a/cam.hang", true);
    announce(T0, "room/b", true, [0]);
    expect(o.tree.view.get("room")).toMatchObject({ activeCount: 2, totalCount: 2, broadcast: false, parent: null });
    expect(o.tree.view.get("room/a")).toMatchObject({ activeCount: 1, parent: "room", depth: 1 });
    expect(o.tree.view.get("room/a/cam.hang")).toMatchObject({
      broadcast: true,
      active: true,
      hops: [7, 9],
      hopCount: 2,
    });
    o.apply({ t: "announce", at: T0, path: "legacy/x", active: true, hops: [0, 0, 0], hopIds: false });
    expect(o.tree.view.get("legacy/x")).toMatchObject({ hops: null, hopCount: 3, cost: null });
    // 06 routes carry a cost, kept after the broadcast ends.
    o.apply({ t: "announce", at: T0, path: "net/c", active: true, hops: [5], hopIds: true, cost: 2 });
    expect(o.tree.view.get("net/c")).toMatchObject({ hops: [5], cost: 2 });
    o.apply({ t: "announce", at: T0 + 1, path: "net/c", active: false, hops: [], hopIds: true });
    expect(o.tree.view.get("net/c")).toMatchObject({ active: false, cost: 2 });

    announce(T0 + 1000, "room/a/cam.hang", false);
    expect(o.tree.view.get("room/a/cam.hang")).toMatchObject({ active: false, endedAt: T0 + 1000 });
    expect(o.tree.view.get("room")).toMatchObject({ activeCount: 1, totalCount: 2, changedAt: T0 + 1000 });
    o.apply(stats(T0 + 1000 + ENDED_KEEP_MS - 1));
    expect(o.tree.view.has("room/a/cam.hang")).toBe(true);
    o.apply(stats(T0 + 1000 + ENDED_KEEP_MS));
    expect(o.tree.view.has("room/a/cam.hang")).toBe(false);
    expect(o.tree.view.has("room/a")).toBe(false);
    expect(o.tree.view.get("room")).toMatchObject({ activeCount: 1, totalCount: 1 });
  });
});

describe("announcement tree at scale", () => {
  it("takes ten thousand announcements and their ends with counts kept exact", () => {
    const o = new Observation();
    for (let i = 0; i < 10_000; i++) {
      o.apply({ t: "announce", at: T0, path: `many/g${i % 100}/b${i}`, active: true, hops: [], hopIds: true });
    }
    expect(o.tree.view.get("many")).toMatchObject({ activeCount: 10_000, totalCount: 10_000 });
    expect(o.tree.view.get("many/g7")).toMatchObject({ activeCount: 100 });
    o.apply({
      t: "state",
      at: T0 + 1,
      status: "connected",
      version: "moq-lite-04",
      transport: "websocket",
      error: null,
    });
    o.apply({ t: "state", at: T0 + 2, status: "reconnecting", version: null, transport: null, error: "lost" });
    expect(o.tree.view.get("many")).toMatchObject({ activeCount: 0, totalCount: 10_000 });
    o.apply(stats(T0 + 2 + ENDED_KEEP_MS));
    expect(o.tree.view.size).toBe(0);
  });
});

describe("records", () => {
  it("round-trip through JSON, payloads as base64, and bad ones are named", () => {
    const records: ObservationRecord[] = [
      { t: "frame", at: T0, track: "b/t", sequence: 3, index: 0, size: 4, payload: new Uint8Array([1, 2, 3, 4]) },
      { t: "announce", at: T0, path: "a/b", active: true, hops: [1], hopIds: true },
      // moq-lite-06: a route's cost, a frame's wire timestamp and its track's timescale.
      { t: "announce", at: T0, path: "a/c", active: true, hops: [1, 2], hopIds: true, cost: 2 },
      {
        t: "frame",
        at: T0,
        track: "b/t",
        sequence: 4,
        index: 1,
        size: 1,
        payload: new Uint8Array([9]),
        timestamp: 90_000,
        timescale: 90_000,
      },
      stats(T0),
    ];
    for (const record of records) {
      const line = JSON.parse(JSON.stringify(toStored(record))) as unknown;
      expect(fromStored(line)).toEqual(record);
    }
    expect(() => fromStored({ t: "frame", at: T0, track: "x", sequence: -1, index: 0, size: 0, payload: "" })).toThrow(
      /at sequence/,
    );
  });
});

describe("the peer's SETUP", () => {
  it("is read from the SETUP message received, and forgotten with its session", () => {
    const o = new Observation();
    o.apply({ t: "state", at: T0, status: "connected", version: "moq-lite-06", transport: "websocket", error: null });
    expect(o.state.peer).toBeNull();
    o.apply(event(T0 + 1, "message", 3, { probe: 1, role: 0, hop: 77 }, { name: "SETUP" }));
    expect(o.state.peer).toEqual({ probe: 1, role: 0, hop: 77, cost: null });
    // Our own SETUP going out says nothing about the peer.
    o.apply(event(T0 + 2, "message", 2, { probe: 2, role: 1 }, { name: "SETUP", direction: "sent" }));
    expect(o.state.peer?.probe).toBe(1);
    o.apply({
      t: "state",
      at: T0 + 3,
      status: "connected",
      version: "moq-lite-04",
      transport: "websocket",
      error: null,
    });
    expect(o.state.peer).toBeNull();
  });
});
