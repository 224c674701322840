// The embedded relay: one listener, one origin table, and for every session a view of the table
// under its root. Sessions publish by announcing (the relay asks each one), subscribe through
// their view, and share one upstream subscription per track.

import { randomInt } from "node:crypto";
import type { Limits } from "../coding/limits.ts";
import { ErrorCode, MoqError } from "../errors.ts";
import type { TrackOptions } from "../model/track.ts";
import { TrackMux } from "../mux.ts";
import type { AnnouncementChange } from "../mux.ts";
import { Session } from "../lite/session/session.ts";
import type { CloseInfo } from "../lite/session/close.ts";
import { ALPN_VERSIONS } from "../lite/wire/version.ts";
import { listen } from "../transport/listener.ts";
import type { Listener, SessionRequest } from "../transport/listener.ts";
import type { Transport } from "../transport/types.ts";
import { joinPath, type Path } from "../model/path.ts";
import { PathScope, allowAll, normalizeGrant, rootOf } from "./grant.ts";
import { AuthError } from "./auth-error.ts";
import type { Authorize, Grant, GrantInput, Lease, LeaseEnd } from "./grant.ts";
import { watchLease, type LeaseWatcher } from "./lease.ts";
import { sessionFields, type SessionFields } from "./auth-url-request.ts";
import { matchesFilter, type SessionFilter } from "./session-filter.ts";
import { logEntry } from "./log.ts";
import { NO_TIER, RelayMetrics } from "./metrics.ts";
import { parseMounts, underMount } from "./mounts.ts";
import type { RelayLogEvent, RelayLogger } from "./log.ts";
import { Origin, OriginTable } from "./origin.ts";
import type { OriginHooks } from "./origin.ts";
import { SessionView } from "./view.ts";

export interface RelayOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** TCP port (0 = any free one). Default 0. */
  port?: number;
  /** Versions offered in ALPN / subprotocols. Default 04 and 03. */
  versions?: string[];
  /** Accept the bare fallbacks that lead to the 01/02 SETUP exchange. Default true. */
  legacy?: boolean;
  /** Also serve WebTransport over HTTP/3 where the native part exists. Default true. */
  http3?: boolean;
  /** PEM certificate and key; default a fresh self-signed one. */
  certificate?: { certPem: string; keyPem: string };
  /** Decide what each session may do; default: everything under its URL path. */
  authorize?: Authorize;
  onLog?: RelayLogger;
  /** This relay's hop id (non-zero); default random. */
  hop?: number;
  /** This relay's name, in auth requests and the live session list (moq-relay's node). Default "". */
  node?: string;
  /** Cache of each shared track: how much late joiners and slow subscribers can find. */
  track?: TrackOptions;
  limits?: Partial<Limits>;
}

export interface RelaySessionInfo {
  id: number;
  remote: string;
  root: string;
  version: string;
  transport: string;
}

/** One live session in the operator's list: the auth request's fields without the query, and its start. */
export type LiveSession = Omit<SessionFields, "query"> & { started: number };

export interface RelayStats {
  sessions: number;
  /** Broadcasts served. */
  broadcasts: number;
  /** Tracks subscribed upstream (one per broadcast and track, however many downstream). */
  upstreamTracks: number;
  /** Downstream subscriptions reading those tracks. */
  downstreamSubscriptions: number;
}

/**
 * Late joiners start at the newest cached group; a subscriber that falls behind keeps up to
 * `maxPendingGroups` groups (bounded by bytes) and then skips ahead, so it never holds others back.
 */
const DEFAULT_TRACK: TrackOptions = { maxCachedGroups: 2, maxPendingGroups: 32, maxCachedBytes: 32 * 1024 * 1024 };

interface Peer {
  id: number;
  session: Session;
  request: SessionRequest;
  grant: Grant;
  view: SessionView;
  /** What this session announced, by absolute path. */
  origins: Map<Path, Origin>;
  /** The decider's lease, told when the session ends. */
  lease?: Lease;
  /** Stops the expiry and re-check timers. */
  watch: LeaseWatcher;
  /** When the session was admitted (performance.now()). */
  admitted: number;
  /** What an operator's session list shows and filters on (the auth server's fields for it). */
  fields: SessionFields;
  /** When the session was admitted, in Unix seconds. */
  startedAt: number;
  /** Why the lease ended the session, when it did. */
  revoked?: string;
}

export class Relay {
  readonly hop: number;
  readonly #listener: Listener;
  readonly #node: string;
  readonly #origins = new OriginTable();
  readonly #peers = new Set<Peer>();
  readonly #metrics = new RelayMetrics(() => this.stats());
  readonly #authorize: Authorize;
  readonly #log: RelayLogger;
  readonly #trackOptions: TrackOptions;
  readonly #limits: Partial<Limits> | undefined;
  readonly #originHooks: OriginHooks;
  #nextId = 1;
  #closing: Promise<void> | undefined;

  /** Bind and start serving. */
  static async start(options: RelayOptions = {}): Promise<Relay> {
    // Sessions may arrive before the relay exists; they wait in `pending` until it does.
    // eslint-disable-next-line prefer-const -- read by the callback before it is assigned
    let relay: Relay | undefined;
    const pending: [Transport, SessionRequest][] = [];
    const listener = await listen({
      host: options.host,
      port: options.port,
      // Clients choose: accept every version a session speaks, 05 included.
      versions: options.versions ?? [...ALPN_VERSIONS],
      legacy: options.legacy ?? true,
      http3: options.http3,
      certificate: options.certificate,
      // A failure while listen() still runs (HTTP/3 not started) comes before the relay exists.
      onError: (e) => options.onLog?.(logEntry({ type: "error", message: e.message })),
      onSession: (transport, request) => {
        if (relay) void relay.#accept(transport, request);
        else pending.push([transport, request]);
      },
    });
    relay = new Relay(listener, options);
    relay.#emit({
      type: "listening",
      urls: listener.urls,
      fingerprint: listener.fingerprint,
      http3: listener.http3,
      ...(listener.http3Off !== undefined ? { http3Off: listener.http3Off } : {}),
      hop: relay.hop,
    });
    for (const [t, r] of pending) void relay.#accept(t, r);
    return relay;
  }

  private constructor(listener: Listener, options: RelayOptions) {
    this.#listener = listener;
    this.hop = options.hop ?? randomInt(1, 2 ** 31);
    if (!Number.isSafeInteger(this.hop) || this.hop <= 0)
      throw new RangeError(`hop id must be a positive integer, got ${this.hop}`);
    this.#authorize = options.authorize ?? allowAll;
    this.#node = options.node ?? "";
    this.#log = options.onLog ?? (() => {});
    this.#trackOptions = options.track ?? DEFAULT_TRACK;
    this.#limits = options.limits;
    this.#originHooks = {
      opened: () => {},
      closed: (origin, track, reason) => this.#emit({ type: "upstream-closed", broadcast: origin.path, track, reason }),
      traffic: { group: (datagram) => this.#metrics.groupIn(datagram), frame: (bytes) => this.#metrics.frameIn(bytes) },
    };
  }

  get listener(): Listener {
    return this.#listener;
  }

  get port(): number {
    return this.#listener.port;
  }

  get urls(): string[] {
    return this.#listener.urls;
  }

  get fingerprint(): string {
    return this.#listener.fingerprint;
  }

  sessions(): RelaySessionInfo[] {
    return [...this.#peers].map((p) => ({
      id: p.id,
      remote: p.request.remote,
      root: p.grant.root,
      version: p.session.version,
      transport: p.session.transport.info.kind,
    }));
  }

  /**
   * The live sessions an operator's filter selects, as moq-relay's `GET /sessions` lists them:
   * what the auth server saw (credentials left out) and when each was admitted.
   */
  liveSessions(filter: SessionFilter = {}): LiveSession[] {
    return [...this.#peers]
      .filter((p) => matchesFilter(filter, p.fields))
      .map((p) => {
        const { query: _credentials, ...fields } = p.fields;
        return { ...fields, started: p.startedAt };
      });
  }

  /** Ask the decider again now about every session the filter selects; returns their ids. */
  revalidate(filter: SessionFilter = {}): string[] {
    const ids: string[] = [];
    for (const peer of this.#peers) {
      if (!matchesFilter(filter, peer.fields)) continue;
      peer.watch.nudge();
      ids.push(peer.fields.id);
    }
    return ids;
  }

  /** Prometheus' text exposition of the relay's counters (the operator port's GET /metrics). */
  metrics(): Promise<{ text: string; contentType: string }> {
    return this.#metrics.render();
  }

  /** Absolute paths of the broadcasts served now. */
  broadcasts(): string[] {
    return this.#origins.current().map((o) => o.path);
  }

  stats(): RelayStats {
    let upstreamTracks = 0;
    let downstreamSubscriptions = 0;
    for (const origin of this.#origins.current()) {
      upstreamTracks += origin.upstream.size;
      for (const track of origin.upstream.values()) downstreamSubscriptions += track.consumerCount;
    }
    return { sessions: this.#peers.size, broadcasts: this.#origins.size, upstreamTracks, downstreamSubscriptions };
  }

  /** Close every session and stop listening. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      for (const peer of [...this.#peers]) peer.session.closeWithError(0, "relay shutting down");
      await this.#listener.close();
    })());
  }

  #emit(event: RelayLogEvent): void {
    try {
      this.#log(logEntry(event));
    } catch {
      // A failing logger must not take the relay down.
    }
  }

  async #accept(transport: Transport, request: SessionRequest): Promise<void> {
    let verdict: GrantInput | Error;
    try {
      verdict = await this.#authorize(request);
    } catch (err) {
      verdict = err instanceof Error ? err : new Error(String(err));
    }

    // A refused session still gets a session (empty mux) so the peer learns why, with code 6.
    let grant: Grant | undefined;
    const lease = verdict instanceof Error ? undefined : verdict.lease;
    if (!(verdict instanceof Error)) {
      try {
        grant = normalizeGrant(verdict);
      } catch (err) {
        verdict = new Error(
          `the relay's authorization returned a bad grant: ${err instanceof Error ? err.message : String(err)}`,
        );
        this.#endLease(lease, request, "invalid", 0);
      }
    }
    const id = this.#nextId++;
    const view = grant
      ? new SessionView(
          grant.root,
          new PathScope(grant.subscribe),
          this.hop,
          {
            subscribed: (origin, track, dedup) => {
              this.#metrics.subscriptionsOpened.inc({ tier: grant.tier ?? NO_TIER });
              this.#emit({
                type: "subscribe",
                session: id,
                broadcast: origin.path,
                track,
                dedup,
                subscribers: origin.subscribers(track),
              });
            },
            unsubscribed: (origin, track) => {
              this.#metrics.subscriptionsClosed.inc({ tier: grant.tier ?? NO_TIER });
              this.#emit({ type: "unsubscribe", session: id, broadcast: origin.path, track });
            },
          },
          parseMounts(grant.mounts ?? {}, grant.root),
        )
      : undefined;

    let session: Session;
    try {
      session = await Session.establish(transport, "server", {
        mux: view?.mux ?? new TrackMux(),
        limits: this.#limits,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#emit({
        type: "error",
        message: `session from ${request.remote} failed to start: ${message}`,
        code: err instanceof MoqError ? err.code : undefined,
      });
      if (grant) this.#endLease(lease, request, message, 0);
      return;
    }

    if (!grant || !view) {
      const reason = (verdict as Error).message || "not authorized";
      this.#emit({ type: "session-refused", remote: request.remote, path: rootOf(request.url), reason });
      session.closeWithError(verdict instanceof AuthError ? verdict.code : ErrorCode.Unauthorized, reason);
      return;
    }
    if (this.#closing) {
      session.closeWithError(0, "relay shutting down");
      this.#endLease(lease, request, "shutdown", 0);
      return;
    }

    const peer: Peer = {
      id,
      session,
      request,
      grant,
      view,
      origins: new Map(),
      lease,
      admitted: performance.now(),
      // What the auth server saw, so the operator's list and its filters agree with its records.
      fields: lease?.fields ?? sessionFields(request, this.#node),
      startedAt: Math.floor(Date.now() / 1000),
      watch: { stop: () => {}, nudge: () => false },
    };
    this.#peers.add(peer);
    this.#metrics.sessionsOpened.inc({ tier: grant.tier ?? NO_TIER });
    this.#emit({
      type: "session-opened",
      session: id,
      remote: request.remote,
      root: grant.root,
      version: session.version,
      transport: session.transport.info.kind,
      publish: grant.publish,
      subscribe: grant.subscribe,
      ...(grant.mounts ? { mounts: { ...grant.mounts } } : {}),
      ...(grant.tier !== undefined ? { tier: grant.tier } : {}),
    });
    view.start(this.#origins);
    const publishable = new PathScope(grant.publish);
    for (const prefix of publishable.heads()) void this.#followAnnouncements(peer, prefix, publishable);
    peer.watch = watchLease({
      grant,
      lease,
      ended: (reason, message) => {
        peer.revoked = reason;
        this.#emit({ type: "session-revoked", session: id, remote: request.remote, reason, message });
        session.closeWithError(ErrorCode.Unauthorized, message);
      },
      outage: (message, retryMs) => this.#emit({ type: "auth-outage", session: id, message, retryMs }),
      renewed: (fresh) => (peer.grant = fresh),
    });
    void session.closed.then((info) => this.#closed(peer, info));
  }

  /** Tell the decider a session is over; its failure is only logged. */
  #endLease(
    lease: Lease | undefined,
    request: SessionRequest,
    reason: string,
    duration: number,
    id?: number,
    bytes: LeaseEnd["bytes"] = { sent: 0, received: 0 },
  ): void {
    if (!lease) return;
    const info: LeaseEnd = { reason, duration, bytes };
    Promise.resolve()
      .then(() => lease.end(info))
      .catch((err: unknown) =>
        this.#emit({
          type: "error",
          ...(id !== undefined ? { session: id } : {}),
          message: `could not report the end of the session from ${request.remote} to the auth server: ${err instanceof Error ? err.message : String(err)}`,
        }),
      );
  }

  /** Feed what `peer` announces under `prefix` (relative to its root) and may publish into the origin table. */
  async #followAnnouncements(peer: Peer, prefix: Path, publishable: PathScope): Promise<void> {
    const reader = peer.session.announced(prefix);
    for (;;) {
      // A reset of the announce stream ends the loop; `reader.closed` below says why.
      const change = await reader.next().catch(() => undefined);
      if (!change) break;
      // Outside the grant, or inside a read-only mount: dropped without a word, as moq-relay does.
      if (change.path === "" || !publishable.matches(change.path) || underMount(peer.view.mounts, change.path))
        continue;
      const path = joinPath(peer.grant.root, change.path);
      if (change.active) this.#announced(peer, path, change);
      else
        this.#unannounced(
          peer,
          path,
          peer.session.isClosed ? "publisher disconnected" : "publisher ended the broadcast",
        );
    }
    const err = await reader.closed;
    if (err && !peer.session.isClosed) {
      this.#emit({
        type: "error",
        session: peer.id,
        message: `announce stream for "${prefix}" ended: ${err.message}`,
        code: err.code,
      });
    }
  }

  #announced(peer: Peer, path: Path, change: AnnouncementChange): void {
    const { path: wirePath, hops, cost } = change;
    if (hops.includes(this.hop)) {
      this.#emit({ type: "loop-dropped", session: peer.id, path, hops: [...hops] });
      return;
    }
    if (peer.origins.has(path)) return;
    const origin = new Origin(
      { path, wirePath, hops, cost, session: peer.session, sessionId: peer.id },
      this.#trackOptions,
      this.#originHooks,
    );
    peer.origins.set(path, origin);
    this.#emit({ type: "announce", session: peer.id, path, hops: [...hops], ...(cost ? { cost: cost.warm } : {}) });
    this.#origins.add(origin);
    this.#metrics.announcesStarted.inc({ tier: peer.grant.tier ?? NO_TIER });
  }

  #unannounced(peer: Peer, path: Path, reason: string): void {
    const origin = peer.origins.get(path);
    if (!origin) return;
    peer.origins.delete(path);
    this.#origins.remove(origin);
    // A publisher that left cut its tracks short: downstream sees a reset, not a clean end.
    origin.close(peer.session.isClosed ? { code: ErrorCode.Cancelled, reason } : undefined);
    this.#metrics.announcesEnded.inc({ tier: peer.grant.tier ?? NO_TIER });
    this.#emit({ type: "unannounce", session: peer.id, path, reason });
  }

  #closed(peer: Peer, info: CloseInfo): void {
    if (!this.#peers.delete(peer)) return;
    this.#metrics.sessionsClosed.inc({ tier: peer.grant.tier ?? NO_TIER });
    peer.watch.stop();
    const seconds = (performance.now() - peer.admitted) / 1000;
    // The session's own byte counts (moq-lite streams and datagrams, every transport); moq-relay
    // reports QUIC's and 0 on stream transports.
    const { bytesSent, bytesReceived } = peer.session.stats();
    const bytes = { sent: bytesSent, received: bytesReceived };
    this.#endLease(peer.lease, peer.request, peer.revoked ?? this.#endReason(info), seconds, peer.id, bytes);
    for (const path of [...peer.origins.keys()]) this.#unannounced(peer, path, "publisher disconnected");
    peer.view.stop();
    this.#emit({
      type: "session-closed",
      session: peer.id,
      remote: peer.request.remote,
      root: peer.grant.root,
      code: info.code,
      reason: info.reason,
      by: info.by,
      ...(info.dropped ? { dropped: true } : {}),
    });
  }

  /** The `end` event's reason for a session that closed on its own, in moq-relay's words. */
  #endReason(info: CloseInfo): string {
    if (this.#closing) return "shutdown";
    if (info.code === 0 && !info.dropped) return "closed";
    return info.reason || `closed with code ${info.code}`;
  }
}
