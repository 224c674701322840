// The demo broadcasts: their shape (hang catalog, GOPs, frame sizes, timestamps, clock text) in
// fake time, then live through our own server on 127.0.0.1 with a real subscriber.

import { toPath } from "../../../main/moq/model/path.ts";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readVarintAt, varintLength } from "../../../main/moq/coding/varint.ts";
import type { TrackConsumer } from "../../../main/moq/model/track.ts";
import type { GroupReader } from "../../../main/moq/model/types.ts";
import { TrackMux, type AnnouncementChange } from "../../../main/moq/mux.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import { ErrorCode, MoqError } from "../../../main/moq/errors.ts";
import {
  CATALOG_TRACK,
  CLOCK_TRACK,
  ClockBroadcast,
  DEFAULT_VIDEO_CONFIG,
  VIDEO_TRACK,
  meanFrameSizes,
  startDemo,
  SyntheticVideoFrames,
  type Demo,
} from "../../../main/studio/demo/index.ts";
import { connectTo, startServer, type TestServer } from "../../helpers/server.ts";
import { str, within } from "../../helpers/wait.ts";

const VIDEO = "demo/video.hang";
const CLOCK = "demo/clock";

/** hang legacy frame → timestamp (µs) and payload (hang.md §6.1). */
function decodeLegacy(frame: Uint8Array): { timestampUs: number; payload: Uint8Array } {
  const len = varintLength(frame[0]!);
  return { timestampUs: readVarintAt(frame, 0), payload: frame.subarray(len) };
}

/** Every frame of a group that has ended (or `limit` frames of an open one). */
async function readFrames(group: GroupReader, limit = Infinity): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  while (frames.length < limit) {
    const frame = await group.readFrame();
    if (frame === undefined) break;
    frames.push(frame);
  }
  return frames;
}

const isU53 = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

function serve(mux: TrackMux, broadcast: string, track: string): TrackConsumer {
  return mux.serve({ broadcast: toPath(broadcast), track, priority: 0, ordered: true, maxLatencyMs: 0 });
}

describe("demo broadcasts in fake time", () => {
  let demo: Demo | undefined;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });

  afterEach(() => {
    demo?.stop();
    demo = undefined;
    vi.useRealTimers();
  });

  it("publishes a clock and a hang video broadcast under the prefix", () => {
    const mux = new TrackMux();
    demo = startDemo(mux, { clock: () => Date.now() });
    expect(demo.broadcasts).toEqual([CLOCK, VIDEO]);
    expect(
      mux
        .active(toPath("demo"))
        .map((c) => c.path)
        .sort(),
    ).toEqual([CLOCK, VIDEO]);
    demo.stop();
    demo = startDemo(mux, { prefix: toPath("/my/room/") });
    expect(demo.broadcasts).toEqual(["my/room/clock", "my/room/video.hang"]);
  });

  it("carries one valid hang catalog, published once", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 3, 12, 0, 0));
    const mux = new TrackMux();
    demo = startDemo(mux);
    vi.advanceTimersByTime(10_000);
    const group = await serve(mux, VIDEO, CATALOG_TRACK).nextGroup();
    expect(group?.sequence).toBe(0);
    const frames = await readFrames(group!);
    expect(frames).toHaveLength(1);
    const catalog = JSON.parse(str(frames[0])!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field below

    // hang.md §4: root { video: { renditions (required), display? } }, VideoConfig.codec required.
    expect(Object.keys(catalog)).toEqual(["video"]);
    const renditions = catalog.video.renditions as Record<string, Record<string, unknown>>;
    expect(Object.keys(renditions)).toEqual([VIDEO_TRACK]);
    const config = renditions[VIDEO_TRACK]!;
    expect(config.codec).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect(config.container).toEqual({ kind: "legacy" });
    for (const key of ["codedWidth", "codedHeight", "bitrate", "jitter"]) expect(isU53(config[key]), key).toBe(true);
    expect(config).toMatchObject({ codedWidth: 1280, codedHeight: 720, framerate: 30, bitrate: 2_500_000, jitter: 34 });
    expect(config.optimizeForLatency).toBe(true);
    expect(isU53(catalog.video.display.width) && isU53(catalog.video.display.height)).toBe(true);
    expect(config).not.toHaveProperty("description");
  });

  it("writes GOPs of 60 frames, keyframe first and larger, at the target bitrate, stamped 1/30 s apart", async () => {
    const start = Date.UTC(2026, 10, 3, 12, 0, 0, 123);
    vi.setSystemTime(start);
    const mux = new TrackMux();
    demo = startDemo(mux, { clock: () => Date.now() });
    const video = serve(mux, VIDEO, VIDEO_TRACK);
    vi.advanceTimersByTime(4000); // frames 0..120: groups 0 and 1 complete, group 2 opened

    const frames: Uint8Array[] = [];
    for (const expected of [0, 1]) {
      const group = await video.nextGroup();
      expect(group?.sequence).toBe(expected);
      const gop = await readFrames(group!);
      expect(gop).toHaveLength(60);
      const sizes = gop.map((f) => f.byteLength);
      expect(Math.min(...sizes.slice(1)) * 5).toBeLessThan(sizes[0]!);
      // Annex B-shaped payloads: an IDR slice opens the group, non-IDR slices follow.
      gop.forEach((f, i) => {
        const { payload } = decodeLegacy(f);
        expect([...payload.subarray(0, 5)]).toEqual([0, 0, 0, 1, i === 0 ? 0x65 : 0x41]);
      });
      frames.push(...gop);
    }

    const bits = frames.reduce((sum, f) => sum + f.byteLength * 8, 0);
    const bitrate = bits / (frames.length / 30);
    expect(bitrate).toBeGreaterThan(2_500_000 * 0.8);
    expect(bitrate).toBeLessThan(2_500_000 * 1.2);

    const stamps = frames.map((f) => decodeLegacy(f).timestampUs);
    expect(stamps[0]).toBe(start * 1000);
    for (let i = 1; i < stamps.length; i++) {
      expect(Math.abs(stamps[i]! - stamps[i - 1]! - 1_000_000 / 30)).toBeLessThanOrEqual(1);
    }
  });

  it("starts a fresh group with a keyframe after falling far behind the clock", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 3, 12, 0, 0));
    const mux = new TrackMux();
    demo = startDemo(mux);
    const video = serve(mux, VIDEO, VIDEO_TRACK);
    vi.advanceTimersByTime(500); // 16 frames into group 0
    vi.setSystemTime(Date.now() + 10_000); // the process was suspended for 10 s
    vi.advanceTimersByTime(40);

    const first = await video.nextGroup();
    expect(first?.sequence).toBe(0);
    expect(await readFrames(first!)).toHaveLength(16);
    const resumed = await video.nextGroup();
    expect(resumed?.sequence).toBe(1);
    const [key] = await readFrames(resumed!, 1);
    const { timestampUs, payload } = decodeLegacy(key!);
    expect(payload[4]).toBe(0x65);
    expect(timestampUs).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 3, 12, 0, 10) * 1000);
  });

  it("keeps going with a new group when the wall clock steps backwards", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 3, 12, 0, 0));
    const mux = new TrackMux();
    demo = startDemo(mux);
    const video = serve(mux, VIDEO, VIDEO_TRACK);
    vi.advanceTimersByTime(500);
    vi.setSystemTime(Date.now() - 60_000); // an NTP step back by a minute
    vi.advanceTimersByTime(100);

    expect(await readFrames((await video.nextGroup())!)).toHaveLength(16);
    const resumed = await video.nextGroup();
    expect(resumed?.sequence).toBe(1);
    const resumedFrames = await readFrames(resumed!, 3);
    expect(resumedFrames).toHaveLength(3);
    expect(decodeLegacy(resumedFrames[0]!).payload[4]).toBe(0x65);
    const stamps = resumedFrames.map((f) => decodeLegacy(f).timestampUs);
    expect(stamps[0]).toBeLessThan(Date.UTC(2026, 10, 3, 12, 0, 0) * 1000);
    expect(stamps[1]! - stamps[0]!).toBeCloseTo(1_000_000 / 30, -1);
  });

  it("ticks the clock every second as ISO-8601 text, one group per minute", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 3, 12, 34, 57, 400));
    const mux = new TrackMux();
    demo = startDemo(mux);
    const clock = serve(mux, CLOCK, CLOCK_TRACK);
    vi.advanceTimersByTime(5000); // ticks at :57 (at once), :58, :59, 35:00, :01, :02

    const minute34 = await clock.nextGroup();
    const texts34 = (await readFrames(minute34!)).map((f) => str(f)!);
    expect(texts34).toEqual(["2026-11-03T12:34:57.000Z", "2026-11-03T12:34:58.000Z", "2026-11-03T12:34:59.000Z"]);
    const minute35 = await clock.nextGroup();
    expect(minute35!.sequence).toBe(minute34!.sequence + 1);
    const texts35 = (await readFrames(minute35!, 3)).map((f) => str(f)!);
    expect(texts35.map((t) => new Date(t).getTime())).toEqual([0, 1, 2].map((s) => Date.UTC(2026, 10, 3, 12, 35, s)));
  });

  it("the clock takes a rate, a group length and a track name, on the grid from the epoch", async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 3, 12, 0, 1, 650));
    const mux = new TrackMux();
    const frames: string[] = [];
    const clock = new ClockBroadcast({
      track: "time",
      fps: 5,
      groupFrames: 10,
      onFrame: (f, group, index) => frames.push(`${group}.${index} ${str(f)}`),
    });
    mux.publishBroadcast("c", clock.broadcast);
    const reader = serve(mux, "c", "time");
    clock.start();
    vi.advanceTimersByTime(1000); // to 2.650: instants 1.600 (at once), 1.800, 2.000, 2.200, 2.400, 2.600
    clock.stop();
    // A group is 10 instants of 200 ms: it starts on every even second.
    expect(frames).toEqual([
      "0.0 2026-11-03T12:00:01.600Z",
      "0.1 2026-11-03T12:00:01.800Z",
      "1.0 2026-11-03T12:00:02.000Z",
      "1.1 2026-11-03T12:00:02.200Z",
      "1.2 2026-11-03T12:00:02.400Z",
      "1.3 2026-11-03T12:00:02.600Z",
    ]);
    expect(clock.tally).toEqual({ frames: 6, bytes: 6 * 24, groups: 2 });
    expect((await reader.nextGroup())?.sequence).toBe(0);
    expect(() => new ClockBroadcast({ fps: 0 })).toThrow(/fps must be a positive number/);
    expect(() => new ClockBroadcast({ groupFrames: 1.5 })).toThrow(/groupFrames must be an integer/);
  });

  it("stop() clears its timers and ends both broadcasts", async () => {
    const mux = new TrackMux();
    const changes: AnnouncementChange[] = [];
    mux.watch(toPath("demo"), (c) => changes.push(c));
    const timersBefore = vi.getTimerCount();
    demo = startDemo(mux);
    const video = serve(mux, VIDEO, VIDEO_TRACK);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBeGreaterThan(timersBefore);

    demo.stop();
    demo.stop();
    expect(vi.getTimerCount()).toBe(timersBefore);
    await Promise.resolve();
    expect(
      changes
        .filter((c) => !c.active)
        .map((c) => c.path)
        .sort(),
    ).toEqual([CLOCK, VIDEO]);
    expect(mux.active(toPath("demo"))).toEqual([]);

    // The open GOP was closed cleanly: a reader gets its frames, then the end of the track.
    const group = await video.nextGroup();
    expect(await readFrames(group!)).toHaveLength(4);
    expect(await video.nextGroup()).toBeUndefined();
    expect(await video.closed).toBeUndefined();
  });

  it("refuses a prefix already in use and leaves nothing running", () => {
    const mux = new TrackMux();
    demo = startDemo(mux);
    const timers = vi.getTimerCount();
    let error: unknown;
    try {
      startDemo(mux);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MoqError);
    expect((error as MoqError).code).toBe(ErrorCode.Duplicate);
    expect(vi.getTimerCount()).toBe(timers);
    expect(mux.active(toPath("demo"))).toHaveLength(2);
  });
});

describe("synthetic video frames", () => {
  it("is deterministic for a seed and averages the target bitrate over whole GOPs", () => {
    const a = new SyntheticVideoFrames();
    const b = new SyntheticVideoFrames();
    const gop = (g: SyntheticVideoFrames) => Array.from({ length: 60 }, (_, i) => g.frame(i * 33_333, i === 0));
    // Compared as one digest: toEqual over ~600 KB of bytes is needlessly slow.
    const digest = (frames: Uint8Array[]) => createHash("sha256").update(Buffer.concat(frames)).digest("hex");
    const fa = digest(gop(a));
    expect(digest(gop(b))).toBe(fa);
    const means = meanFrameSizes(DEFAULT_VIDEO_CONFIG);
    expect(means.key / means.delta).toBeCloseTo(10);
    // 2.5 Mb/s at 30 fps ≈ 10.4 KB per frame on average.
    expect((means.key + 59 * means.delta) / 60).toBeCloseTo(2_500_000 / 8 / 30, 6);
    const other = new SyntheticVideoFrames({ ...DEFAULT_VIDEO_CONFIG, seed: 7 });
    expect(digest(gop(other))).not.toBe(fa);
  });

  it("never puts a zero byte in the filler (no start-code emulation)", () => {
    const frames = new SyntheticVideoFrames();
    for (let i = 0; i < 10; i++) {
      const { payload } = decodeLegacy(frames.frame(1_000_000 * i, i % 5 === 0));
      expect(payload.subarray(5).includes(0)).toBe(false);
    }
  });
});

describe("demo broadcasts through a server on 127.0.0.1", () => {
  let server: TestServer | undefined;
  let client: Session | undefined;
  let demo: Demo | undefined;

  afterEach(async () => {
    demo?.stop();
    client?.close();
    await server?.close();
    demo = undefined;
    client = undefined;
    server = undefined;
  });

  it("a subscriber receives the catalog and live frames, and sees the broadcasts end on stop()", async () => {
    server = await startServer();
    demo = startDemo(server.mux);
    client = await connectTo(server.ws);

    const announced = client.announced("demo");
    const live = new Set<string>();
    while (live.size < 2) {
      const change = await within(announced.next(), 5000, "demo announcements");
      if (change?.active) live.add(change.path);
    }
    expect([...live].sort()).toEqual([CLOCK, VIDEO]);

    const catalogSub = client.subscribe(VIDEO, CATALOG_TRACK);
    const catalogGroup = await within(catalogSub.nextGroup(), 5000, "catalog group");
    const catalog = JSON.parse(str(await within(catalogGroup!.readFrame(), 5000, "catalog frame"))!);
    expect(Object.keys(catalog.video.renditions)).toEqual([VIDEO_TRACK]);
    catalogSub.close();

    const videoSub = client.subscribe(VIDEO, VIDEO_TRACK);
    const group = await within(videoSub.nextGroup(), 5000, "video group");
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) frames.push((await within(group!.readFrame(), 5000, `video frame ${i}`))!);
    const decoded = frames.map(decodeLegacy);
    for (let i = 1; i < decoded.length; i++)
      expect(decoded[i]!.timestampUs).toBeGreaterThan(decoded[i - 1]!.timestampUs);
    expect(frames.every((f) => f.byteLength > 1000)).toBe(true);

    const clockSub = client.subscribe(CLOCK, CLOCK_TRACK);
    const clockGroup = await within(clockSub.nextGroup(), 5000, "clock group");
    const tick = str(await within(clockGroup!.readFrame(), 5000, "clock frame"))!;
    expect(Number.isNaN(Date.parse(tick))).toBe(false);

    demo.stop();
    const ended = new Set<string>();
    while (ended.size < 2) {
      const change = await within(announced.next(), 5000, "demo broadcasts ending");
      if (change && !change.active) ended.add(change.path);
    }
    expect([...ended].sort()).toEqual([CLOCK, VIDEO]);
    announced.close();
  });
});
