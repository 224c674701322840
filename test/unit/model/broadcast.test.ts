import { describe, expect, it } from "vitest";
import { ErrorCode, MoqError } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { TrackProducer } from "../../../main/moq/model/track.ts";
import { readTrack, text, tick } from "./helpers.ts";

describe("BroadcastProducer / BroadcastConsumer", () => {
  it("subscribes to created tracks", async () => {
    const broadcast = new BroadcastProducer();
    const video = broadcast.createTrack("video");
    const reader = broadcast.consume().subscribe("video");
    const group = video.openGroup();
    group.writeFrame(text("frame"));
    group.close();
    video.close();
    expect(await readTrack(reader)).toEqual([[0, ["frame"]]]);
    expect(broadcast.getTrack("video")).toBeUndefined(); // ended tracks are forgotten
  });

  it("throws NotFound for an unknown track", () => {
    const broadcast = new BroadcastProducer();
    broadcast.createTrack("audio");
    let err: unknown;
    try {
      broadcast.consume().subscribe("video");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MoqError);
    expect((err as MoqError).code).toBe(ErrorCode.NotFound);
    expect((err as MoqError).message).toContain('"video"');
  });

  it("refuses a second live track with the same name", () => {
    const broadcast = new BroadcastProducer();
    const first = broadcast.createTrack("t");
    expect(() => broadcast.createTrack("t")).toThrow(expect.objectContaining({ code: ErrorCode.Duplicate }));
    first.close();
    expect(broadcast.createTrack("t")).not.toBe(first);
  });

  it("produces tracks on demand and shares them between subscribers", async () => {
    const broadcast = new BroadcastProducer();
    const requested: string[] = [];
    broadcast.onTrackRequest((name) => {
      requested.push(name);
      if (name !== "catalog.json") return undefined;
      const track = new TrackProducer(name);
      track.onUnused(() => track.close());
      return track;
    });
    const consumer = broadcast.consume();
    const a = consumer.subscribe("catalog.json");
    const b = consumer.subscribe("catalog.json");
    expect(requested).toEqual(["catalog.json"]);
    const track = broadcast.getTrack("catalog.json")!;
    expect(track.consumerCount).toBe(2);
    expect(() => consumer.subscribe("nope")).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));

    // When nobody listens any more the handler's track ends and is forgotten; the next
    // subscriber triggers a fresh request.
    a.close();
    b.close();
    expect(track.isEnded).toBe(true);
    consumer.subscribe("catalog.json").close();
    expect(requested).toEqual(["catalog.json", "nope", "catalog.json"]);
  });

  it("removeTrack closes the track so its readers end", async () => {
    const broadcast = new BroadcastProducer();
    broadcast.createTrack("t");
    const reader = broadcast.consume().subscribe("t");
    expect(broadcast.removeTrack("t")).toBe(true);
    expect(broadcast.removeTrack("t")).toBe(false);
    expect(await reader.nextGroup()).toBeUndefined();
    expect(broadcast.trackNames()).toEqual([]);
  });

  it("close ends every track and refuses new work", async () => {
    const broadcast = new BroadcastProducer();
    const t = broadcast.createTrack("t");
    const reader = broadcast.consume().subscribe("t");
    broadcast.close();
    expect(await broadcast.closed).toBeUndefined();
    expect(t.isEnded).toBe(true);
    expect(await reader.nextGroup()).toBeUndefined();
    expect(() => broadcast.createTrack("u")).toThrow(expect.objectContaining({ code: ErrorCode.Closed }));
    expect(() => broadcast.consume().subscribe("t")).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
  });

  it("closeWithError aborts every track with the code", async () => {
    const broadcast = new BroadcastProducer();
    broadcast.createTrack("t");
    const reader = broadcast.consume().subscribe("t");
    broadcast.closeWithError(ErrorCode.Unauthorized, "revoked");
    await expect(reader.nextGroup()).rejects.toMatchObject({ code: ErrorCode.Unauthorized });
    expect(await broadcast.consume().closed).toEqual({ code: ErrorCode.Unauthorized, reason: "revoked" });
  });

  it("applies default track options", async () => {
    const broadcast = new BroadcastProducer({ track: { maxCachedGroups: 2 } });
    const t = broadcast.createTrack("t");
    for (let i = 0; i < 5; i++) t.openGroup().close();
    expect(t.cachedGroupCount).toBe(2);
    await tick();
  });
});
