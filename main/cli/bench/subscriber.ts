// The subscribing side of one bench connection: watch announcements under the prefix, keep up to
// `want` subscriptions to broadcasts of other connections (picked at random among those live),
// and count what arrives.

import type { AnnouncementReader, GroupReader, Session, Subscription } from "../../moq/node.ts";
import { GapTracker } from "../../studio/observe/gaps.ts";
import { BENCH_TRACK, readStamp, wallClockMs } from "./publisher.ts";
import type { BenchTally } from "./tally.ts";

export class BenchSubscriber {
  readonly #session: Session;
  readonly #own: ReadonlySet<string>;
  readonly #want: number;
  readonly #tally: BenchTally;
  readonly #reader: AnnouncementReader;
  /** Live broadcasts of others not subscribed to. */
  readonly #candidates = new Set<string>();
  readonly #subscriptions = new Map<string, Subscription>();
  #stopped = false;

  constructor(session: Session, prefix: string, own: ReadonlySet<string>, want: number, tally: BenchTally) {
    this.#session = session;
    this.#own = own;
    this.#want = want;
    this.#tally = tally;
    this.#reader = session.announced(prefix);
    void this.#watch();
  }

  get subscriptions(): number {
    return this.#subscriptions.size;
  }

  stop(): void {
    this.#stopped = true;
    this.#reader.close();
    for (const sub of this.#subscriptions.values()) sub.close();
    this.#subscriptions.clear();
  }

  async #watch(): Promise<void> {
    for (;;) {
      let change;
      try {
        change = await this.#reader.next();
      } catch {
        return;
      }
      if (!change || this.#stopped) return;
      if (this.#own.has(change.path)) continue;
      if (change.active) {
        this.#candidates.add(change.path);
      } else {
        this.#candidates.delete(change.path);
        this.#subscriptions.get(change.path)?.close();
        this.#subscriptions.delete(change.path);
      }
      this.#fill();
    }
  }

  /** Subscribe to random candidates until `want` subscriptions are open. */
  #fill(): void {
    while (this.#subscriptions.size < this.#want && this.#candidates.size > 0) {
      const list = [...this.#candidates];
      const path = list[Math.floor(Math.random() * list.length)]!;
      this.#candidates.delete(path);
      const sub = this.#session.subscribe(path, BENCH_TRACK);
      this.#subscriptions.set(path, sub);
      void this.#read(path, sub);
    }
  }

  async #read(path: string, sub: Subscription): Promise<void> {
    const gaps = new GapTracker();
    let first = true;
    for (;;) {
      let group: GroupReader | undefined;
      try {
        group = await sub.nextGroup();
      } catch {
        group = undefined;
      }
      if (!group || this.#stopped) break;
      if (!gaps.arrived(group.sequence)) {
        group.cancel();
        continue;
      }
      this.#tally.groupReceived();
      // The first group was already under way when we joined: its age is not a delivery latency.
      void this.#readGroup(group, gaps, !first);
      first = false;
    }
    // The subscription ended (the broadcast went away or was refused): make room for another.
    if (this.#subscriptions.get(path) === sub) {
      this.#subscriptions.delete(path);
      if (!this.#stopped) this.#fill();
    }
  }

  async #readGroup(group: GroupReader, gaps: GapTracker, timed: boolean): Promise<void> {
    for (let index = 0; ; index++) {
      let frame: Uint8Array | undefined;
      try {
        frame = await group.readFrame();
      } catch {
        // Reset (the publisher or the session went away): what arrived is counted already.
        return;
      }
      if (this.#stopped) return;
      if (frame === undefined) {
        this.#tally.groupsLost(gaps.completed(group.sequence));
        return;
      }
      if (index === 0 && timed) {
        const sentAt = readStamp(frame);
        if (sentAt !== undefined) this.#tally.latency(wallClockMs() - sentAt);
      }
      this.#tally.received(frame.length);
    }
  }
}
