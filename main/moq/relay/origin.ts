// One broadcast announced to the relay by one session, served on demand: a track is subscribed
// upstream when the first downstream subscriber asks for it, shared by every later one, and
// unsubscribed when the last one leaves.

import type { Path } from "../model/path.ts";
import { BroadcastProducer } from "../model/broadcast.ts";
import { TrackProducer, declaredProperties } from "../model/track.ts";
import type { TrackOptions } from "../model/track.ts";
import type { TrackProperties } from "../model/types.ts";
import type { TrackInfo } from "../lite/wire/track.ts";
import type { Session } from "../lite/session/session.ts";
import type { SubscribeConfig } from "../lite/session/subscriber.ts";
import type { RouteCost } from "../lite/wire/announce-06.ts";
import { pipeTrack, type PipeTraffic } from "./pipe.ts";

/** The upstream subscription's own buffer only needs to hold what the pipe has not copied yet. */
const UPSTREAM_CONFIG: SubscribeConfig = {
  maxCachedGroups: 1,
  maxPendingGroups: 64,
  maxPendingBytes: 16 * 1024 * 1024,
};

export interface OriginHooks {
  /** A track was subscribed upstream (a dedup miss). */
  opened(origin: Origin, track: string): void;
  /** An upstream track ended, with why. */
  closed(origin: Origin, track: string, reason: string): void;
  /** Media copied in from the publisher. */
  traffic?: PipeTraffic;
}

export class Origin {
  /** Absolute path in the relay's namespace. */
  readonly path: Path;
  /** The path as the publishing session names it (relative to its root). */
  readonly wirePath: Path;
  readonly hops: readonly number[];
  /** 06: what pulling through this route costs; undefined when the publisher's version has none. */
  readonly cost: RouteCost | undefined;
  readonly session: Session;
  /** The publishing session's number, for logs. */
  readonly sessionId: number;
  readonly broadcast: BroadcastProducer;
  /** Tracks currently subscribed upstream. */
  readonly upstream = new Map<string, TrackProducer>();

  constructor(
    init: {
      path: Path;
      wirePath: Path;
      hops: readonly number[];
      cost?: RouteCost | undefined;
      session: Session;
      sessionId: number;
    },
    trackOptions: TrackOptions,
    hooks: OriginHooks,
  ) {
    this.path = init.path;
    this.wirePath = init.wirePath;
    this.hops = init.hops;
    this.cost = init.cost;
    this.session = init.session;
    this.sessionId = init.sessionId;
    this.broadcast = new BroadcastProducer();
    this.broadcast.onTrackRequest((name) => {
      if (this.session.isClosed) return undefined;
      const sub = this.session.subscribe(this.wirePath, name, UPSTREAM_CONFIG);
      // Frames keep the publisher's timestamps, so downstream gets its timescale too (05's TRACK_INFO).
      const track = new TrackProducer(name, { ...trackOptions, timescale: "pending" });
      // The upstream's retention window too, so reach-back here is clamped as it is at the source.
      void sub.timescale().then((timescale) => {
        track.setTimescale(timescale);
        if (!sub.trackInfo) return;
        track.setMaxAge(sub.trackInfo.maxLatencyMs);
        track.setPublisherPriority(sub.trackInfo.priority);
      });
      // Where the upstream feed starts, so a downstream 05 START does not skip an overtaken group.
      sub.ok.then((ok) => track.setFeedStart(ok.startGroup)).catch(() => {});
      this.upstream.set(name, track);
      track.onUnused(() => {
        // Nobody downstream is left: let go of the upstream subscription.
        sub.close();
        track.close();
      });
      void pipeTrack(sub, track, hooks.traffic).then((end) => {
        sub.close();
        track.close();
        if (this.upstream.get(name) === track) this.upstream.delete(name);
        hooks.closed(this, name, end ? end.reason || `code ${end.code}` : "ended");
      });
      hooks.opened(this, name);
      return track;
    });
    // 05's TRACK asks for a track's properties alone: ask upstream the same, without subscribing.
    // Before 05 the upstream has no Track stream and its frames are stamped here, in the default.
    this.broadcast.onTrackInfo(async (name) => {
      if (this.session.isClosed) return undefined;
      try {
        const info = await this.session.trackInfo(this.wirePath, name);
        return info ? propertiesOf(info) : declaredProperties();
      } catch {
        return undefined;
      }
    });
  }

  /** Downstream subscribers of a track right now (0 when it is not subscribed upstream). */
  subscribers(track: string): number {
    return this.upstream.get(track)?.consumerCount ?? 0;
  }

  /** Stop serving: tracks end cleanly if the publisher ended the broadcast, with an error if it left. */
  close(error?: { code: number; reason: string }): void {
    if (error) this.broadcast.closeWithError(error.code, error.reason);
    else this.broadcast.close();
  }
}

type OriginListener = (path: Path, before: Origin | undefined, after: Origin | undefined) => void;

/**
 * Every broadcast live at the relay, by absolute path. Two sessions may announce the same path:
 * the best route is served (the lowest cost, then the fewest hops, then the newest), and the next
 * best takes over if it leaves. Routes without a cost (before moq-lite-06) count as costing 0 now
 * and nothing known without discounts, as moq-net ranks them.
 */
export class OriginTable {
  readonly #byPath = new Map<Path, Origin[]>();
  readonly #listeners = new Set<OriginListener>();

  get size(): number {
    return this.#byPath.size;
  }

  /** The origin served for a path. */
  get(path: Path): Origin | undefined {
    const routes = this.#byPath.get(path);
    return routes && best(routes);
  }

  /** Every served origin. */
  current(): Origin[] {
    return [...this.#byPath.values()].map((routes) => best(routes)!);
  }

  add(origin: Origin): void {
    const before = this.get(origin.path);
    const routes = this.#byPath.get(origin.path) ?? [];
    routes.push(origin);
    this.#byPath.set(origin.path, routes);
    const after = this.get(origin.path);
    if (after !== before) this.#emit(origin.path, before, after);
  }

  remove(origin: Origin): void {
    const routes = this.#byPath.get(origin.path);
    const i = routes?.indexOf(origin) ?? -1;
    if (!routes || i < 0) return;
    const before = this.get(origin.path);
    routes.splice(i, 1);
    if (routes.length === 0) this.#byPath.delete(origin.path);
    const after = this.get(origin.path);
    if (after !== before) this.#emit(origin.path, before, after);
  }

  /** The served origins now, then every change of what is served, until the returned function is called. */
  watch(fn: OriginListener): () => void {
    for (const origin of this.current()) fn(origin.path, undefined, origin);
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(path: Path, before: Origin | undefined, after: Origin | undefined): void {
    for (const fn of [...this.#listeners]) fn(path, before, after);
  }
}

/** Routes in arrival order: the best one, ties going to the newest. */
function best(routes: readonly Origin[]): Origin | undefined {
  let chosen: Origin | undefined;
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (!chosen || rank(route, chosen) < 0) chosen = route;
  }
  return chosen;
}

function rank(a: Origin, b: Origin): number {
  const ca = a.cost ?? UNKNOWN_COST;
  const cb = b.cost ?? UNKNOWN_COST;
  return ca.warm - cb.warm || ca.cold - cb.cold || a.hops.length - b.hops.length;
}

const UNKNOWN_COST: RouteCost = { warm: 0, cold: Infinity };

/** TRACK_INFO's fields as the properties this relay re-serves. */
function propertiesOf(info: TrackInfo): TrackProperties {
  return { timescale: info.timescale, maxAgeMs: info.maxLatencyMs, publisherPriority: info.priority };
}
