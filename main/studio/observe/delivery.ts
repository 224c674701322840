// What happened to the subscriptions we serve, learned from the session's events: which ones are
// open, how many frames each has handed to the transport, and how each ended. A TrackWriter has no
// backpressure and no "delivered" signal of its own, so `pub` paces and finishes by these.

import type { Session, TimedEvent } from "../../moq/index.ts";

export interface Served {
  /** 1, 2, … in arrival order, for messages. */
  readonly number: number;
  /** Our number for the Subscribe stream. */
  readonly stream: number;
  /** The subscriber's id for the subscription (frame events carry it). */
  readonly subscribeId: number;
  readonly broadcast: string;
  readonly track: string;
  /** Frames of this subscription written to group streams so far. */
  framesSent: number;
  bytesSent: number;
  /** How our half of the Subscribe stream ended: "fin" after everything was sent. */
  end?: "fin" | "reset" | "stop";
  code?: number;
  /** It was still being served when the session closed. */
  cutByClose?: boolean;
  /** Free for the publisher's own bookkeeping (e.g. where in the track this subscriber joined). */
  offset: number;
}

export class DeliveryTracker {
  readonly #byStream = new Map<number, Served>();
  readonly #bySubscribeId = new Map<number, Served>();
  readonly #all: Served[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #subscribeListeners = new Set<(s: Served) => void>();
  readonly #endListeners = new Set<(s: Served) => void>();
  readonly #broadcast: string;
  readonly #stop: () => void;
  #closed = false;

  /** Follows subscriptions to `broadcast` only. */
  constructor(session: Session, broadcast: string) {
    this.#broadcast = broadcast;
    this.#stop = session.on((event) => this.#onEvent(event));
  }

  #onEvent(event: TimedEvent): void {
    switch (event.type) {
      case "message": {
        if (event.direction !== "received" || event.name !== "SUBSCRIBE") return;
        const f = event.fields as { id?: unknown; broadcast?: unknown; track?: unknown };
        if (f.broadcast !== this.#broadcast || typeof f.id !== "number" || typeof f.track !== "string") return;
        const served: Served = {
          number: this.#all.length + 1,
          stream: event.stream,
          subscribeId: f.id,
          broadcast: f.broadcast,
          track: f.track,
          framesSent: 0,
          bytesSent: 0,
          offset: 0,
        };
        this.#all.push(served);
        this.#byStream.set(event.stream, served);
        this.#bySubscribeId.set(f.id, served);
        for (const fn of this.#subscribeListeners) fn(served);
        break;
      }
      case "frame": {
        if (event.direction !== "sent") return;
        const served = this.#bySubscribeId.get(event.subscribeId);
        if (!served) return;
        served.framesSent++;
        served.bytesSent += event.size;
        break;
      }
      case "stream-ended": {
        if (event.half !== "send") return;
        const served = this.#byStream.get(event.stream);
        if (!served || served.end) return;
        this.#finish(served, event.how, event.code);
        break;
      }
      case "closed":
        this.#closed = true;
        for (const served of this.#all) {
          if (served.end) continue;
          served.cutByClose = true;
          this.#finish(served, "reset", event.code);
        }
        break;
      default:
        return;
    }
    this.#wake();
  }

  #finish(served: Served, how: "fin" | "reset" | "stop", code: number | undefined): void {
    served.end = how;
    served.code = code;
    this.#byStream.delete(served.stream);
    for (const fn of this.#endListeners) fn(served);
  }

  #wake(): void {
    for (const check of [...this.#waiters]) check();
  }

  /** Called for each new subscription to our broadcast, before it is served. */
  onSubscribe(fn: (s: Served) => void): void {
    this.#subscribeListeners.add(fn);
  }

  /** Called when our half of a served subscription ends. */
  onEnd(fn: (s: Served) => void): void {
    this.#endListeners.add(fn);
  }

  /** The subscription a handler was handed, by the subscriber's id in its request. */
  served(subscribeId: number | undefined): Served | undefined {
    return subscribeId === undefined ? undefined : this.#bySubscribeId.get(subscribeId);
  }

  /** Subscriptions still being served. */
  open(track?: string): Served[] {
    return this.#all.filter((s) => !s.end && (track === undefined || s.track === track));
  }

  /** Subscriptions to `track` that the session's close ended before they were done. */
  cutByClose(track: string): number {
    return this.#all.filter((s) => s.cutByClose && s.track === track).length;
  }

  get count(): number {
    return this.#all.length;
  }

  get sessionClosed(): boolean {
    return this.#closed;
  }

  /** Resolves true once `done()` holds (re-checked on every event), false if `signal` aborts first. */
  until(done: () => boolean, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (value: boolean) => {
        this.#waiters.delete(check);
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      };
      const check = () => {
        if (done()) finish(true);
      };
      const onAbort = () => finish(false);
      if (signal?.aborted) return finish(false);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(check);
      check();
    });
  }

  /** Re-check every `until()` condition now (after state outside the session changed). */
  recheck(): void {
    this.#wake();
  }

  dispose(): void {
    this.#stop();
    for (const check of [...this.#waiters]) check();
  }
}
