// The studio against its embedded relay and demo on 127.0.0.1: the tree, a hang video track's
// timeline, latency breakdown, catalog, timestamps and delivery delay; the inspector; the message
// log's filter and limit; a recording made live and browsed read-only.

import { appendFile, copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppServices } from "../../../main/studio/app-services.ts";
import { createStudio } from "../../../main/studio/index.ts";
import type { ChangeListener } from "../../../main/studio/live/collection.ts";
import { T, tempDir, untilView } from "./helpers.ts";

const VIDEO = "demo/video.hang";
const VIDEO_TRACK = "video/synthetic";

describe("studio with the embedded demo relay", () => {
  let studio: AppServices;
  let dir: { path: string; remove(): Promise<void> };
  let track: string;

  beforeAll(async () => {
    dir = await tempDir();
    studio = await createStudio({ configDir: dir.path, appVersion: "0.0.0-test", host: "browser", embeddedDemo: true });
  });

  afterAll(async () => {
    await studio?.close();
    await dir?.remove();
  });

  it("connects the default connection and shows the demo broadcasts in the tree", async () => {
    const connections = studio.openView("connections", {});
    const summary = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === "default" && c.status === "connected"),
      "the default connection to connect",
    );
    expect(summary.profileId).toBe("local-demo");
    expect(summary.version).toBe("moq-lite-06");
    expect(summary.url).not.toContain("jwt");
    // The embedded relay's SETUP: it reports probes, does both, and names its hop.
    const peer = await untilView(
      connections,
      (items) => items.find((c) => c.connectionId === "default" && c.peer)?.peer ?? undefined,
      "the relay's SETUP",
    );
    expect(peer).toMatchObject({ probe: 1, role: 0, cost: null });
    expect(peer.hop).toBeGreaterThan(0);
    const tree = studio.openView("tree", { connectionId: "default" });
    const nodes = await untilView(
      tree,
      (items) => {
        const clock = items.find((n) => n.key === "demo/clock");
        const video = items.find((n) => n.key === VIDEO);
        return clock?.active && video?.active ? items : undefined;
      },
      "demo/clock and demo/video.hang in the tree",
    );
    const demo = nodes.find((n) => n.key === "demo")!;
    expect(demo).toMatchObject({ broadcast: false, parent: null, depth: 0, activeCount: 2, totalCount: 2 });
    expect(nodes.find((n) => n.key === VIDEO)).toMatchObject({ broadcast: true, parent: "demo", name: "video.hang" });
    expect(nodes.find((n) => n.key === VIDEO)!.announcedAt).toBeGreaterThan(0);
  });

  it("subscribes to the hang video: complete groups, latency breakdown, catalog, timestamps, delivery delay", async () => {
    ({ track } = await studio.handlers["track:subscribe"]({
      connectionId: "default",
      broadcast: VIDEO,
      track: VIDEO_TRACK,
    }));
    const broadcast = studio.openView("broadcast", { connectionId: "default", broadcast: VIDEO });
    const info = await untilView(
      broadcast,
      (items) => (items[0] && items[0].renditions.length > 0 ? items[0] : undefined),
      "the catalog",
    );
    expect(info.isHang).toBe(true);
    expect(info.renditions).toEqual([
      expect.objectContaining({ track: VIDEO_TRACK, kind: "video", codec: "avc1.64001f", width: 1280, height: 720 }),
    ]);
    expect(JSON.parse(info.catalogJson!)).toHaveProperty("video");
    broadcast.close?.();

    const timeline = studio.openView("timeline", { connectionId: "default" });
    const complete = await untilView(
      timeline,
      (bars) => bars.find((b) => b.track === track && b.status === "complete" && b.frames > 0),
      "a complete group on the timeline",
    );
    expect(complete.lastByteAt).toBeGreaterThanOrEqual(complete.firstByteAt);
    expect(complete.bytes).toBeGreaterThan(0);

    const tracks = studio.openView("tracks", { connectionId: "default" });
    const row = await untilView(
      tracks,
      (rows) =>
        rows.find((r) => r.key === track && r.hang?.deliveryDelayMs !== null && r.latency.firstFrameMs !== null),
      "the track row with latency and delivery delay",
    );
    expect(row.status).toBe("active");
    const { latency } = row;
    expect(latency.subscribeSentAt).toBeGreaterThan(0);
    expect(latency.okMs).not.toBeNull();
    expect(latency.firstGroupMs).not.toBeNull();
    expect(latency.firstFrameMs).not.toBeNull();
    expect(latency.okMs!).toBeGreaterThanOrEqual(0);
    expect(latency.firstFrameMs!).toBeGreaterThanOrEqual(latency.firstGroupMs!);
    expect(row.hang).toMatchObject({ kind: "video", catalogBitrate: 2_500_000, timescale: 1_000_000 });
    // The relay's TRACK_INFO (06): the demo's µs clock and the default retention window.
    expect(row.info).toEqual({ timescale: 1_000_000, maxAgeMs: 5000, priority: 0 });
    // The demo stamps wall-clock µs: on loopback the delay is small and positive-ish.
    expect(Math.abs(row.hang!.deliveryDelayMs!)).toBeLessThan(10_000);
    expect(row.groups).toBeGreaterThan(0);
    expect(row.frames).toBeGreaterThan(0);

    const frames = await studio.handlers["group:frames"]({
      connectionId: "default",
      track,
      sequence: complete.sequence,
    });
    expect(frames.length).toBe(complete.frames);
    expect(frames[0]).toMatchObject({ index: 0, keyframe: true, kept: true });
    expect(frames[1]).toMatchObject({ index: 1, keyframe: false });
    expect(frames[1]!.timestampUs! - frames[0]!.timestampUs!).toBeCloseTo(1_000_000 / 30, -3);
    const key = await studio.handlers["frame:open"]({
      connectionId: "default",
      track,
      sequence: complete.sequence,
      index: 0,
    });
    expect(key.keyframe).toBe(true);
    expect(key.timestampUs).toBe(frames[0]!.timestampUs);
    expect(key.nalUnits?.[0]).toMatchObject({ type: 5, name: "IDR slice" });
    const delta = await studio.handlers["frame:open"]({
      connectionId: "default",
      track,
      sequence: complete.sequence,
      index: 1,
    });
    expect(delta.nalUnits?.[0]).toMatchObject({ type: 1, name: "non-IDR slice" });
    expect(Buffer.from(delta.base64, "base64").length).toBe(Math.min(delta.size, 64 * 1024));
  });

  it("shows a subscription the publisher refuses as failed, with the code in words", async () => {
    const { track: missing } = await studio.handlers["track:subscribe"]({
      connectionId: "default",
      broadcast: "demo/clock",
      track: "no-such-track",
    });
    const tracks = studio.openView("tracks", { connectionId: "default" });
    const row = await untilView(
      tracks,
      (rows) => rows.find((r) => r.key === missing && r.status === "failed"),
      "failed",
    );
    expect(row.error).toMatch(/NotFound/);
    expect(row.flags).toContain("failed");
    const findings = studio.openView("findings", { connectionId: "default" }).items();
    expect(findings.find((f) => f.subject === missing)).toMatchObject({ severity: "error", kind: "reset" });
    await studio.handlers["track:unsubscribe"]({ connectionId: "default", track: missing });
    expect(tracks.get(missing)?.status).toBe("ended");
  });

  it("serves the newest matching messages, up to the limit, removing rows that fall out", async () => {
    const view = studio.openView("messages", {
      connectionId: "default",
      filter: { types: ["FRAME"], track },
      limit: 5,
    });
    const removed: string[] = [];
    const listener: ChangeListener = (key, gone) => {
      if (gone) removed.push(key);
    };
    view.subscribe(listener);
    await untilView(view, (rows) => rows.length === 5 && removed.length >= 3, "FRAME rows to arrive and roll over");
    const rows = view.items();
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.type === "FRAME" && r.track === track && r.broadcast === VIDEO)).toBe(true);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => a - b));
    expect(rows[4]!.sequence).not.toBeNull();
    view.close?.();

    const subscribes = studio.openView("messages", { connectionId: "default", filter: { text: "subscribe" } });
    expect(subscribes.items().some((r) => r.type === "SUBSCRIBE" && r.direction === "sent")).toBe(true);
    expect(subscribes.items().some((r) => r.type === "SUBSCRIBE_START" && r.direction === "received")).toBe(true);
    subscribes.close?.();
  });

  it("samples stats every second and shows the probe state", async () => {
    const stats = studio.openView("stats", { connectionId: "default" });
    const samples = await untilView(stats, (items) => (items.length >= 2 ? items : undefined), "two stats samples");
    const last = samples[samples.length - 1]!;
    expect(last.bytesReceived).toBeGreaterThan(0);
    expect(last.messages).toBeGreaterThan(0);
    expect(last.streams).toBeGreaterThan(0);
    const summary = studio.openView("connections", {}).get("default")!;
    expect(["waiting", "reporting", "unsupported"]).toContain(summary.probe.state);
    const measured = await untilView(
      stats,
      (items) => items.find((s) => s.rttMs !== null && s.rttLatestMs !== null),
      "a sample with RTT",
    );
    expect(measured.rttMs!).toBeGreaterThan(0);
    expect(studio.openView("connections", {}).get("default")!.rttMs).not.toBeNull();
  });

  it("records the connection and opens the recording read-only with the same items", async () => {
    const startedAt = Date.now();
    const started = await studio.handlers["recording:start"]({ connectionId: "default" });
    expect(started.path.startsWith(dir.path)).toBe(true);
    const timeline = studio.openView("timeline", { connectionId: "default" });
    await untilView(
      timeline,
      (bars) => bars.some((b) => b.track === track && b.status === "complete" && b.firstByteAt > startedAt),
      "a group to start and complete while recording",
      T,
    );
    const file = await studio.handlers["recording:stop"]({ connectionId: "default" });
    expect(file.bytes).toBeGreaterThan(0);
    expect((await studio.handlers["recording:list"]()).map((f) => f.path)).toContain(file.path);

    const { connectionId } = await studio.handlers["recording:open"]({ path: file.path });
    const summary = studio.openView("connections", {}).get(connectionId)!;
    expect(summary).toMatchObject({ readOnly: true, status: "closed" });

    const tree = studio.openView("tree", { connectionId }).items();
    expect(tree.filter((n) => n.active).map((n) => n.key)).toEqual(expect.arrayContaining(["demo/clock", VIDEO]));
    const rows = studio.openView("tracks", { connectionId }).items();
    expect(rows.map((r) => r.key)).toContain(track);
    // TRACK_INFO came before the recording started: its opening snapshot carries it.
    expect(rows.find((r) => r.key === track)?.info).toEqual({ timescale: 1_000_000, maxAgeMs: 5000, priority: 0 });
    // Every group completed while recording reads back the same.
    const live = studio.openView("timeline", { connectionId: "default" });
    const replayed = studio
      .openView("timeline", { connectionId })
      .items()
      .filter((b) => b.status === "complete");
    expect(replayed.length).toBeGreaterThan(0);
    for (const bar of replayed) {
      const original = live.get(bar.key);
      if (original)
        expect(bar).toMatchObject({ frames: original.frames, bytes: original.bytes, sequence: original.sequence });
    }
    const frames = await studio.handlers["group:frames"]({ connectionId, track, sequence: replayed[0]!.sequence });
    expect(frames[0]).toMatchObject({ keyframe: true });
    expect(studio.openView("messages", { connectionId }).items().length).toBeGreaterThan(0);
    expect(studio.openView("stats", { connectionId }).items().length).toBeGreaterThan(0);
    expect(() => studio.handlers["track:subscribe"]({ connectionId, broadcast: VIDEO, track: VIDEO_TRACK })).toThrow(
      /recording/,
    );
    await studio.handlers["connection:close"]({ connectionId });
    expect(() => studio.openView("tree", { connectionId })).toThrow(/no connection named .* \(it was closed\)/);
  });
  it("opens a recording cut short up to the cut, and refuses files outside the recordings folder", async () => {
    const started = await studio.handlers["recording:start"]({ connectionId: "default" });
    const stats = studio.openView("stats", { connectionId: "default" });
    const before = stats.items().length;
    await untilView(stats, (s) => s.length >= before + 2, "two stats samples while recording", T);
    const file = await studio.handlers["recording:stop"]({ connectionId: "default" });
    // A crash mid-write leaves half a line at the end.
    await appendFile(file.path, '{"t":"stats","at":1');
    const { connectionId } = await studio.handlers["recording:open"]({ path: file.path });
    const summary = studio.openView("connections", {}).get(connectionId)!;
    expect(summary.error).toMatch(/showing the \d+ records before a problem: .*line \d+/);
    expect(studio.openView("stats", { connectionId }).items().length).toBeGreaterThan(0);
    await studio.handlers["connection:close"]({ connectionId });

    const outside = join(dir.path, "elsewhere.moqrec.jsonl");
    await copyFile(started.path, outside);
    await expect(studio.handlers["recording:open"]({ path: outside })).rejects.toThrow(
      /only recordings in .* can be opened/,
    );
    await expect(studio.handlers["recording:open"]({ path: "../../etc/passwd" })).rejects.toThrow(
      /only recordings in .* can be opened/,
    );
  });
});
