// One watched view on its way to the UI: a ViewSource's change notifications become a snapshot,
// then coalesced deltas, a few per second at most. Between two flushes only the set of changed
// keys is kept (a key changed a thousand times is sent once, as its current item); a delta that
// would be too large becomes a snapshot (bounded by the source's own capacity); and no more than
// `window` updates are ever in flight unacknowledged, so a slow renderer receives fewer, larger
// updates instead of a growing queue. Nothing is sent while nothing changes.

import type { ViewSource } from "../studio/live/collection.ts";

export type FeedUpdate<T> =
  { seq: number; kind: "snapshot"; items: T[] } | { seq: number; kind: "delta"; upsert: T[]; remove: string[] };

export interface FeedOptions {
  /** Minimum time between two updates, in ms (default 250). */
  intervalMs?: number;
  /** A delta with more items (upserts plus removals) is sent as a snapshot (default 2000). */
  maxDeltaItems?: number;
  /** A delta whose items serialize to more JSON than this is sent as a snapshot (default 512 KiB). */
  maxDeltaBytes?: number;
  /** Updates sent and not yet acknowledged before the feed waits (default 2). */
  window?: number;
}

export const FEED_DEFAULTS: Required<FeedOptions> = {
  intervalMs: 250,
  maxDeltaItems: 2000,
  maxDeltaBytes: 512 * 1024,
  window: 2,
};

export class ViewFeed<T extends { key: string }> {
  readonly #source: ViewSource<T>;
  readonly #send: (update: FeedUpdate<T>) => void;
  readonly #onError: (error: unknown) => void;
  readonly #options: Required<FeedOptions>;
  readonly #unsubscribe: () => void;
  /** Keys changed since the last update; whether each is still present is asked at flush time. */
  readonly #changed = new Set<string>();
  /** Too much changed to describe key by key: the next update is a snapshot. */
  #snapshotDue = true;
  #seq = 0;
  #acked = 0;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * Starts at once: the snapshot is sent synchronously. `onError` hears a failure of the source
   * (the feed closes itself then); `send` must not throw.
   */
  constructor(
    source: ViewSource<T>,
    send: (update: FeedUpdate<T>) => void,
    onError: (error: unknown) => void,
    options: FeedOptions = {},
  ) {
    this.#source = source;
    this.#send = send;
    this.#onError = onError;
    this.#options = { ...FEED_DEFAULTS, ...options };
    this.#unsubscribe = source.subscribe((key) => this.#noteChange(key));
    this.#flush();
  }

  /** Sequence number of the last update sent (0 before any). */
  get seq(): number {
    return this.#seq;
  }

  /** The UI applied update `seq` (and everything before it). Acks for updates not sent are ignored. */
  ack(seq: number): void {
    if (this.#closed || seq <= this.#acked || seq > this.#seq) return;
    this.#acked = seq;
    this.#schedule();
  }

  /** Stop listening, cancel the pending flush and release the source. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#changed.clear();
    this.#unsubscribe();
    this.#source.close?.();
  }

  #noteChange(key: string): void {
    if (this.#closed || this.#snapshotDue) return;
    this.#changed.add(key);
    // Past the delta bound a snapshot is cheaper than remembering more keys: memory stays bounded.
    if (this.#changed.size > this.#options.maxDeltaItems) {
      this.#changed.clear();
      this.#snapshotDue = true;
    }
    this.#schedule();
  }

  #pending(): boolean {
    return this.#snapshotDue || this.#changed.size > 0;
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined || !this.#pending()) return;
    if (this.#seq - this.#acked >= this.#options.window) return; // the next ack reschedules
    const delay = Math.max(0, this.#lastSentAt + this.#options.intervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, delay);
  }

  #flush(): void {
    if (this.#closed || !this.#pending() || this.#seq - this.#acked >= this.#options.window) return;
    let update: FeedUpdate<T>;
    try {
      update = this.#snapshotDue ? this.#snapshot() : (this.#delta() ?? this.#snapshot());
    } catch (err) {
      this.close();
      this.#onError(err);
      return;
    }
    this.#snapshotDue = false;
    this.#changed.clear();
    this.#lastSentAt = Date.now();
    this.#send(update);
  }

  #snapshot(): FeedUpdate<T> {
    return { seq: ++this.#seq, kind: "snapshot", items: this.#source.items() };
  }

  /** The changes as a delta, or undefined when it would exceed the bounds. */
  #delta(): FeedUpdate<T> | undefined {
    if (this.#changed.size > this.#options.maxDeltaItems) return undefined;
    const upsert: T[] = [];
    const remove: string[] = [];
    for (const key of this.#changed) {
      const item = this.#source.get(key);
      if (item === undefined) remove.push(key);
      else upsert.push(item);
    }
    if (JSON.stringify(upsert).length + JSON.stringify(remove).length > this.#options.maxDeltaBytes) return undefined;
    return { seq: ++this.#seq, kind: "delta", upsert, remove };
  }
}
