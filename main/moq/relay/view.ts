// What one session sees of the relay: the served origins under its root that its subscribe patterns match,
// renamed relative to its root (and those under a mount's target, renamed into the mount) and
// announced with the relay's hop appended. The session's
// Session answers announce and subscribe streams from this view's mux, so isolation between
// roots is simply what the view leaves out.

import type { TrackConsumer } from "../model/track.ts";
import { Announcement, TrackMux } from "../mux.ts";
import type { SubscribeRequest } from "../mux.ts";
import type { Path } from "../model/path.ts";
import type { PathScope } from "./grant.ts";
import { namesOf, type Mount } from "./mounts.ts";
import type { Origin, OriginTable } from "./origin.ts";

export interface ViewHooks {
  subscribed(origin: Origin, track: string, dedup: "hit" | "miss"): void;
  unsubscribed(origin: Origin, track: string): void;
}

/** A mux that knows which origin each of its paths stands for, to log and count subscriptions. */
class ViewMux extends TrackMux {
  constructor(
    readonly shown: Map<Path, Origin>,
    readonly hooks: ViewHooks,
  ) {
    super();
  }

  override serve(request: SubscribeRequest): TrackConsumer {
    const origin = this.shown.get(request.broadcast);
    const shared = origin?.broadcast.getTrack(request.track) !== undefined;
    const consumer = super.serve(request);
    if (origin) {
      this.hooks.subscribed(origin, request.track, shared ? "hit" : "miss");
      void consumer.closed.then(() => this.hooks.unsubscribed(origin, request.track));
    }
    return consumer;
  }
}

export class SessionView {
  readonly mux: TrackMux;
  /** Origins shown, by the path the session knows them by. */
  readonly #shown = new Map<Path, Origin>();
  /** Each shown origin's announcements: one per name it goes by (a mount can add names). */
  readonly #announcements = new Map<Origin, Announcement[]>();
  #unwatch: (() => void) | undefined;

  constructor(
    readonly root: Path,
    /** What the session may subscribe to, relative to its root. */
    readonly subscribe: PathScope,
    readonly hop: number,
    hooks: ViewHooks,
    readonly mounts: readonly Mount[] = [],
  ) {
    this.mux = new ViewMux(this.#shown, hooks);
    this.mux.hop = hop;
  }

  start(table: OriginTable): void {
    this.#unwatch = table.watch((_path, before, after) => {
      if (before) this.#hide(before);
      if (after) this.#show(after);
    });
  }

  stop(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.mux.close();
  }

  #show(origin: Origin): void {
    for (const name of namesOf(this.mounts, this.root, origin.path)) {
      if (name === "" || !this.subscribe.matches(name)) continue;
      const announcement = this.mux.publishBroadcast(name, origin.broadcast, [...origin.hops, this.hop], origin.cost);
      this.#shown.set(name, origin);
      const list = this.#announcements.get(origin) ?? [];
      list.push(announcement);
      this.#announcements.set(origin, list);
      void announcement.ended.then(() => {
        if (this.#shown.get(name) === origin) this.#shown.delete(name);
        const left = this.#announcements.get(origin)?.filter((a) => a !== announcement) ?? [];
        if (left.length > 0) this.#announcements.set(origin, left);
        else if (this.#announcements.get(origin)) this.#announcements.delete(origin);
      });
    }
  }

  #hide(origin: Origin): void {
    for (const announcement of this.#announcements.get(origin) ?? []) announcement.end();
  }
}
