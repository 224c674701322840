// The queue behind announce and probe readers: what was queued is read first, then the end —
// undefined for a clean end, the error itself for a failed stream.

import { describe, expect, it } from "vitest";
import { MoqError } from "../../../../main/moq/errors.ts";
import { AsyncQueue } from "../../../../main/moq/lite/session/queue.ts";

describe("AsyncQueue", () => {
  it("hands out queued items in order, then undefined after a clean close", async () => {
    const q = new AsyncQueue<number>();
    q.push(1);
    q.push(2);
    q.close();
    expect(await q.next()).toBe(1);
    expect(await q.next()).toBe(2);
    expect(await q.next()).toBeUndefined();
    expect(await q.next()).toBeUndefined();
    expect(await q.closed).toBeUndefined();
  });

  it("throws the stream's error to its reader once what was queued is drained", async () => {
    const q = new AsyncQueue<string>();
    const reset = new MoqError(18, "probe stream was reset with code 18 Encode");
    q.push("before the reset");
    q.close(reset);
    expect(await q.next()).toBe("before the reset");
    await expect(q.next()).rejects.toBe(reset);
    // Every later read says the same: the stream failed.
    await expect(q.next()).rejects.toBe(reset);
    expect(await q.closed).toBe(reset);
  });

  it("rejects a reader that is already waiting when the stream fails", async () => {
    const q = new AsyncQueue<string>();
    const waiting = q.next();
    const reset = new MoqError(13, "announce stream was reset with code 13 NotFound");
    q.close(reset);
    await expect(waiting).rejects.toBe(reset);
  });

  it("resolves a waiting reader with undefined on a clean close, and ignores pushes after it", async () => {
    const q = new AsyncQueue<string>();
    const waiting = q.next();
    q.close();
    q.push("too late");
    expect(await waiting).toBeUndefined();
    expect(await q.next()).toBeUndefined();
  });
});
