import { describe, expect, it } from "vitest";
import { ErrorCode, MoqError } from "../../../main/moq/errors.ts";
import { GroupProducer } from "../../../main/moq/model/group.ts";
import { readAll, str, text, tick } from "./helpers.ts";

describe("GroupProducer / GroupConsumer", () => {
  it("gives every consumer every frame in order, exactly once", async () => {
    const group = new GroupProducer(7);
    const readers = [group.consume(), group.consume(), group.consume()];
    const results = readers.map((r) => readAll(r));
    for (let i = 0; i < 100; i++) {
      group.writeFrame(text(`f${i}`));
      if (i % 10 === 0) await tick();
    }
    group.close();
    const expected = Array.from({ length: 100 }, (_, i) => `f${i}`);
    for (const frames of await Promise.all(results)) expect(frames.map(str)).toEqual(expected);
    expect(readers[0]!.sequence).toBe(7);
    expect(group.frameCount).toBe(100);
  });

  it("a consumer created late starts from frame 0", async () => {
    const group = new GroupProducer(0);
    group.writeFrame(text("a"));
    group.writeFrame(text("b"));
    const late = group.consume();
    group.writeFrame(text("c"));
    group.close();
    expect((await readAll(late)).map(str)).toEqual(["a", "b", "c"]);
    // After the end, a new consumer still reads the whole group.
    expect((await readAll(group.consume())).map(str)).toEqual(["a", "b", "c"]);
  });

  it("a pending read resolves when a frame is written and undefined on close", async () => {
    const group = new GroupProducer(1);
    const reader = group.consume();
    const pending = reader.readFrame();
    group.writeFrame(text("x"));
    expect(str((await pending)!)).toBe("x");
    const end = reader.readFrame();
    group.close();
    expect(await end).toBeUndefined();
    expect(await reader.readFrame()).toBeUndefined();
    expect(group.state).toBe("closed");
    expect(await group.ended).toBeUndefined();
  });

  it("after closeWithError delivers the frames written before, then rejects with the code", async () => {
    const group = new GroupProducer(3);
    const reader = group.consume();
    group.writeFrame(text("one"));
    group.writeFrame(text("two"));
    group.closeWithError(ErrorCode.Cancelled + 70, "gone");
    expect(str((await reader.readFrame())!)).toBe("one");
    expect(str((await reader.readFrame())!)).toBe("two");
    const err = await reader.readFrame().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoqError);
    expect((err as MoqError).code).toBe(70);
    expect((err as MoqError).message).toBe("gone");
    // The error repeats; it does not turn into a clean end.
    await expect(reader.readFrame()).rejects.toMatchObject({ code: 70 });
    expect(await group.ended).toEqual({ code: 70, reason: "gone" });
  });

  it("rejects a pending read when the group is aborted", async () => {
    const group = new GroupProducer(0);
    const reader = group.consume();
    const pending = reader.readFrame();
    group.closeWithError(ErrorCode.Timeout);
    await expect(pending).rejects.toMatchObject({ name: "MoqError", code: ErrorCode.Timeout });
  });

  it("refuses writes after the end, and the first end wins", () => {
    const group = new GroupProducer(0);
    group.close();
    group.closeWithError(5);
    expect(group.state).toBe("closed");
    expect(group.error).toBeUndefined();
    expect(() => group.writeFrame(text("late"))).toThrow(expect.objectContaining({ code: ErrorCode.Closed }));
  });

  it("cancel detaches only that consumer", async () => {
    const group = new GroupProducer(0);
    const a = group.consume();
    const b = group.consume();
    const pendingA = a.readFrame();
    a.cancel();
    expect(await pendingA).toBeUndefined();
    group.writeFrame(text("x"));
    group.close();
    expect(await a.readFrame()).toBeUndefined();
    expect((await readAll(b)).map(str)).toEqual(["x"]);
  });

  it("counts bytes; an empty frame is a frame, not the end", async () => {
    const group = new GroupProducer(0);
    group.writeFrame(new Uint8Array(10));
    group.writeFrame(new Uint8Array(0));
    group.writeFrame(new Uint8Array(5));
    group.close();
    expect(group.byteCount).toBe(15);
    const reader = group.consume();
    expect((await readAll(reader)).map((f) => f.byteLength)).toEqual([10, 0, 5]);
    expect(reader.framesRead).toBe(3);
  });
});

describe("release mode (frames dropped once read)", () => {
  it("drops a frame only after every reader has read it", async () => {
    const group = new GroupProducer(0, { releaseRead: true });
    const a = group.consume();
    const b = group.consume();
    for (const f of ["f0", "f1", "f2"]) group.writeFrame(text(f));
    expect(str((await a.readFrame())!)).toBe("f0");
    expect(str((await a.readFrame())!)).toBe("f1");
    // b has read nothing yet, so a reader joining now still starts at frame 0.
    expect(str((await group.consume().readFrame())!)).toBe("f0");
    expect(str((await b.readFrame())!)).toBe("f0");
    expect(str((await b.readFrame())!)).toBe("f1");
    b.cancel();
    // Both passed f0 and f1 (the late reader is still at 1): it holds f1 and f2 back only.
    const late = group.consume();
    expect(late.framesRead).toBe(1);
    expect(str((await late.readFrame())!)).toBe("f1");
  });

  it("keeps nothing once the last reader finished", async () => {
    const group = new GroupProducer(0, { releaseRead: true });
    const reader = group.consume();
    group.writeFrame(text("only"));
    group.close();
    expect((await readAll(reader)).map(str)).toEqual(["only"]);
    expect(await readAll(group.consume())).toEqual([]);
    expect(group.frameCount).toBe(1);
  });
});
