import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ErrorCode, MoqError } from "../../../main/moq/errors.ts";
import { TrackProducer } from "../../../main/moq/model/track.ts";
import { readAll, readTrack, str, text, tick } from "./helpers.ts";

/** Write one group with the given frames and close it. */
function writeGroup(track: TrackProducer, frames: string[], sequence?: number): void {
  const group = track.openGroup(sequence);
  for (const f of frames) group.writeFrame(text(f));
  group.close();
}

describe("TrackProducer / TrackConsumer", () => {
  it("numbers groups from 0 and delivers them to every consumer", async () => {
    const track = new TrackProducer("video");
    const a = track.consume();
    const b = track.consume();
    const results = [readTrack(a), readTrack(b)];
    writeGroup(track, ["k0", "d0"]);
    await tick();
    writeGroup(track, ["k1"]);
    writeGroup(track, []);
    track.close();
    const expected = [
      [0, ["k0", "d0"]],
      [1, ["k1"]],
      [2, []],
    ];
    expect(await results[0]).toEqual(expected);
    expect(await results[1]).toEqual(expected);
    expect(track.latestSequence).toBe(2);
    expect(await track.closed).toBeUndefined();
  });

  it("a late consumer starts at the latest group, from its first frame", async () => {
    const track = new TrackProducer("t");
    writeGroup(track, ["old"]);
    const current = track.openGroup();
    current.writeFrame(text("key"));
    current.writeFrame(text("delta1"));
    const late = track.consume();
    current.writeFrame(text("delta2"));
    current.close();
    writeGroup(track, ["next"]);
    track.close();
    expect(await readTrack(late)).toEqual([
      [1, ["key", "delta1", "delta2"]],
      [2, ["next"]],
    ]);
  });

  it("the latest group is the highest sequence, not the last opened", async () => {
    const track = new TrackProducer("t");
    writeGroup(track, ["ten"], 10);
    writeGroup(track, ["late nine"], 9);
    const late = track.consume();
    track.close();
    expect(await readTrack(late)).toEqual([[10, ["ten"]]]);
  });

  it("accepts explicit sequences in any order and yields them in arrival order", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 16 });
    const reader = track.consume();
    for (const seq of [5, 3, 8, 4, 100, 6]) writeGroup(track, [`g${seq}`], seq);
    expect(track.latestSequence).toBe(100);
    // Without a sequence, openGroup continues above the highest.
    writeGroup(track, ["auto"]);
    track.close();
    expect((await readTrack(reader)).map(([seq]) => seq)).toEqual([5, 3, 8, 4, 100, 6, 101]);
  });

  it("throws Duplicate for a sequence that is still cached", () => {
    const track = new TrackProducer("t", { maxCachedGroups: 2 });
    track.openGroup(4);
    expect(() => track.openGroup(4)).toThrow(expect.objectContaining({ code: ErrorCode.Duplicate }));
    track.openGroup(1);
    track.openGroup(2); // group 4 leaves the window but stays the latest
    expect(() => track.openGroup(4)).toThrow(MoqError);
    expect(() => track.openGroup(-1)).toThrow(MoqError);
    expect(() => track.openGroup(1.5)).toThrow(MoqError);
  });

  it("close lets consumers drain what was opened, then ends them", async () => {
    const track = new TrackProducer("t");
    const reader = track.consume();
    writeGroup(track, ["a"]);
    writeGroup(track, ["b"]);
    track.close();
    expect(() => track.openGroup()).toThrow(expect.objectContaining({ code: ErrorCode.Closed }));
    expect(await readTrack(reader)).toEqual([
      [0, ["a"]],
      [1, ["b"]],
    ]);
    expect(await reader.nextGroup()).toBeUndefined();
    expect(await reader.closed).toBeUndefined();
  });

  it("a group opened before close can still be written and read after it", async () => {
    const track = new TrackProducer("t");
    const reader = track.consume();
    const group = track.openGroup();
    track.close();
    const g = (await reader.nextGroup())!;
    const frames = readAll(g);
    group.writeFrame(text("after"));
    group.close();
    expect((await frames).map(str)).toEqual(["after"]);
    expect(await reader.nextGroup()).toBeUndefined();
  });

  it("closeWithError rejects nextGroup with the code; groups already handed out stay readable", async () => {
    const track = new TrackProducer("t");
    const reader = track.consume();
    const group = track.openGroup();
    group.writeFrame(text("kept"));
    const g = (await reader.nextGroup())!;
    const pending = reader.nextGroup();
    track.closeWithError(ErrorCode.NotFound, "upstream went away");
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoqError);
    expect(err).toMatchObject({ code: ErrorCode.NotFound, message: "upstream went away" });
    await expect(reader.nextGroup()).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await reader.closed).toEqual({ code: ErrorCode.NotFound, reason: "upstream went away" });
    expect(await track.closed).toEqual({ code: ErrorCode.NotFound, reason: "upstream went away" });
    group.close();
    expect((await readAll(g)).map(str)).toEqual(["kept"]);
    // A consumer made after the abort fails at once.
    await expect(track.consume().nextGroup()).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it("consumer close ends its pending nextGroup and its closed promise", async () => {
    const track = new TrackProducer("t");
    const a = track.consume();
    const b = track.consume();
    const pending = a.nextGroup();
    const closed = a.closed;
    a.close();
    expect(await pending).toBeUndefined();
    expect(await closed).toBeUndefined();
    writeGroup(track, ["x"]);
    expect(await a.nextGroup()).toBeUndefined();
    expect((await b.nextGroup())!.sequence).toBe(0);
  });

  it("onUnused fires when the last consumer closes, not before", () => {
    const track = new TrackProducer("t");
    let fired = 0;
    const off = track.onUnused(() => fired++);
    const a = track.consume();
    const b = track.consume();
    expect(track.consumerCount).toBe(2);
    a.close();
    a.close(); // idempotent
    expect(fired).toBe(0);
    b.close();
    expect(fired).toBe(1);
    expect(track.consumerCount).toBe(0);
    // Used again, then unused again.
    track.consume().close();
    expect(fired).toBe(2);
    off();
    track.consume().close();
    expect(fired).toBe(2);
  });

  it("onUnused does not fire when consumers end because the track ended", async () => {
    const track = new TrackProducer("t");
    let fired = 0;
    track.onUnused(() => fired++);
    const reader = track.consume();
    track.close();
    expect(await reader.nextGroup()).toBeUndefined();
    reader.close();
    expect(track.consumerCount).toBe(0);
    expect(fired).toBe(0);
  });

  it("keeps a bounded cache; a stalled consumer skips ahead and counts what it missed", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 4 });
    const stalled = track.consume();
    let maxCached = 0;
    for (let i = 0; i < 10_000; i++) {
      writeGroup(track, [`g${i}`]);
      maxCached = Math.max(maxCached, track.cachedGroupCount);
    }
    expect(maxCached).toBe(4);
    expect(track.groupsOpened).toBe(10_000);
    expect(track.getGroup(0)).toBeUndefined();
    expect(track.getGroup(9_999)).toBeDefined();
    track.close();
    expect(await readTrack(stalled)).toEqual([
      [9996, ["g9996"]],
      [9997, ["g9997"]],
      [9998, ["g9998"]],
      [9999, ["g9999"]],
    ]);
    expect(stalled.skippedGroups).toBe(9996);
  });

  it("with maxPendingGroups, a burst is kept until consumers reach it, then released", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 2, maxPendingGroups: 100 });
    const reader = track.consume();
    for (let i = 0; i < 50; i++) writeGroup(track, [`g${i}`]);
    expect(track.cachedGroupCount).toBe(50);
    track.close();
    const groups = await readTrack(reader);
    expect(groups.map(([seq]) => seq)).toEqual([...Array(50).keys()]);
    expect(reader.skippedGroups).toBe(0);
    expect(track.cachedGroupCount).toBe(2);
  });

  it("maxPendingGroups is a hard cap: past it the oldest go even if unread", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 2, maxPendingGroups: 10 });
    const reader = track.consume();
    for (let i = 0; i < 30; i++) writeGroup(track, [`g${i}`]);
    expect(track.cachedGroupCount).toBe(10);
    track.close();
    const groups = await readTrack(reader);
    expect(groups[0]![0]).toBe(20);
    expect(reader.skippedGroups).toBe(20);
  });

  it("evicted groups nobody holds are garbage-collectable", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const track = new TrackProducer("t", { maxCachedGroups: 4 });
    const stalled = track.consume();
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 2_000; i++) {
      const group = track.openGroup();
      group.writeFrame(new Uint8Array(1024));
      group.close();
      if (i < 100) refs.push(new WeakRef(group));
    }
    // WeakRef targets stay alive until the current job ends.
    await tick();
    gc();
    await tick();
    expect(refs.filter((r) => r.deref() !== undefined).length).toBe(0);
    expect(track.cachedGroupCount).toBe(4);
    stalled.close();
  });

  it("a consumer that stopped reading pins nothing, not even the group it was to start at", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const track = new TrackProducer("t", { maxCachedGroups: 2 });
    // Group 0 is the latest when the consumer is made, so it is where that consumer starts.
    const firstGroup = (() => {
      const group = track.openGroup();
      group.writeFrame(new Uint8Array(1024));
      group.close();
      return new WeakRef(group);
    })();
    const stalled = track.consume();
    for (let i = 1; i < 10; i++) writeGroup(track, [`g${i}`]);
    await tick();
    gc();
    await tick();
    expect(firstGroup.deref()).toBeUndefined();
    stalled.close();
  });

  it("a consumer that falls behind skips the group it was to start at once the cache let it go", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 2 });
    writeGroup(track, ["g0"]);
    const stalled = track.consume();
    for (let i = 1; i < 10; i++) writeGroup(track, [`g${i}`]);
    track.close();
    expect(await readTrack(stalled)).toEqual([
      [8, ["g8"]],
      [9, ["g9"]],
    ]);
    expect(stalled.skippedGroups).toBe(8);
  });

  it("honours a byte cap but always keeps the newest group", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 100, maxCachedBytes: 2500 });
    for (let i = 0; i < 10; i++) {
      const group = track.openGroup();
      group.writeFrame(new Uint8Array(1000));
      group.close();
    }
    expect(track.cachedGroupCount).toBe(2);
    expect(track.cachedBytes).toBe(2000);
    const tiny = new TrackProducer("t", { maxCachedBytes: 0 });
    writeGroup(tiny, ["big"]);
    writeGroup(tiny, ["big"]);
    expect(tiny.cachedGroupCount).toBe(1);
  });

  it("a consumer that keeps up never skips", async () => {
    const track = new TrackProducer("t", { maxCachedGroups: 1 });
    const reader = track.consume();
    const seen: number[] = [];
    const done = (async () => {
      for (let g = await reader.nextGroup(); g; g = await reader.nextGroup()) seen.push(g.sequence);
    })();
    for (let i = 0; i < 50; i++) {
      writeGroup(track, [String(i)]);
      await tick();
    }
    track.close();
    await done;
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(reader.skippedGroups).toBe(0);
  });

  it("rejects bad cache options", () => {
    expect(() => new TrackProducer("t", { maxCachedGroups: 0 })).toThrow(RangeError);
    expect(() => new TrackProducer("t", { maxCachedBytes: -1 })).toThrow(RangeError);
  });
});

describe("starting back in the cache by max age (moq-lite-06)", () => {
  /** Groups 0..4 starting at 0, 1000, … 4000 ms, one frame each. */
  function fiveSeconds(): TrackProducer {
    const track = new TrackProducer("v", { timescale: 1000, maxCachedGroups: 10 });
    for (let g = 0; g < 5; g++) {
      const group = track.openGroup();
      group.writeFrame(text(`g${g}`), g * 1000);
      group.close();
    }
    return track;
  }

  async function firstSequences(track: TrackProducer, maxAgeMs: number | undefined, n: number): Promise<number[]> {
    const consumer = track.consume(maxAgeMs === undefined ? {} : { maxAgeMs });
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await consumer.nextGroup())!.sequence);
    consumer.close();
    return out;
  }

  it("starts at the oldest group the age keeps fresh, then goes on with new ones", async () => {
    const track = fiveSeconds();
    // Group 4 starts at 4000; group 0 ends where group 1 starts (1000): 3000 ms old, over 2500.
    const consumer = track.consume({ maxAgeMs: 2500 });
    expect(consumer.startedAt).toBe(1);
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await consumer.nextGroup())!.sequence);
    expect(got).toEqual([1, 2, 3, 4]);
    writeGroup(track, ["g5"]);
    expect((await consumer.nextGroup())!.sequence).toBe(5);
  });

  it("an age of 0, or none, keeps only the latest group; a long one reaches the whole cache", async () => {
    const track = fiveSeconds();
    const g5 = track.openGroup();
    g5.writeFrame(text("g5"), 5000);
    g5.close();
    expect(await firstSequences(track, 0, 1)).toEqual([5]);
    expect(await firstSequences(track, undefined, 1)).toEqual([5]);
    expect(await firstSequences(track, 60_000, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    // Group 3 ends 1000 ms before the latest starts: an age of exactly that is already stale
    // (the bound is exclusive), a millisecond more keeps it.
    expect(track.consume({ maxAgeMs: 1000 }).startedAt).toBe(4);
    expect(track.consume({ maxAgeMs: 1001 }).startedAt).toBe(3);
  });
});
