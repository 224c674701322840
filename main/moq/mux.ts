import { ErrorCode, MoqError } from "./errors.ts";
import type { BroadcastProducer } from "./model/broadcast.ts";
import type { GroupProducer } from "./model/group.ts";
import { TrackProducer, declaredProperties } from "./model/track.ts";
import type { TrackConsumer, TrackOptions } from "./model/track.ts";
import type { TrackProperties, TrackWriter } from "./model/types.ts";
import { ROOT, hasPrefix, toPath, type Path } from "./model/path.ts";
import type { RouteCost } from "./lite/wire/announce-06.ts";

/** What a subscriber asked for, as handed to a publisher's handler. */
export interface SubscribeRequest {
  broadcast: Path;
  track: string;
  priority: number;
  ordered: boolean;
  maxLatencyMs: number;
  startGroup?: number;
  endGroup?: number;
  /** The subscriber's id for this subscription on its session (for traces). */
  subscribeId?: number;
  /**
   * moq-lite-06 with no start group: start as far back in the cache as this max age allows
   * (TrackProducer.consume); absent before 06, where an absent start means the latest group.
   */
  reachBackMs?: number;
  /**
   * Resolves true once the subscriber acknowledged the end of the track (its FIN after ours), so a
   * publisher knows everything it wrote was read; false if it left early or the track was reset.
   */
  delivered?: Promise<boolean>;
}

/** Serves one incoming subscription: write groups into the writer, close it when done. */
export type TrackHandler = (writer: TrackWriter, request: SubscribeRequest) => void | Promise<void>;

export interface AnnouncementChange {
  path: Path;
  active: boolean;
  hops: readonly number[];
  /** 06: what pulling the broadcast this way costs (summed over links); absent before 06. */
  cost?: RouteCost;
}

/** A broadcast path made available through a mux, live until `end()`. */
export class Announcement {
  readonly path: Path;
  readonly hops: readonly number[];
  /** The route's cost as learned from upstream (a relay's); undefined for our own broadcasts. */
  readonly cost: RouteCost | undefined;
  #active = true;
  #onEnd: (() => void)[] = [];
  readonly ended: Promise<void>;

  constructor(path: string, hops: readonly number[] = [], cost?: RouteCost) {
    this.path = toPath(path, "broadcast path");
    this.hops = hops;
    this.cost = cost;
    this.ended = new Promise((resolve) => this.#onEnd.push(resolve));
  }

  get active(): boolean {
    return this.#active;
  }

  end(): void {
    if (!this.#active) return;
    this.#active = false;
    for (const fn of this.#onEnd.splice(0)) fn();
  }

  /** @internal run fn when the announcement ends. */
  whenEnded(fn: () => void): void {
    if (this.#active) this.#onEnd.push(fn);
    else fn();
  }
}

/**
 * A handler writes for exactly one subscriber, often in bursts (a file, a backlog): keep what the
 * subscriber has not picked up yet, bounded in bytes, instead of skipping to the newest groups.
 */
const HANDLER_TRACK_OPTIONS: TrackOptions = { maxPendingGroups: 4096, maxCachedBytes: 64 * 1024 * 1024 };

type Resolver = (request: SubscribeRequest) => TrackConsumer;

interface Entry {
  announcement: Announcement;
  resolve: Resolver;
  /** Set for in-memory broadcasts, whose cache can answer FETCH. */
  broadcast?: BroadcastProducer;
  /** Set for handler entries: the options their tracks are made with (TRACK_INFO's answer). */
  trackOptions?: TrackOptions;
}

interface Watcher {
  prefix: Path;
  fn: (change: AnnouncementChange) => void;
}

/**
 * Routes incoming subscriptions to publishers by broadcast path and tells announce streams what
 * is live. One mux can back many sessions (a server hands the same mux to every session).
 */
export class TrackMux {
  /**
   * Our hop id on the sessions this mux serves (a relay's), 0 when we have none. moq-lite-05 names
   * it once in ANNOUNCE_OK instead of at the end of every announced hop list.
   */
  hop = 0;
  readonly #entries = new Map<Path, Entry>();
  readonly #watchers = new Set<Watcher>();

  /**
   * Publish `announcement.path`: every subscription to it is handed to `handler`, writing into a
   * track made with `options` (over roomy handler defaults).
   */
  announce(announcement: Announcement, handler: TrackHandler, options: TrackOptions = {}): Announcement {
    const trackOptions = { ...HANDLER_TRACK_OPTIONS, ...options };
    this.#add(announcement, (request) => runHandler(handler, request, trackOptions), undefined, trackOptions);
    return announcement;
  }

  /** Publish a path until the returned announcement is ended. */
  publish(path: string, handler: TrackHandler | { serveTrack: TrackHandler }, options?: TrackOptions): Announcement {
    const fn = typeof handler === "function" ? handler : handler.serveTrack.bind(handler);
    return this.announce(new Announcement(path), fn, options);
  }

  /** Publish an in-memory broadcast: each subscription reads its tracks from the shared cache. */
  publishBroadcast(
    path: string,
    broadcast: BroadcastProducer,
    hops: readonly number[] = [],
    cost?: RouteCost,
  ): Announcement {
    const announcement = new Announcement(path, hops, cost);
    this.#add(
      announcement,
      (request) => broadcast.consume().subscribe(request.track, { maxAgeMs: request.reachBackMs }),
      broadcast,
    );
    void broadcast.closed.then(() => announcement.end());
    return announcement;
  }

  #add(
    announcement: Announcement,
    resolve: Resolver,
    broadcast?: BroadcastProducer,
    trackOptions?: TrackOptions,
  ): void {
    const path = announcement.path;
    const existing = this.#entries.get(path);
    if (existing?.announcement.active) {
      throw new MoqError(ErrorCode.Duplicate, `broadcast "${path}" is already published on this mux`);
    }
    this.#entries.set(path, { announcement, resolve, broadcast, trackOptions });
    this.#notify(changeOf(announcement));
    announcement.whenEnded(() => {
      if (this.#entries.get(path)?.announcement !== announcement) return;
      this.#entries.delete(path);
      this.#notify({ path, active: false, hops: [] });
    });
  }

  #notify(change: AnnouncementChange): void {
    for (const w of this.#watchers) {
      if (hasPrefix(w.prefix, change.path)) w.fn(change);
    }
  }

  /** Paths live now under a prefix. */
  active(prefix: Path = ROOT): AnnouncementChange[] {
    const out: AnnouncementChange[] = [];
    for (const { announcement } of this.#entries.values()) {
      if (hasPrefix(prefix, announcement.path)) out.push(changeOf(announcement));
    }
    return out;
  }

  /** Current paths under `prefix`, then every change, until the returned function is called. */
  watch(prefix: Path, fn: (change: AnnouncementChange) => void): () => void {
    const watcher = { prefix, fn };
    for (const change of this.active(watcher.prefix)) fn(change);
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Unpublish everything: each announce stream learns that every path ended. */
  close(): void {
    for (const { announcement } of [...this.#entries.values()]) announcement.end();
  }

  has(path: string): boolean {
    return this.#entries.has(toPath(path));
  }

  /** Resolve a subscription to a reader of its groups; throws MoqError NotFound when nobody publishes it. */
  serve(request: SubscribeRequest): TrackConsumer {
    const entry = this.#entries.get(request.broadcast);
    if (!entry) throw new MoqError(ErrorCode.NotFound, `broadcast "${request.broadcast}" is not published here`);
    return entry.resolve(request);
  }
  /**
   * The properties of a published track (TRACK_INFO), found without subscribing, or undefined when
   * nobody publishes it. A handler is only run for real subscriptions (it may count subscribers, or
   * read a file for each): its tracks have the defaults.
   */
  async trackProperties(broadcast: Path, track: string): Promise<TrackProperties | undefined> {
    const entry = this.#entries.get(broadcast);
    if (!entry) return undefined;
    if (!entry.broadcast) return declaredProperties(entry.trackOptions);
    return entry.broadcast.trackProperties(track);
  }

  /** A past group still held in a published broadcast's cache (for FETCH). */
  cachedGroup(broadcast: Path, track: string, sequence: number): GroupProducer | undefined {
    return this.#entries.get(broadcast)?.broadcast?.getTrack(track)?.getGroup(sequence);
  }
}

/** An announcement going live, as watchers see it. */
function changeOf(announcement: Announcement): AnnouncementChange {
  const change: AnnouncementChange = { path: announcement.path, active: true, hops: announcement.hops };
  if (announcement.cost) change.cost = announcement.cost;
  return change;
}

/** Give a handler its own producer and hand back the reader the session serves from. */
function runHandler(handler: TrackHandler, request: SubscribeRequest, options: TrackOptions): TrackConsumer {
  const producer = new TrackProducer(request.track, options);
  const consumer = producer.consume();
  // When the subscriber goes away the handler learns it through `writer.closed`.
  producer.onUnused(() => producer.closeWithError(ErrorCode.Cancelled, "subscriber went away"));
  Promise.resolve()
    .then(() => handler(producer, request))
    .catch((err: unknown) => {
      const code = err instanceof MoqError ? err.code : ErrorCode.Cancelled;
      producer.closeWithError(code, err instanceof Error ? err.message : String(err));
    });
  return consumer;
}
