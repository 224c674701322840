import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ViewFeed, type FeedOptions, type FeedUpdate } from "../../../main/ipc/feed.ts";
import { LiveCollection, type ViewSource } from "../../../main/studio/live/collection.ts";

interface Item {
  key: string;
  value: number;
}

// The feed's clock is its flush interval; fake timers make "nothing more was sent" exact.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function start(collection: ViewSource<Item>, options: FeedOptions = {}) {
  const sent: FeedUpdate<Item>[] = [];
  const errors: unknown[] = [];
  const feed = new ViewFeed(
    collection,
    (update) => sent.push(update),
    (err) => errors.push(err),
    options,
  );
  return { feed, sent, errors };
}

function filled(n: number, capacity?: number): LiveCollection<Item> {
  const collection = new LiveCollection<Item>(capacity);
  for (let i = 0; i < n; i++) collection.set({ key: `k${i}`, value: i });
  return collection;
}

describe("ViewFeed", () => {
  it("sends a snapshot at once, as seq 1", () => {
    const { sent } = start(filled(3));
    expect(sent).toEqual([
      {
        seq: 1,
        kind: "snapshot",
        items: [
          { key: "k0", value: 0 },
          { key: "k1", value: 1 },
          { key: "k2", value: 2 },
        ],
      },
    ]);
  });

  it("coalesces a key changed a thousand times into one upsert of its current item", () => {
    const collection = filled(1);
    const { feed, sent } = start(collection);
    feed.ack(1);
    for (let i = 0; i < 1000; i++) collection.set({ key: "k0", value: i });
    vi.advanceTimersByTime(1000);
    expect(sent.slice(1)).toEqual([{ seq: 2, kind: "delta", upsert: [{ key: "k0", value: 999 }], remove: [] }]);
  });

  it("keeps the order of first change, removes what is gone, and counts seq 1, 2, 3", () => {
    const collection = filled(2);
    const { feed, sent } = start(collection);
    feed.ack(1);
    collection.set({ key: "new", value: 7 });
    collection.set({ key: "k1", value: 11 });
    collection.delete("k0");
    collection.set({ key: "brief", value: 0 });
    collection.delete("brief");
    vi.advanceTimersByTime(250);
    feed.ack(2);
    collection.set({ key: "k0", value: 100 });
    vi.advanceTimersByTime(250);
    expect(sent.slice(1)).toEqual([
      {
        seq: 2,
        kind: "delta",
        upsert: [
          { key: "new", value: 7 },
          { key: "k1", value: 11 },
        ],
        remove: ["k0", "brief"],
      },
      { seq: 3, kind: "delta", upsert: [{ key: "k0", value: 100 }], remove: [] },
    ]);
  });

  it("sends nothing while nothing changes, and at most one update per interval", () => {
    const collection = filled(1);
    const { feed, sent } = start(collection, { intervalMs: 250 });
    feed.ack(1);
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(1);

    collection.set({ key: "k0", value: 1 });
    vi.advanceTimersByTime(0);
    expect(sent).toHaveLength(2);
    feed.ack(2);
    collection.set({ key: "k0", value: 2 });
    vi.advanceTimersByTime(249);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(3);
    expect(sent[2]).toMatchObject({ seq: 3, kind: "delta", upsert: [{ key: "k0", value: 2 }] });
  });

  it("sends a snapshot instead of a delta with too many items, bounded by the source's capacity", () => {
    const collection = filled(4, 10);
    const { feed, sent } = start(collection, { maxDeltaItems: 5 });
    feed.ack(1);
    for (let i = 0; i < 50; i++) collection.set({ key: `n${i}`, value: i });
    vi.advanceTimersByTime(250);
    expect(sent[1]?.kind).toBe("snapshot");
    const snapshot = sent[1] as Extract<FeedUpdate<Item>, { kind: "snapshot" }>;
    expect(snapshot.seq).toBe(2);
    expect(snapshot.items.map((i) => i.key)).toEqual(Array.from({ length: 10 }, (_, i) => `n${40 + i}`));
  });

  it("sends a snapshot instead of a delta too large in bytes", () => {
    const collection = new LiveCollection<{ key: string; blob: string }>();
    const sent: FeedUpdate<{ key: string; blob: string }>[] = [];
    const feed = new ViewFeed(
      collection,
      (u) => sent.push(u),
      () => {},
      { maxDeltaBytes: 1000 },
    );
    feed.ack(1);
    collection.set({ key: "a", blob: "x".repeat(2000) });
    vi.advanceTimersByTime(250);
    expect(sent.map((u) => u.kind)).toEqual(["snapshot", "snapshot"]);
  });

  it("keeps at most `window` updates unacknowledged and then sends the accumulated change", () => {
    const collection = filled(1);
    const { feed, sent } = start(collection, { window: 2 });
    for (let round = 0; round < 20; round++) {
      collection.set({ key: `r${round}`, value: round });
      vi.advanceTimersByTime(250);
    }
    expect(sent.map((u) => u.seq)).toEqual([1, 2]);
    feed.ack(99); // an ack for something never sent is ignored
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(2);

    feed.ack(1);
    vi.advanceTimersByTime(250);
    expect(sent).toHaveLength(3);
    const third = sent[2] as Extract<FeedUpdate<Item>, { kind: "delta" }>;
    expect(third.seq).toBe(3);
    expect(third.upsert.map((i) => i.key)).toEqual(Array.from({ length: 19 }, (_, i) => `r${i + 1}`));
    // Window full again (2 and 3 in flight): nothing more until the next ack.
    collection.set({ key: "late", value: 1 });
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(3);
    feed.ack(3);
    vi.advanceTimersByTime(250);
    expect(sent.at(-1)).toMatchObject({ seq: 4, kind: "delta", upsert: [{ key: "late", value: 1 }] });
  });

  it("stops on close: no more updates, the source's close is called once", () => {
    const collection = filled(1);
    let closes = 0;
    const source: ViewSource<Item> = {
      items: () => collection.items(),
      get: (key) => collection.get(key),
      subscribe: (listener) => collection.subscribe(listener),
      close: () => void closes++,
    };
    const { feed, sent } = start(source);
    feed.ack(1);
    collection.set({ key: "k0", value: 5 });
    feed.close();
    feed.close();
    collection.set({ key: "k0", value: 6 });
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(1);
    expect(closes).toBe(1);
  });

  it("reports a failing source once and closes", () => {
    const collection = filled(1);
    let fail = false;
    const source: ViewSource<Item> = {
      items: () => collection.items(),
      get: (key) => {
        if (fail) throw new Error("the connection closed");
        return collection.get(key);
      },
      subscribe: (listener) => collection.subscribe(listener),
    };
    const { feed, sent, errors } = start(source);
    feed.ack(1);
    fail = true;
    collection.set({ key: "k0", value: 5 });
    vi.advanceTimersByTime(250);
    collection.set({ key: "k0", value: 6 });
    vi.advanceTimersByTime(10_000);
    expect(sent).toHaveLength(1);
    expect(errors).toEqual([new Error("the connection closed")]);
  });
});
