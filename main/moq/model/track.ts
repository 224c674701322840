// One track as an in-memory producer and any number of consumers, with a bounded cache.
//
// The producer keeps the most recent groups in arrival order (a sliding window) plus the group
// with the highest sequence. Every opened group gets an arrival index; a consumer is just a
// cursor into that numbering (and a weak reference to the group it starts at), so writes never
// touch consumers and a consumer that stops reading pins nothing: what leaves the bounded cache
// becomes garbage unless a reader holds that group itself. Until a consumer has reached them,
// groups may stay in the cache up to maxPendingGroups.

import { ErrorCode, MoqError, describeCode } from "../errors.ts";
import { GroupProducer, type GroupConsumer } from "./group.ts";
import { ChangeSignal, Settled } from "./signal.ts";
import {
  DEFAULT_MAX_AGE_MS,
  DEFAULT_TIMESCALE,
  type EndInfo,
  type TrackProperties,
  type TrackReader,
  type TrackWriter,
} from "./types.ts";

export interface TrackOptions {
  /** Groups kept for consumers that lag or join late (at least 1). Default 4. */
  maxCachedGroups?: number;
  /** Also evict the oldest cached groups while the cache holds more bytes than this. The newest
   * group is always kept. Default: no byte cap. */
  maxCachedBytes?: number;
  /** Keep up to this many groups (more than maxCachedGroups) while a consumer has not reached
   * them yet, so a burst written faster than readers pick groups up is not skipped. The byte cap
   * still applies. Default: maxCachedGroups (no extra retention). */
  maxPendingGroups?: number;
  /** Groups drop each frame once their readers have read it (see GroupOptions.releaseRead). */
  releaseReadFrames?: boolean;
  /**
   * Frame timestamp units per second (default 1000: milliseconds). "pending" when it will be
   * learned later (a relay's upstream over moq-lite-05): readers of timescale() wait for
   * setTimescale(), or take the default if the track ends first.
   */
  timescale?: number | "pending";
  /**
   * The publisher's retention window (TRACK_INFO's max age, 05+): how far behind the newest group,
   * in media time, a group is still worth delivering. Subscribers' max ages are clamped to it.
   * Default DEFAULT_MAX_AGE_MS; a relay sets its upstream's with setMaxAge(). It is what TRACK_INFO
   * promises subscribers; what the cache actually keeps is still bounded by the options above.
   */
  maxAgeMs?: number;
  /** The publisher's priority in TRACK_INFO (0–255, higher first). Default 0, as @moq/net's. */
  publisherPriority?: number;
}

export const DEFAULT_MAX_CACHED_GROUPS = 4;

/** The properties a track made with `options` will have (defaults filled in), for TRACK_INFO before it exists. */
export function declaredProperties(options: TrackOptions = {}): TrackProperties {
  return {
    timescale: typeof options.timescale === "number" ? options.timescale : DEFAULT_TIMESCALE,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    publisherPriority: options.publisherPriority ?? 0,
  };
}

/** "open" while groups may come; "closed" after close(); "aborted" after closeWithError(). */
export type TrackState = "open" | "closed" | "aborted";

/** What the producer and its consumers share. Consumers never reference the producer object. */
class TrackCore {
  /** Recent groups in arrival order; window[0] has arrival index `base`. */
  readonly window: GroupProducer[] = [];
  base = 0;
  /** Cached groups by sequence, for duplicate detection and lookup. */
  readonly bySequence = new Map<number, GroupProducer>();
  /** The group with the highest sequence; kept even when it slid out of the window, since a new
   * consumer starts there. */
  latest: GroupProducer | undefined;
  state: TrackState = "open";
  error: EndInfo | undefined;
  readonly changed = new ChangeSignal();
  readonly ended = new Settled<EndInfo | undefined>();
  consumers = 0;
  readonly unusedListeners = new Set<() => void>();
  /** Live consumers' positions, for retention of groups they have not reached. */
  readonly cursors = new Set<{ readonly cursor: number }>();
  /** Called when a consumer moves on, so the producer can release what nobody needs. */
  onAdvance: (() => void) | undefined;
  /** `closed` promises of live consumers, settled when the track ends. */
  readonly consumerEnds = new Set<Settled<EndInfo | undefined>>();
  /** Settles with the timescale once it is known. */
  readonly timescale = new Settled<number>();
  /** The timescale used until then, for the default timestamps of frames written meanwhile. */
  scale = DEFAULT_TIMESCALE;
  /** The lowest group the source's feed delivers, when a relay learned it from upstream. */
  feedStart: number | undefined;
  /** The publisher's retention window in ms (see TrackOptions.maxAgeMs). */
  maxAgeMs = DEFAULT_MAX_AGE_MS;
  publisherPriority = 0;

  constructor(readonly name: string) {}

  /** Total groups ever opened = the arrival index the next group will get. */
  get opened(): number {
    return this.base + this.window.length;
  }

  /** Still held by the cache (in the window, or kept as the latest). */
  holds(group: GroupProducer): boolean {
    return this.latest === group || this.bySequence.get(group.sequence) === group;
  }

  detachConsumer(): void {
    this.consumers--;
    if (this.consumers === 0 && this.state === "open") {
      for (const listener of [...this.unusedListeners]) listener();
    }
  }
}

export class TrackProducer implements TrackWriter {
  readonly name: string;
  readonly #core: TrackCore;
  readonly #maxGroups: number;
  readonly #maxBytes: number;
  readonly #maxPending: number;
  readonly #releaseRead: boolean;
  /** Payload bytes of the groups in the window, kept up to date as frames arrive. */
  #cachedBytes = 0;
  readonly #onGroupWrite: (group: GroupProducer, bytes: number) => void;

  constructor(name: string, options: TrackOptions = {}) {
    const maxGroups = options.maxCachedGroups ?? DEFAULT_MAX_CACHED_GROUPS;
    const maxBytes = options.maxCachedBytes ?? Infinity;
    if (!Number.isInteger(maxGroups) || maxGroups < 1) {
      throw new RangeError(`maxCachedGroups must be an integer >= 1, got ${maxGroups}`);
    }
    if (!(maxBytes >= 0)) throw new RangeError(`maxCachedBytes must be >= 0, got ${maxBytes}`);
    this.name = name;
    this.#core = new TrackCore(name);
    this.#maxGroups = maxGroups;
    this.#maxBytes = maxBytes;
    this.#maxPending = Math.max(maxGroups, options.maxPendingGroups ?? maxGroups);
    this.#releaseRead = options.releaseReadFrames ?? false;
    if (options.timescale !== "pending") this.setTimescale(options.timescale ?? DEFAULT_TIMESCALE);
    if (options.maxAgeMs !== undefined) this.setMaxAge(options.maxAgeMs);
    if (options.publisherPriority !== undefined) this.setPublisherPriority(options.publisherPriority);
    if (this.#maxPending > maxGroups) this.#core.onAdvance = () => this.#evict();
    this.#onGroupWrite = (group, bytes) => {
      // Writes to groups that already left the window no longer count.
      if (this.#core.bySequence.get(group.sequence) !== group) return;
      this.#cachedBytes += bytes;
      if (this.#cachedBytes > this.#maxBytes) this.#evict();
    };
  }

  /**
   * Say where the feed copied into this track starts (a relay learns it from the upstream
   * response). Groups may arrive out of order, so a newer one can come first: a 05 publisher
   * serving this track then names the feed's start rather than that group, and loses nothing.
   */
  setFeedStart(sequence: number | undefined): void {
    if (sequence !== undefined && Number.isSafeInteger(sequence) && sequence >= 0) this.#core.feedStart = sequence;
  }

  /** Set the timescale (once: later calls are ignored). */
  setTimescale(timescale: number): void {
    if (!Number.isSafeInteger(timescale) || timescale < 1) {
      throw new RangeError(`timescale must be a positive integer, got ${timescale}`);
    }
    const core = this.#core;
    if (core.timescale.done) return;
    core.scale = timescale;
    core.timescale.resolve(timescale);
  }

  /** Frame timestamp units per second, once known. */
  timescale(): Promise<number> {
    return this.#core.timescale.promise;
  }

  /** Set the publisher's retention window (a relay learns it from its upstream's TRACK_INFO). */
  setMaxAge(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`max age must be an integer >= 0 ms, got ${ms}`);
    this.#core.maxAgeMs = ms;
  }

  /** The publisher's retention window in ms (TRACK_INFO's max age). */
  get maxAgeMs(): number {
    return this.#core.maxAgeMs;
  }

  /** Set the publisher's priority (a relay takes its upstream's from TRACK_INFO). */
  setPublisherPriority(priority: number): void {
    if (!Number.isInteger(priority) || priority < 0 || priority > 255)
      throw new RangeError(`publisher priority must be an integer 0–255, got ${priority}`);
    this.#core.publisherPriority = priority;
  }

  /** The track's properties for TRACK_INFO, once its timescale is known. */
  async properties(): Promise<TrackProperties> {
    const timescale = await this.timescale();
    return { timescale, maxAgeMs: this.#core.maxAgeMs, publisherPriority: this.#core.publisherPriority };
  }

  /**
   * Start a group. Without a sequence: one above the highest so far (0 for the first). With one:
   * any order is accepted, as groups arrive from the network. A sequence still cached is a
   * MoqError(Duplicate); one already evicted cannot be told from a late arrival and is accepted.
   * Throws MoqError(Closed) after the track ended.
   */
  openGroup(sequence?: number, options: { datagram?: boolean } = {}): GroupProducer {
    const core = this.#core;
    if (core.state !== "open") {
      throw new MoqError(ErrorCode.Closed, `track "${this.name}" is ${core.state}; cannot open a group`);
    }
    const seq = sequence ?? (core.latest ? core.latest.sequence + 1 : 0);
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new MoqError(ErrorCode.BoundsExceeded, `group sequence ${seq} is not a non-negative safe integer`);
    }
    if (core.bySequence.has(seq) || core.latest?.sequence === seq) {
      throw new MoqError(ErrorCode.Duplicate, `track "${this.name}" already has group ${seq}`);
    }

    const group: GroupProducer = new GroupProducer(seq, {
      onWrite: (bytes) => this.#onGroupWrite(group, bytes),
      releaseRead: this.#releaseRead,
      now: () => Math.round((Date.now() * core.scale) / 1000),
      datagram: options.datagram ?? false,
    });
    core.window.push(group);
    core.bySequence.set(seq, group);
    if (!core.latest || seq > core.latest.sequence) core.latest = group;
    this.#evict();
    core.changed.notify();
    return group;
  }

  /**
   * A group of exactly one frame, sent best-effort in a QUIC datagram to subscribers whose session
   * has datagrams (moq-lite-05+ over WebTransport/QUIC) and on a stream to the others; like any
   * group it takes the next sequence (or `sequence`). Local readers see an ordinary group.
   */
  writeDatagram(payload: Uint8Array, timestamp?: number, sequence?: number): number {
    const group = this.openGroup(sequence, { datagram: true });
    group.writeFrame(payload, timestamp);
    group.close();
    return group.sequence;
  }

  /** The track is finished. Consumers get the groups already opened, then undefined. Open groups
   * are left to their writers. Later calls are ignored. */
  close(): void {
    this.#end("closed", undefined);
  }

  /** Abort the track: pending and later nextGroup() calls reject with MoqError(code, reason).
   * Groups already handed out stay readable; open groups are left to their writers. */
  closeWithError(code: number, reason = ""): void {
    this.#end("aborted", { code, reason });
  }

  /** Resolves when the track ends: undefined after close(), EndInfo after closeWithError(). */
  get closed(): Promise<EndInfo | undefined> {
    return this.#core.ended.promise;
  }

  get state(): TrackState {
    return this.#core.state;
  }

  get isEnded(): boolean {
    return this.#core.state !== "open";
  }

  get error(): EndInfo | undefined {
    return this.#core.error;
  }

  /** Highest sequence opened so far, undefined before the first group. */
  get latestSequence(): number | undefined {
    return this.#core.latest?.sequence;
  }

  /** Groups opened since the start. */
  get groupsOpened(): number {
    return this.#core.opened;
  }

  /** Groups currently held in the cache window. */
  get cachedGroupCount(): number {
    return this.#core.window.length;
  }

  /** Payload bytes held by the cached groups. */
  get cachedBytes(): number {
    return this.#cachedBytes;
  }

  /** A cached group by sequence (e.g. to serve a FETCH), or undefined. */
  getGroup(sequence: number): GroupProducer | undefined {
    const core = this.#core;
    return core.bySequence.get(sequence) ?? (core.latest?.sequence === sequence ? core.latest : undefined);
  }

  /** Consumers that have not closed or reached the end. */
  get consumerCount(): number {
    return this.#core.consumers;
  }

  /**
   * A reader from the latest group on. With `maxAgeMs` (moq-lite-06, a subscription that names no
   * start group), it starts further back: at the oldest cached group that age does not make
   * stale, where a group is stale once the latest group starts `maxAgeMs` or more after the group
   * it precedes ends (its successor's start). 0 keeps only the latest, as without it. The age is
   * clamped to the track's own max age: nobody waits for a group longer than it is kept.
   */
  consume(options: { maxAgeMs?: number } = {}): TrackConsumer {
    const maxAgeMs = Math.min(options.maxAgeMs ?? 0, this.#core.maxAgeMs);
    const floor = maxAgeMs > 0 ? freshFloor(this.#core, maxAgeMs) : undefined;
    return new TrackConsumer(this.#core, floor);
  }

  /**
   * Call `listener` each time the last consumer goes away while the track is still open (so the
   * network can cancel an upstream subscription). It runs synchronously inside the consumer's
   * close(). Returns a function that removes the listener.
   */
  onUnused(listener: () => void): () => void {
    const listeners = this.#core.unusedListeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Drop the oldest groups beyond the count cap (unless a consumer still needs them and the
   * pending cap allows), then beyond the byte cap (keeping the newest). */
  #evict(): void {
    const core = this.#core;
    const window = core.window;
    while (window.length > this.#maxGroups) {
      if (window.length <= this.#maxPending && this.#someoneNeedsOldest()) break;
      this.#dropOldest();
    }
    while (window.length > 1 && this.#cachedBytes > this.#maxBytes) this.#dropOldest();
  }

  #someoneNeedsOldest(): boolean {
    const base = this.#core.base;
    for (const c of this.#core.cursors) if (c.cursor <= base) return true;
    return false;
  }

  /** Slide the window by one. The group itself lives on for consumers that hold it. */
  #dropOldest(): void {
    const core = this.#core;
    const group = core.window.shift()!;
    core.base++;
    if (core.bySequence.get(group.sequence) === group) core.bySequence.delete(group.sequence);
    this.#cachedBytes -= group.byteCount;
  }

  #end(state: TrackState, error: EndInfo | undefined): void {
    const core = this.#core;
    if (core.state !== "open") return;
    core.state = state;
    core.error = error;
    core.unusedListeners.clear();
    core.changed.notify();
    core.ended.resolve(error);
    for (const end of core.consumerEnds) end.resolve(error);
    core.consumerEnds.clear();
    // Nobody will say now: readers waiting for the timescale get the default.
    if (!core.timescale.done) core.timescale.resolve(DEFAULT_TIMESCALE);
  }
}

/**
 * The lowest cached group sequence that `maxAgeMs` still considers fresh (see consume()), or
 * undefined when only the latest group is.
 */
function freshFloor(core: TrackCore, maxAgeMs: number): number | undefined {
  const latest = core.latest;
  const edge = latest?.firstTimestamp;
  if (!latest || edge === undefined) return undefined;
  const budget = (maxAgeMs * core.scale) / 1000;
  const cached = core.window.filter((g) => g.sequence < latest.sequence).sort((a, b) => a.sequence - b.sequence);
  let floor: number | undefined;
  // Walking down from the newest: a group's reach is where its successor starts.
  let reach = edge;
  for (let i = cached.length - 1; i >= 0; i--) {
    const group = cached[i]!;
    if (edge - reach >= budget) break;
    floor = group.sequence;
    reach = group.firstTimestamp ?? reach;
  }
  return floor;
}

export class TrackConsumer implements TrackReader {
  readonly name: string;
  readonly #core: TrackCore;
  /** The latest group at creation time, delivered first if the cache still holds it by then. */
  #first: WeakRef<GroupProducer> | undefined;
  /** Arrival index of the next group to deliver. */
  #cursor: number;
  /** What the producer reads to know how far this consumer got. */
  readonly #position = { cursor: 0 };
  #attached = true;
  #closedByUs = false;
  #end: Settled<EndInfo | undefined> | undefined;
  /** Groups this consumer never saw because it fell behind the cache. */
  skippedGroups = 0;
  /** The latest group's sequence when this consumer was made (where it starts), if any. */
  readonly startedAt: number | undefined;
  /** Starting back in the cache: cached groups below this sequence are passed over. */
  readonly #floor: number | undefined;

  constructor(core: TrackCore, floor?: number) {
    this.name = core.name;
    this.#core = core;
    this.#floor = floor;
    this.startedAt = floor ?? core.latest?.sequence;
    // From the floor, every cached group is delivered in arrival order; else the latest first.
    // The latest can have slid out of the window (it is kept all the same): then it comes first.
    const latestOutside = core.latest !== undefined && !core.bySequence.has(core.latest.sequence);
    this.#first = (floor === undefined || latestOutside) && core.latest ? new WeakRef(core.latest) : undefined;
    this.#cursor = floor === undefined ? core.opened : core.base;
    this.#position.cursor = this.#cursor;
    core.cursors.add(this.#position);
    core.consumers++;
  }

  /**
   * The next group in arrival order (late lower sequences included), or undefined after the track
   * closed and every group was delivered, or after close(). Rejects with MoqError when the track
   * was aborted. A consumer that fell behind the cache skips to the oldest cached group.
   */
  async nextGroup(): Promise<GroupConsumer | undefined> {
    const core = this.#core;
    for (;;) {
      if (this.#closedByUs) return undefined;
      if (core.state === "aborted") {
        this.#detach();
        const { code, reason } = core.error!;
        throw new MoqError(code, reason || `track "${this.name}" aborted: ${describeCode(code)}`);
      }
      const first = this.#takeFirst();
      if (first) return first.consume();
      if (this.#cursor < core.opened) {
        if (this.#cursor < core.base) {
          this.skippedGroups += core.base - this.#cursor;
          this.#cursor = core.base;
        }
        const group = core.window[this.#cursor - core.base]!;
        this.#cursor++;
        this.#position.cursor = this.#cursor;
        core.onAdvance?.();
        if (this.#floor !== undefined && group.sequence < this.#floor) continue;
        return group.consume();
      }
      if (core.state === "closed") {
        this.#detach();
        return undefined;
      }
      await core.changed.wait();
    }
  }

  /** Frame timestamp units per second, once the producer knows it. */
  timescale(): Promise<number> {
    return this.#core.timescale.promise;
  }

  /** Where the producer's feed starts, if it was told (see TrackProducer.setFeedStart). */
  get feedStart(): number | undefined {
    return this.#core.feedStart;
  }

  /** Stop reading: pending and later nextGroup() calls resolve undefined. Idempotent. */
  close(): void {
    if (this.#closedByUs) return;
    this.#closedByUs = true;
    this.#first = undefined;
    if (this.#end) {
      this.#end.resolve(undefined);
      this.#core.consumerEnds.delete(this.#end);
    }
    this.#detach();
    // Wake our own pending nextGroup(); other waiters find nothing new and wait again.
    this.#core.changed.notify();
  }

  /** Resolves when the track ends (undefined, or EndInfo after an abort) or this consumer closes (undefined). */
  get closed(): Promise<EndInfo | undefined> {
    if (!this.#end) {
      const end = new Settled<EndInfo | undefined>();
      const core = this.#core;
      if (this.#closedByUs) end.resolve(undefined);
      else if (core.state !== "open") end.resolve(core.error);
      else core.consumerEnds.add(end);
      this.#end = end;
    }
    return this.#end.promise;
  }

  #takeFirst(): GroupProducer | undefined {
    const ref = this.#first;
    if (!ref) return undefined;
    this.#first = undefined;
    const group = ref.deref();
    if (group && this.#core.holds(group)) return group;
    this.skippedGroups++;
    return undefined;
  }

  #detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    this.#core.cursors.delete(this.#position);
    this.#core.onAdvance?.();
    this.#core.detachConsumer();
  }
}
