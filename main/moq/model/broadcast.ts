// A broadcast: a set of named tracks. Path-agnostic on purpose; a broadcast gets its path where
// it is published (TrackMux, relay). Tracks are either created up front or produced on demand
// when a subscriber asks for a name nobody created yet.

import { ErrorCode, MoqError, describeCode } from "../errors.ts";
import { Settled } from "./signal.ts";
import { TrackProducer, declaredProperties, type TrackConsumer, type TrackOptions } from "./track.ts";
import type { EndInfo, TrackProperties } from "./types.ts";

/** Produces a track for a requested name, or undefined when it has no such track. */
export type TrackRequestHandler = (name: string) => TrackProducer | undefined;

/** Says a track's properties without producing it, or undefined when there is no such track. */
export type TrackInfoHandler = (name: string) => Promise<TrackProperties | undefined>;

export interface BroadcastOptions {
  /** Cache options for tracks made by createTrack() without options of their own. */
  track?: TrackOptions;
}

export class BroadcastProducer {
  readonly #tracks = new Map<string, TrackProducer>();
  readonly #ended = new Settled<EndInfo | undefined>();
  readonly #trackOptions: TrackOptions | undefined;
  #requestHandler: TrackRequestHandler | undefined;
  #infoHandler: TrackInfoHandler | undefined;
  #error: EndInfo | undefined;
  #isEnded = false;

  constructor(options: BroadcastOptions = {}) {
    this.#trackOptions = options.track;
  }

  /** Add a track. Throws MoqError(Duplicate) if a live track has that name, MoqError(Closed) after close. */
  createTrack(name: string, options?: TrackOptions): TrackProducer {
    this.#assertOpen();
    if (this.getTrack(name)) {
      throw new MoqError(ErrorCode.Duplicate, `broadcast already has a track named "${name}"`);
    }
    const track = new TrackProducer(name, options ?? this.#trackOptions);
    this.#insert(track);
    return track;
  }

  /** The live track with this name. Tracks that ended are forgotten, so a later subscribe asks
   * the request handler again. */
  getTrack(name: string): TrackProducer | undefined {
    const track = this.#tracks.get(name);
    if (track?.isEnded) {
      this.#tracks.delete(name);
      return undefined;
    }
    return track;
  }

  /** Names of the live tracks. */
  trackNames(): string[] {
    return [...this.#tracks.values()].filter((t) => !t.isEnded).map((t) => t.name);
  }

  /** Forget a track and close it cleanly (its consumers drain, then end). False if unknown. */
  removeTrack(name: string): boolean {
    const track = this.#tracks.get(name);
    if (!track) return false;
    this.#tracks.delete(name);
    track.close();
    return true;
  }

  /**
   * Produce tracks on demand: when a subscriber asks for a name with no live track, `handler` may
   * return a new TrackProducer, which is registered under that name and shared by later
   * subscribers until it ends. (To release it when nobody listens, the handler can close it from
   * track.onUnused.) One handler at a time; returns a function that removes it.
   */
  onTrackRequest(handler: TrackRequestHandler): () => void {
    this.#requestHandler = handler;
    return () => {
      if (this.#requestHandler === handler) this.#requestHandler = undefined;
    };
  }

  /**
   * Answer questions about tracks nobody subscribed to yet (05's TRACK) without producing them: a
   * relay asks its upstream for the properties alone. One handler at a time; returns a function
   * that removes it.
   */
  onTrackInfo(handler: TrackInfoHandler): () => void {
    this.#infoHandler = handler;
    return () => {
      if (this.#infoHandler === handler) this.#infoHandler = undefined;
    };
  }

  /**
   * A track's properties, or undefined when the broadcast has no such track. A live track answers
   * itself, then the info handler. A request handler is not run for a mere question (it makes
   * tracks for subscribers, and may start work for each): its tracks are taken to have the
   * default timescale, so one that makes tracks with another should also set an info handler.
   */
  async trackProperties(name: string): Promise<TrackProperties | undefined> {
    if (this.#isEnded) return undefined;
    const live = this.getTrack(name);
    if (live) return live.properties();
    if (this.#infoHandler) return this.#infoHandler(name);
    if (!this.#requestHandler) return undefined;
    return declaredProperties(this.#trackOptions);
  }

  /** End the broadcast: every track closes cleanly; no new tracks or subscriptions. */
  close(): void {
    this.#end(undefined);
  }

  /** End the broadcast, aborting every track with this code. */
  closeWithError(code: number, reason = ""): void {
    this.#end({ code, reason });
  }

  get isEnded(): boolean {
    return this.#isEnded;
  }

  /** Resolves when the broadcast ends: undefined after close(), EndInfo after closeWithError(). */
  get closed(): Promise<EndInfo | undefined> {
    return this.#ended.promise;
  }

  consume(): BroadcastConsumer {
    return new BroadcastConsumer(this);
  }

  /** Find or produce the track for a subscription; undefined when there is none. Used by BroadcastConsumer. */
  resolveTrack(name: string): TrackProducer | undefined {
    if (this.#isEnded) return undefined;
    const existing = this.getTrack(name);
    if (existing) return existing;
    const produced = this.#requestHandler?.(name);
    if (!produced || produced.isEnded) return undefined;
    // The handler may have registered the track itself through createTrack().
    if (this.#tracks.get(name) !== produced) this.#insert(produced, name);
    return produced;
  }

  get endInfo(): EndInfo | undefined {
    return this.#error;
  }

  #insert(track: TrackProducer, name = track.name): void {
    this.#tracks.set(name, track);
    // Forget the track once it ends, so ended tracks do not pile up.
    void track.closed.then(() => {
      if (this.#tracks.get(name) === track) this.#tracks.delete(name);
    });
  }

  #assertOpen(): void {
    if (this.#isEnded) throw new MoqError(ErrorCode.Closed, "broadcast is closed");
  }

  #end(error: EndInfo | undefined): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#error = error;
    const tracks = [...this.#tracks.values()];
    this.#tracks.clear();
    for (const track of tracks) {
      if (error) track.closeWithError(error.code, error.reason);
      else track.close();
    }
    this.#ended.resolve(error);
  }
}

export class BroadcastConsumer {
  readonly #producer: BroadcastProducer;

  constructor(producer: BroadcastProducer) {
    this.#producer = producer;
  }

  /**
   * Subscribe to a track by name. Throws MoqError(NotFound) when the broadcast has no such track
   * and the request handler does not produce one, or when the broadcast ended. `maxAgeMs` as for
   * TrackProducer.consume (moq-lite-06: start back in the cache).
   */
  subscribe(name: string, options: { maxAgeMs?: number } = {}): TrackConsumer {
    const producer = this.#producer;
    const track = producer.resolveTrack(name);
    if (!track) {
      const why = producer.isEnded
        ? `broadcast ended${producer.endInfo ? ` (${describeCode(producer.endInfo.code)})` : ""}`
        : "no such track in this broadcast";
      throw new MoqError(ErrorCode.NotFound, `track "${name}" not found: ${why}`);
    }
    return track.consume(options);
  }

  get isEnded(): boolean {
    return this.#producer.isEnded;
  }

  /** Resolves when the broadcast ends. */
  get closed(): Promise<EndInfo | undefined> {
    return this.#producer.closed;
  }
}
