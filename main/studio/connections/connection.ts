// One live connection to a relay: it connects, reconnects with backoff when the session is lost,
// re-subscribes its tracks and watches announcements again, runs the probe, samples the session's
// counters every second, and turns all of it into records for its observation (and a recording).

import { connect } from "../../moq/node.ts";
import { versionAtLeast } from "../../moq/index.ts";
import type { GroupReader, Session, Subscription } from "../../moq/node.ts";
import type { ConnectionSummary, TransportKind } from "../../ipc/contract.ts";
import { describeFailure, explainClose, explainCode } from "../describe.ts";
import { eventRecord } from "../observe/event-record.ts";
import { FRAME_PAYLOAD_CAP } from "../observe/frame-store.ts";
import { CATALOG_TRACK, isHangBroadcast } from "../observe/hang.ts";
import { Observation } from "../observe/observation.ts";
import { Publications } from "../publish/publications.ts";
import { watchProbe } from "../observe/probe-watch.ts";
import type { ProbeWatch } from "../observe/probe-watch.ts";
import { toStored } from "../observe/records.ts";
import type { ObservationRecord, StoredRecord } from "../observe/records.ts";
import { isPermanentClose, isPermanentFailure, retryDelay } from "./retry.ts";
import { connectOptionsOf, dialUrl, shownUrl } from "./target.ts";
import type { ConnectTarget } from "./target.ts";

/** Where a connection's records go besides its observation (a recording). */
export interface RecordSink {
  write(record: StoredRecord): void;
  readonly path: string;
  readonly bytes: number;
}

interface WantedTrack {
  key: string;
  broadcast: string;
  name: string;
  subscription?: Subscription;
}

interface CatalogHold {
  holders: number;
  subscription?: Subscription;
}

export class Connection {
  readonly id: string;
  readonly profileId: string | null;
  readonly label: string;
  readonly readOnly = false;
  readonly observation = new Observation();
  /** What this connection publishes; its mux goes to every session, so a reconnect announces it again. */
  readonly publications = new Publications();
  #target: ConnectTarget;
  #session: Session | undefined;
  /** Bumped by every connect/disconnect: a loop of an older generation stops. */
  #generation = 0;
  #reconnect: { attempt: number; at: number } | null = null;
  #wakeRetry: (() => void) | undefined;
  readonly #tracks = new Map<string, WantedTrack>();
  readonly #catalogs = new Map<string, CatalogHold>();
  #probe: ProbeWatch | undefined;
  #probeWanted = true;
  #probeTarget: number | undefined;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #sink: { sink: RecordSink; startedAt: number } | undefined;
  readonly #onSummary: (summary: ConnectionSummary) => void;

  constructor(
    id: string,
    target: ConnectTarget,
    options: { label: string; profileId: string | null; onSummary: (summary: ConnectionSummary) => void },
  ) {
    this.id = id;
    this.#target = target;
    this.label = options.label;
    this.profileId = options.profileId;
    this.#onSummary = options.onSummary;
    this.observation.onState(() => this.#publish());
  }

  get target(): ConnectTarget {
    return this.#target;
  }

  summary(): ConnectionSummary {
    const s = this.observation.state;
    const sink = this.#sink;
    return {
      key: this.id,
      connectionId: this.id,
      profileId: this.profileId,
      label: this.label,
      status: s.status,
      url: shownUrl(this.#target.url),
      version: s.version,
      transport: s.transport,
      fallback: s.fallback,
      rttMs: s.rttMs,
      rttLatestMs: s.rttLatestMs,
      error: s.error,
      reconnect: s.status === "reconnecting" ? this.#reconnect : null,
      since: s.since,
      connectedAt: s.connectedAt,
      readOnly: false,
      recording: sink ? { path: sink.sink.path, bytes: sink.sink.bytes, startedAt: sink.startedAt } : null,
      probe: s.probe,
      peer: s.peer,
    };
  }

  #publish(): void {
    this.#onSummary(this.summary());
  }

  #feed(record: ObservationRecord): void {
    this.observation.apply(record);
    this.#sink?.sink.write(toStored(record));
  }

  #state(
    status: ConnectionSummary["status"],
    error: string | null = null,
    session?: { version: string; transport: TransportKind; fallback?: string[] },
  ): void {
    this.#feed({
      t: "state",
      at: Date.now(),
      status,
      version: session?.version ?? null,
      transport: session?.transport ?? null,
      error,
      ...(session?.fallback?.length ? { fallback: session.fallback } : {}),
    });
  }

  /** Connect (again), optionally to another URL; ends whatever session or retry was going on. */
  start(target?: ConnectTarget): void {
    if (target) this.#target = target;
    const generation = ++this.#generation;
    this.#teardown();
    void this.#run(generation);
  }

  /** Close the session and stop retrying; the observation stays. */
  disconnect(): void {
    ++this.#generation;
    this.#teardown();
    if (this.observation.state.status !== "closed") this.#state("closed", null);
  }

  #teardown(): void {
    this.#wakeRetry?.();
    this.#reconnect = null;
    this.#stopSessionWork();
    this.#session?.close();
    this.#session = undefined;
  }

  async #run(generation: number): Promise<void> {
    for (let attempt = 0; generation === this.#generation;) {
      if (attempt === 0) this.#state("connecting");
      let session: Session;
      // Events of this attempt's session only: once it has closed, its stragglers would be
      // mistaken for the next session's streams.
      let current = true;
      try {
        session = await connect(dialUrl(this.#target), {
          ...connectOptionsOf(this.#target),
          mux: this.publications.mux,
          onEvent: (event) => {
            if (current && generation === this.#generation) this.#feed(eventRecord(event));
          },
        });
      } catch (err) {
        if (generation !== this.#generation) return;
        const message = this.#words(err);
        if (isPermanentFailure(err)) {
          this.#state("failed", message);
          return;
        }
        attempt++;
        if (!(await this.#retryAfter(generation, attempt, message))) return;
        continue;
      }
      if (generation !== this.#generation) {
        session.close();
        return;
      }
      this.#reconnect = null;
      this.#session = session;
      const state = session.connectionState();
      this.#state("connected", null, {
        version: state.version,
        transport: state.transport,
        ...(state.fallback ? { fallback: state.fallback } : {}),
      });
      this.#startSessionWork(session);
      const info = await session.closed;
      current = false;
      if (generation !== this.#generation) return;
      this.#stopSessionWork();
      this.#session = undefined;
      if (isPermanentClose(info)) {
        this.#state("failed", explainClose(info));
        return;
      }
      attempt = 1;
      if (!(await this.#retryAfter(generation, attempt, explainClose(info)))) return;
    }
  }

  /** Wait before attempt `attempt`, showing when it comes; false when the wait was cut short. */
  async #retryAfter(generation: number, attempt: number, error: string): Promise<boolean> {
    const delay = retryDelay(attempt);
    this.#reconnect = { attempt, at: Date.now() + delay };
    this.#state("reconnecting", error);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeRetry = done;
    });
    this.#wakeRetry = undefined;
    return generation === this.#generation;
  }

  /** Error text for people: the CLI's words, and never the token. */
  #words(err: unknown): string {
    let text = describeFailure(err);
    if (this.#target.token) text = text.split(this.#target.token).join("…");
    return text;
  }

  // ---- what runs while a session is up ------------------------------------------------------

  #startSessionWork(session: Session): void {
    void this.#watchAnnouncements(session);
    if (this.#probeWanted) this.#startProbe(session);
    this.#statsTimer = setInterval(() => this.#sampleStats(session), 1000);
    for (const track of this.#tracks.values()) this.#subscribe(session, track);
    for (const [broadcast, hold] of this.#catalogs) this.#watchCatalog(session, broadcast, hold);
  }

  #stopSessionWork(): void {
    clearInterval(this.#statsTimer);
    this.#statsTimer = undefined;
    this.#probe?.close();
    this.#probe = undefined;
    for (const track of this.#tracks.values()) track.subscription = undefined;
    for (const hold of this.#catalogs.values()) hold.subscription = undefined;
  }

  async #watchAnnouncements(session: Session): Promise<void> {
    const reader = session.announced("");
    // 04 and later carry hop ids; 03 only a count.
    const hopIds = versionAtLeast(session.version, "moq-lite-04");
    try {
      for (;;) {
        const change = await reader.next();
        if (!change || session !== this.#session) break;
        this.#feed({
          t: "announce",
          at: Date.now(),
          path: change.path,
          active: change.active,
          hops: [...change.hops],
          hopIds,
          // A saturated cost (a draining route) is left out rather than stored as a huge number.
          ...(change.cost && Number.isSafeInteger(change.cost.warm) ? { cost: change.cost.warm } : {}),
        });
      }
    } catch {
      // The announce stream's reset is in the message log; the session's end speaks for itself.
    }
  }

  #sampleStats(session: Session): void {
    if (session !== this.#session) return;
    const stats = session.stats();
    this.#feed({
      t: "stats",
      at: Date.now(),
      rttMs: stats.rttMs ?? null,
      rttLatestMs: stats.rttLatestMs ?? null,
      bytesSent: stats.bytesSent,
      bytesReceived: stats.bytesReceived,
      sendBitrate: stats.sendBitrate,
      recvBitrate: stats.recvBitrate,
      probeBitrate: stats.peerBitrate ?? null,
    });
  }

  // ---- the probe -------------------------------------------------------------------------------

  startProbe(targetBitrate?: number): void {
    this.#probeWanted = true;
    this.#probeTarget = targetBitrate;
    this.#probe?.close();
    this.#probe = undefined;
    if (this.#session) this.#startProbe(this.#session);
  }

  stopProbe(): void {
    this.#probeWanted = false;
    this.#probe?.close();
    this.#probe = undefined;
    this.#feed({ t: "probe", at: Date.now(), state: "off", note: null, bitrate: null });
  }

  #startProbe(session: Session): void {
    this.#feed({ t: "probe", at: Date.now(), state: "waiting", note: null, bitrate: null });
    const watch = watchProbe(
      session,
      this.#probeTarget,
      (report) => {
        if (this.#probe !== watch) return;
        this.#feed({ t: "probe", at: report.at, state: "reporting", note: null, bitrate: report.bitrate || null });
      },
      (why) => {
        if (this.#probe !== watch) return;
        const last = watch.tally.last?.bitrate ?? null;
        this.#feed({ t: "probe", at: Date.now(), state: "unsupported", note: why, bitrate: last });
      },
    );
    this.#probe = watch;
  }

  // ---- tracks ----------------------------------------------------------------------------------

  /** Subscribe to a track (or return the one already subscribed); its key names it in the views. */
  subscribe(broadcast: string, name: string): string {
    for (const t of this.#tracks.values()) {
      if (t.broadcast !== broadcast || t.name !== name) continue;
      // Subscribing again to a track that ended or failed tries it anew.
      if (this.#session && !t.subscription) this.#subscribe(this.#session, t);
      return t.key;
    }
    const key = this.observation.tracks.keyOf(broadcast, name) ?? this.#freshKey(broadcast, name);
    const track: WantedTrack = { key, broadcast, name };
    this.#tracks.set(key, track);
    if (isHangBroadcast(broadcast) && name !== CATALOG_TRACK) this.holdCatalog(broadcast);
    if (this.#session) this.#subscribe(this.#session, track);
    else this.#feed({ t: "subscribe", at: Date.now(), track: key, broadcast, name });
    return key;
  }

  unsubscribe(key: string): void {
    const track = this.#tracks.get(key);
    if (!track) throw new Error(`no subscribed track "${key}" on this connection`);
    this.#tracks.delete(key);
    track.subscription?.close();
    this.#feed({ t: "unsubscribe", at: Date.now(), track: key });
    if (isHangBroadcast(track.broadcast) && track.name !== CATALOG_TRACK) this.releaseCatalog(track.broadcast);
  }

  #freshKey(broadcast: string, name: string): string {
    const base = `${broadcast}/${name}`;
    let key = base;
    for (let n = 2; this.observation.tracks.tracks.has(key); n++) key = `${base} (${n})`;
    return key;
  }

  #subscribe(session: Session, track: WantedTrack): void {
    this.#feed({ t: "subscribe", at: Date.now(), track: track.key, broadcast: track.broadcast, name: track.name });
    const subscription = session.subscribe(track.broadcast, track.name);
    track.subscription = subscription;
    void (async () => {
      try {
        for (;;) {
          const group = await subscription.nextGroup();
          if (!group) break;
          void this.#readGroup(track, subscription, group);
        }
        const end = await subscription.closed;
        this.#trackEnded(session, track, subscription, end ? `${end.reason} (${explainCode(end.code)})` : null);
      } catch (err) {
        this.#trackEnded(session, track, subscription, this.#words(err));
      }
    })();
  }

  #trackEnded(session: Session, track: WantedTrack, subscription: Subscription, error: string | null): void {
    // Ended with its session (a reconnect subscribes again) or by unsubscribe: nothing to say.
    if (session.isClosed || session !== this.#session || track.subscription !== subscription) return;
    if (!this.#tracks.has(track.key)) return;
    track.subscription = undefined;
    this.#feed({ t: "track-end", at: Date.now(), track: track.key, failed: error !== null, error });
  }

  async #readGroup(track: WantedTrack, subscription: Subscription, group: GroupReader): Promise<void> {
    try {
      // 05+ frames carry their own timestamps, in the track's timescale; older ones only arrival times.
      const session = this.#session;
      const timed = session !== undefined && versionAtLeast(session.version, "moq-lite-05");
      const timescale = timed ? await subscription.timescale() : undefined;
      for (let index = 0; ; index++) {
        const frame = await group.readFrame();
        if (frame === undefined || track.subscription !== subscription) return;
        this.#feed({
          t: "frame",
          at: Date.now(),
          track: track.key,
          sequence: group.sequence,
          index,
          size: frame.length,
          payload: frame.length > FRAME_PAYLOAD_CAP ? frame.subarray(0, FRAME_PAYLOAD_CAP) : frame,
          ...(timescale !== undefined ? { timestamp: group.lastTimestamp, timescale } : {}),
        });
      }
    } catch {
      // A reset group is on the timeline from the session's events already.
    }
  }

  // ---- hang catalogs ---------------------------------------------------------------------------

  /** Keep the catalog of `broadcast` followed (for the broadcast view and its tracks). */
  holdCatalog(broadcast: string): void {
    this.observation.catalogs.ensure(broadcast);
    const hold = this.#catalogs.get(broadcast);
    if (hold) {
      hold.holders++;
      return;
    }
    const fresh: CatalogHold = { holders: 1 };
    this.#catalogs.set(broadcast, fresh);
    if (this.#session) this.#watchCatalog(this.#session, broadcast, fresh);
  }

  releaseCatalog(broadcast: string): void {
    const hold = this.#catalogs.get(broadcast);
    if (!hold || --hold.holders > 0) return;
    this.#catalogs.delete(broadcast);
    hold.subscription?.close();
  }

  #watchCatalog(session: Session, broadcast: string, hold: CatalogHold): void {
    if (!isHangBroadcast(broadcast)) return;
    const subscription = session.subscribe(broadcast, CATALOG_TRACK);
    hold.subscription = subscription;
    void (async () => {
      try {
        for (;;) {
          const group = await subscription.nextGroup();
          if (!group) return;
          const first = await group.readFrame().catch(() => undefined);
          group.cancel();
          if (first === undefined || hold.subscription !== subscription) continue;
          this.#feed({
            t: "catalog",
            at: Date.now(),
            broadcast,
            json: new TextDecoder().decode(first),
            error: null,
          });
        }
      } catch (err) {
        if (session.isClosed || hold.subscription !== subscription) return;
        this.#feed({
          t: "catalog",
          at: Date.now(),
          broadcast,
          json: null,
          error: `the catalog could not be read: ${this.#words(err)}`,
        });
      }
    })();
  }

  // ---- recording -------------------------------------------------------------------------------

  /**
   * Start writing records to `sink`. What was learned before goes first as a snapshot (state,
   * announcements, tracks, catalogs), so the recording opens to the same tree and tracks.
   */
  startRecording(sink: RecordSink): void {
    if (this.#sink) throw new Error(`connection "${this.id}" is already recording to ${this.#sink.sink.path}`);
    const at = Date.now();
    const o = this.observation;
    const s = o.state;
    const write = (record: ObservationRecord) => sink.write(toStored(record));
    write({
      t: "state",
      at,
      status: s.status,
      version: s.version,
      transport: s.transport,
      error: s.error,
      ...(s.fallback.length ? { fallback: s.fallback } : {}),
    });
    for (const node of o.tree.view.items()) {
      if (node.broadcast && node.active) {
        write({
          t: "announce",
          at,
          path: node.key,
          active: true,
          hops: node.hops ?? [],
          hopIds: node.hops !== null,
          ...(node.cost !== null ? { cost: node.cost } : {}),
        });
      }
    }
    for (const info of o.catalogs.view.items()) {
      if (info.catalogJson !== null)
        write({ t: "catalog", at, broadcast: info.key, json: info.catalogJson, error: null });
    }
    for (const track of this.#tracks.values()) {
      const { subscribeId, stream } = o.tracks.subscriptionOf(track.key);
      const info = o.tracks.tracks.get(track.key)?.info;
      write({
        t: "subscribe",
        at,
        track: track.key,
        broadcast: track.broadcast,
        name: track.name,
        subscribeId,
        stream,
        ...(info ? { info } : {}),
      });
    }
    this.#sink = { sink, startedAt: at };
    this.#publish();
  }

  /** Stop writing; the caller closes the sink. */
  stopRecording(): RecordSink | undefined {
    const sink = this.#sink?.sink;
    this.#sink = undefined;
    this.#publish();
    return sink;
  }

  get recording(): RecordSink | undefined {
    return this.#sink?.sink;
  }

  /** Disconnect and release everything. */
  close(): void {
    this.publications.close();
    this.disconnect();
  }
}
