import { withLimits } from "../../coding/limits.ts";
import { encodeVarint } from "../../coding/varint.ts";
import type { Limits } from "../../coding/limits.ts";
import { DecodeError, ErrorCode, MoqError, streamErrorCode } from "../../errors.ts";
import type { GroupConsumer } from "../../model/group.ts";
import { TrackMux } from "../../mux.ts";
import type { BidiStream, Transport, TransportInfo } from "../../transport/types.ts";
import { decodeGroupHeader } from "../wire/group.ts";
import type { Goaway } from "../wire/goaway.ts";
import type { TrackInfo } from "../wire/track.ts";
import { toPath } from "../../model/path.ts";
import { Settled } from "../../model/signal.ts";
import {
  BidiStreamType,
  UniStreamType,
  bidiStreamTypeAllowed,
  bidiStreamTypeName,
  uniStreamTypeName,
} from "../wire/stream-type.ts";
import { decodeSessionSetup, encodeSessionSetup, type SessionSetup } from "../wire/setup-stream.ts";
import { isAlpnVersion, isLegacyVersion, versionAtLeast } from "../wire/version.ts";
import { localSessionCode, localStreamCode, wireSessionCode, wireStreamCode } from "../wire/codes.ts";
import type { Version } from "../wire/version.ts";
import { AnnouncementReader, runAnnounced, serveAnnounce } from "./announce.ts";
import { RateMeter } from "./bitrate.ts";
import { remoteClose } from "./close.ts";
import type { CloseInfo, TransportEnd } from "./close.ts";
import type { SessionCore } from "./context.ts";
import { EventHub } from "./events.ts";
import type { EventListener, SessionEvent } from "./events.ts";
import { serveFetch, startFetch } from "./fetch.ts";
import type { FetchRequest } from "./fetch.ts";
import { receiveGoaway, sendGoaway } from "./goaway.ts";
import { ProbeReader, runProbe, serveProbe } from "./probe.ts";
import type { ProbeResult } from "./probe.ts";
import { serveSubscribe } from "./publisher.ts";
import { SETUP_STREAM_TYPE, clientSetup, followSessionStream, serverSetup } from "./setup.ts";
import { queryTrackInfo, serveTrack } from "./track-info.ts";
import { RecvStream, SendStream } from "./streams.ts";
import { Subscription, receiveGroup, runSubscription } from "./subscriber.ts";
import { receiveDatagrams } from "./datagrams.ts";
import type { SubscribeConfig } from "./subscriber.ts";

export type Role = "client" | "server";

export interface SessionOptions {
  /** Where incoming subscriptions and announce requests are answered from. */
  mux?: TrackMux;
  limits?: Partial<Limits>;
  /** Observe every event from the first byte on, the 01/02 SETUP exchange included (see `on`). */
  onEvent?: EventListener;
}

export type { CloseInfo };

export interface SessionStats {
  /** The transport's estimate of our send rate if it has one, else our measured send rate (bits/s). */
  estimatedBitrate: number;
  /** Measured over the last second at the moq-lite layer (bits/s). */
  sendBitrate: number;
  recvBitrate: number;
  /** Smoothed transport RTT where known, else the peer's last PROBE RTT (04), else undefined. */
  rttMs: number | undefined;
  /** The transport's most recent RTT sample, where it measures its own (WebSocket, HTTP/2). */
  rttLatestMs: number | undefined;
  bytesSent: number;
  bytesReceived: number;
  /** The peer's last probe report of its send rate towards us (bits/s), if we probed. */
  peerBitrate: number | undefined;
}

export interface ConnectionState {
  role: Role;
  version: Version;
  transport: TransportInfo["kind"];
  url: string;
  negotiated: string;
  tls: TransportInfo["tls"];
  /** Why transports tried first were passed over (HTTP/3 unavailable, refused, timed out…). */
  fallback?: string[];
  open: boolean;
  close?: CloseInfo;
  /** 05+: what the peer's SETUP said it can do (probe level 0 none, 1 report, 2 increase; role). */
  peerSetup?: Pick<SessionSetup, "probe" | "role" | "path" | "cost" | "hop">;
}

/** Stream types are varints up to 2^62-1; every defined one fits a byte, anything larger is simply unknown. */
const UNKNOWN_STREAM_TYPE = 0xffff;
function streamType(big: bigint | undefined): number | undefined {
  if (big === undefined) return undefined;
  return big <= 0xffn ? Number(big) : UNKNOWN_STREAM_TYPE;
}
const SETUP_TIMEOUT_MS = 10_000;

/** One moq-lite session over any W3C-WebTransport-shaped transport, in either role. */
export class Session {
  readonly role: Role;
  readonly transport: Transport;
  readonly mux: TrackMux;
  readonly limits: Limits;
  readonly events = new EventHub();
  readonly closed: Promise<CloseInfo>;
  #version?: Version;
  #closeInfo?: CloseInfo;
  #resolveClosed!: (info: CloseInfo) => void;
  #streamIds = 0;
  #nextSubscribeId = 0;
  readonly #subscriptions = new Map<number, Subscription>();
  readonly #announced = new Set<AnnouncementReader>();
  readonly #probes = new Set<ProbeReader>();
  readonly #probeTargets = new Map<number, number>();
  readonly #sent = new RateMeter();
  readonly #received = new RateMeter();
  #peerProbe?: ProbeResult;
  #goawayListeners = new Set<(g: Goaway) => void>();
  #peerSetup?: SessionSetup;
  /** Settles with the peer's SETUP (05+), or undefined when the session ends without one. */
  readonly #peerSetupKnown = new Settled<SessionSetup | undefined>();
  #versionReady: Promise<Version>;
  #setVersion!: (v: Version) => void;
  readonly #core: SessionCore;

  private constructor(transport: Transport, role: Role, options: SessionOptions) {
    this.transport = transport;
    this.role = role;
    this.mux = options.mux ?? new TrackMux();
    this.limits = withLimits(options.limits);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#versionReady = new Promise((resolve) => (this.#setVersion = resolve));
    this.#core = this.#makeCore();
    if (options.onEvent) this.events.on(options.onEvent);
    void Promise.resolve(transport.session.closed).then(
      (closed) => this.#onTransportClosed({ closed }),
      (failed: unknown) => this.#onTransportClosed({ failed }),
    );
  }

  /** Run a session over a connected transport. Resolves once the version is known. */
  static async establish(transport: Transport, role: Role, options: SessionOptions = {}): Promise<Session> {
    const session = new Session(transport, role, options);
    try {
      await session.#start();
    } catch (err) {
      const code = err instanceof MoqError ? err.code : ErrorCode.Transport;
      session.closeWithError(code, err instanceof Error ? err.message : String(err));
      throw err;
    }
    return session;
  }

  get version(): Version {
    if (!this.#version) throw new MoqError(ErrorCode.Closed, "session version is not negotiated yet");
    return this.#version;
  }

  get isClosed(): boolean {
    return this.#closeInfo !== undefined;
  }

  async #start(): Promise<void> {
    await this.transport.session.ready;
    const protocol = this.transport.session.protocol ?? "";
    void this.#acceptUni();
    if (isAlpnVersion(protocol)) {
      this.#negotiated(protocol);
      void this.#acceptBidi();
      return;
    }
    if (protocol !== "" && protocol !== "moql") {
      throw new MoqError(ErrorCode.UnknownAlpn, `peer negotiated "${protocol}", which is not a moq-lite version`);
    }
    if (this.role === "client") {
      const setup = await clientSetup(this.#core, () => this.#core.openBidi("setup-compat", SETUP_STREAM_TYPE));
      this.#negotiated(setup.version);
      void this.#acceptBidi();
      void this.#watchSessionStream(setup.recv);
    } else {
      void this.#acceptBidi();
      // A peer that agreed on no version must send CLIENT_SETUP promptly.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new MoqError(ErrorCode.Timeout, `no CLIENT_SETUP within ${SETUP_TIMEOUT_MS} ms`)),
          SETUP_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([
          this.#versionReady,
          deadline,
          this.closed.then((c) => Promise.reject(new MoqError(c.code, c.reason))),
        ]);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  #negotiated(version: Version): void {
    this.#version = version;
    this.#setVersion(version);
    if (versionAtLeast(version, "moq-lite-05")) void this.#sendSetup();
    const datagrams = this.transport.datagrams;
    if (datagrams && versionAtLeast(version, "moq-lite-05")) {
      receiveDatagrams(this.#core, datagrams, (id) => this.#lookupSubscription(id)).catch((err) => this.#fail(err));
    }
    // RTT samples taken while both ends were busy with setup would skew the estimate for seconds.
    this.transport.sessionEstablished?.();
  }

  /**
   * 05+: our one SETUP on a Setup stream of its own. We answer PROBE with our send rate (level 1,
   * "report") and pad nothing; the role stays "both"; the path rides on the URL (WebSocket and
   * WebTransport carry one), so none is sent.
   */
  async #sendSetup(): Promise<void> {
    try {
      const stream = await this.#openUni("setup", UniStreamType.Setup);
      // 06: our hop id (a relay's) for the whole session, so the peer leaves out routes through us.
      const hop = versionAtLeast(this.version, "moq-lite-06") && this.mux.hop !== 0 ? this.mux.hop : undefined;
      const setup = { probe: 1, role: 0, ...(hop ? { hop } : {}) } as const;
      await this.#core.sendMessage(stream, "SETUP", setup, encodeSessionSetup(setup, this.version));
      await stream.close();
    } catch (err) {
      if (!this.isClosed) this.#fail(err);
    }
  }

  /** 05+: the peer's SETUP stream, exactly one per session. */
  async #receiveSetup(recv: RecvStream): Promise<void> {
    if (this.#peerSetup) throw new DecodeError("the peer opened a second Setup stream");
    const body = await recv.message(this.limits.maxMessageBytes, "SETUP");
    const setup = decodeSessionSetup(body, this.version, this.limits);
    this.#peerSetup = setup;
    this.#peerSetupKnown.resolve(setup);
    this.#core.traced(recv, "SETUP", {
      probe: setup.probe,
      role: setup.role,
      path: setup.path,
      ...(setup.cost !== undefined ? { cost: setup.cost } : {}),
      ...(setup.hop !== undefined ? { hop: setup.hop } : {}),
    });
    if (!(await recv.done())) throw new DecodeError("unexpected bytes after SETUP");
    recv.noteEnd("fin");
  }

  async #watchSessionStream(recv: RecvStream): Promise<void> {
    try {
      await followSessionStream(this.#core, recv, () => {});
      this.closeWithError(ErrorCode.Closed, "peer closed the session stream");
    } catch (err) {
      this.#core.fail(err);
    }
  }

  #makeCore(): SessionCore {
    // The core reads live session state through getters, which need the session itself.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get version() {
        return self.version;
      },
      limits: this.limits,
      mux: this.mux,
      events: this.events,
      transport: this.transport,
      peerSetup: () => this.#peerSetupKnown.promise,
      get isClosed() {
        return self.isClosed;
      },
      countSent: (n) => this.#sent.add(n),
      wireCode: (code) => (this.#version ? wireStreamCode(code, this.#version) : code),
      peerCode: (err) => {
        if (err instanceof MoqError) return err.code;
        const code = streamErrorCode(err);
        return code === undefined || !this.#version ? code : localStreamCode(code, this.#version);
      },
      countReceived: (n) => this.#received.add(n),
      openBidi: (kind, type, sendOrder) => this.#openBidi(kind, type, sendOrder),
      openUni: (kind, type, sendOrder) => this.#openUni(kind, type, sendOrder),
      sendMessage: async (stream, name, fields, bytes) => {
        const written = stream.write(bytes);
        this.#core.traceSent(stream, name, fields);
        await written;
      },
      traceSent: (stream, name, fields) => {
        const bytes = stream.claim();
        if (this.events.active)
          this.events.emit({
            type: "message",
            stream: stream.id,
            direction: "sent",
            name,
            fields: { ...fields },
            bytes,
          });
      },
      traced: (recv, name, fields) => {
        const bytes = recv.claim();
        if (this.events.active)
          this.events.emit(
            { type: "message", stream: recv.id, direction: "received", name, fields: { ...fields }, bytes },
            recv.arrivedAt,
          );
      },
      emit: (event: SessionEvent, at?: number) => this.events.emit(event, at),
      fail: (err) => this.#fail(err),
    };
  }

  #fail(err: unknown): void {
    if (this.isClosed) return;
    if (err instanceof MoqError) this.closeWithError(err.code, err.message);
    else
      this.closeWithError(ErrorCode.Cancelled, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  }

  async #openBidi(kind: string, type: number, sendOrder?: number): Promise<{ send: SendStream; recv: RecvStream }> {
    if (this.isClosed) throw new MoqError(ErrorCode.Closed, "session is closed");
    const stream = await this.transport.session.createBidirectionalStream({ sendOrder, waitUntilAvailable: true });
    const id = ++this.#streamIds;
    const send = new SendStream(this.#core, id, stream.writable);
    const recv = new RecvStream(this.#core, id, stream.readable);
    send.enqueue(encodeVarint(type));
    this.events.emit({ type: "stream-opened", stream: id, dir: "bidi", initiator: "local", kind, bytes: send.claim() });
    return { send, recv };
  }

  async #openUni(kind: string, type: number, sendOrder?: number): Promise<SendStream> {
    if (this.isClosed) throw new MoqError(ErrorCode.Closed, "session is closed");
    const writable = await this.transport.session.createUnidirectionalStream({ sendOrder, waitUntilAvailable: true });
    const id = ++this.#streamIds;
    const send = new SendStream(this.#core, id, writable);
    send.enqueue(encodeVarint(type));
    this.events.emit({ type: "stream-opened", stream: id, dir: "uni", initiator: "local", kind, bytes: send.claim() });
    return send;
  }

  async #acceptBidi(): Promise<void> {
    const reader = this.transport.session.incomingBidirectionalStreams.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        void this.#handleBidi(value);
      }
    } catch {
      // The transport closed; #onTransportClosed reports why.
    }
  }

  async #acceptUni(): Promise<void> {
    const reader = this.transport.session.incomingUnidirectionalStreams.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        void this.#handleUni(value);
      }
    } catch {
      // As above.
    }
  }

  async #handleBidi(stream: BidiStream): Promise<void> {
    const id = ++this.#streamIds;
    const core = this.#core;
    const send = new SendStream(core, id, stream.writable);
    const recv = new RecvStream(core, id, stream.readable);
    try {
      const type = streamType(await recv.varintBigOrEnd("stream type"));
      if (type === undefined) {
        // Ended before it said what it is: nothing to trace.
        await send.close();
        return;
      }
      this.events.emit(
        {
          type: "stream-opened",
          stream: id,
          dir: "bidi",
          initiator: "remote",
          kind: bidiStreamTypeName(type),
          bytes: recv.claim(),
        },
        recv.arrivedAt,
      );
      if (type === SETUP_STREAM_TYPE && this.role === "server" && !this.#version) {
        this.#negotiated(await serverSetup(core, send, recv));
        await this.#watchSessionStream(recv);
        return;
      }
      const version = this.#version ?? (await this.#versionReady);
      if (!bidiStreamTypeAllowed(type, version)) {
        // Drafts 03+: reset an unknown stream and carry on (spec §12.3).
        send.reset(ErrorCode.UnexpectedStream);
        recv.stop(ErrorCode.UnexpectedStream);
        return;
      }
      switch (type) {
        case BidiStreamType.Announce:
          return await serveAnnounce(core, send, recv);
        case BidiStreamType.Subscribe:
          return await serveSubscribe(core, send, recv);
        case BidiStreamType.Fetch:
          return await serveFetch(core, send, recv);
        case BidiStreamType.Probe:
          return await serveProbe(core, send, recv, this.#probeSampler, this.#probeTargets);
        case BidiStreamType.Goaway:
          return await receiveGoaway(core, send, recv, (goaway) => {
            for (const fn of this.#goawayListeners) fn(goaway);
          });
        case BidiStreamType.Track:
          return await serveTrack(core, send, recv);
        default:
          send.reset(ErrorCode.UnexpectedStream);
          recv.stop(ErrorCode.UnexpectedStream);
      }
    } catch (err) {
      this.#streamFailed(err, send, recv);
    }
  }

  async #handleUni(readable: ReadableStream<Uint8Array>): Promise<void> {
    const id = ++this.#streamIds;
    const recv = new RecvStream(this.#core, id, readable);
    try {
      const type = streamType(await recv.varintBigOrEnd("stream type"));
      if (type === undefined) return;
      this.events.emit(
        {
          type: "stream-opened",
          stream: id,
          dir: "uni",
          initiator: "remote",
          kind: uniStreamTypeName(type),
          bytes: recv.claim(),
        },
        recv.arrivedAt,
      );
      const version = this.#version ?? (await this.#versionReady);
      if (type === UniStreamType.Setup && versionAtLeast(version, "moq-lite-05")) {
        await this.#receiveSetup(recv);
        return;
      }
      if (type !== UniStreamType.Group) {
        recv.stop(ErrorCode.UnexpectedStream);
        return;
      }
      await receiveGroup(
        this.#core,
        recv,
        (subId) => this.#lookupSubscription(subId),
        (body) => decodeGroupHeader(body, version, this.limits),
      );
    } catch (err) {
      this.#streamFailed(err, undefined, recv);
    }
  }

  /** The subscription an id names: live, "ended" (ours, finished), or undefined (never ours). */
  #lookupSubscription(id: number): Subscription | "ended" | undefined {
    return this.#subscriptions.get(id) ?? (id < this.#nextSubscribeId ? "ended" : undefined);
  }

  /** A stream handler threw: malformed input closes the session, anything else ends the stream. */
  #streamFailed(err: unknown, send: SendStream | undefined, recv: RecvStream): void {
    if (err instanceof DecodeError) {
      this.#fail(err);
      return;
    }
    const code = this.#core.peerCode(err) ?? ErrorCode.Cancelled;
    send?.reset(code);
    recv.stop(code);
  }

  readonly #probeSampler = {
    sendBitrate: () => {
      const est = this.transport.stats().estimatedSendRate;
      return typeof est === "number" && est > 0 ? Math.round(est) : this.#sent.bitsPerSecond();
    },
    rttMs: () => this.transport.stats().smoothedRttMs,
  };

  // ---- the public API -------------------------------------------------------------------

  /** Subscribe to a track; groups arrive on the returned reader. */
  subscribe(broadcast: string, track: string, config: SubscribeConfig = {}): Subscription {
    const id = this.#nextSubscribeId++;
    const sub = new Subscription(this.#core, id, toPath(broadcast, "broadcast path"), track, config);
    if (this.isClosed) {
      sub.end({ code: ErrorCode.Closed, reason: "session is closed" });
      return sub;
    }
    const partial = frameBoundsProblem(config, this.#core.version);
    if (partial) {
      sub.end({ code: ErrorCode.Unsupported, reason: partial });
      return sub;
    }
    // Registered before SUBSCRIBE goes out: group data may arrive before SUBSCRIBE_OK.
    this.#subscriptions.set(id, sub);
    void sub.closed.then(() => this.#subscriptions.delete(id));
    void runSubscription(this.#core, sub, config);
    return sub;
  }

  /**
   * 05+: a track's properties (its timescale) without subscribing to it; undefined before 05,
   * which has no Track stream. Rejects with a MoqError when the peer has no such track.
   */
  async trackInfo(broadcast: string, track: string): Promise<TrackInfo | undefined> {
    if (this.isClosed) throw new MoqError(ErrorCode.Closed, "session is closed");
    if (!versionAtLeast(this.#core.version, "moq-lite-05")) return undefined;
    return queryTrackInfo(this.#core, toPath(broadcast, "broadcast path"), track);
  }

  /** Broadcasts the peer announces under `prefix`, now and as they change. */
  announced(prefix = ""): AnnouncementReader {
    const reader = new AnnouncementReader(prefix);
    if (this.isClosed) {
      reader.end(new MoqError(ErrorCode.Closed, "session is closed"));
      return reader;
    }
    this.#announced.add(reader);
    void runAnnounced(this.#core, reader).finally(() => this.#announced.delete(reader));
    return reader;
  }

  /** One past group by sequence (03+; most deployed peers refuse FETCH). */
  fetch(request: FetchRequest): GroupConsumer {
    return startFetch(this.#core, { ...request, broadcast: toPath(request.broadcast, "broadcast path") });
  }

  /** Ask the peer for reports of its send rate towards us (and RTT on 04). */
  probe(targetBitrate?: number): ProbeReader {
    const reader = new ProbeReader();
    if (this.isClosed) {
      reader.end(new MoqError(ErrorCode.Closed, "session is closed"));
      return reader;
    }
    if (this.#version && isLegacyVersion(this.#version)) {
      reader.end(
        new MoqError(ErrorCode.Unsupported, `${this.#version} has no probe stream (it needs moq-lite-03 or newer)`),
      );
      return reader;
    }
    this.#probes.add(reader);
    void runProbe(this.#core, reader, targetBitrate, (r) => (this.#peerProbe = r)).finally(() =>
      this.#probes.delete(reader),
    );
    return reader;
  }

  /** Target bitrates the peer asked us to reach on its open probe streams (bits/s). */
  probeTargets(): number[] {
    return [...this.#probeTargets.values()];
  }

  stats(): SessionStats {
    const t = this.transport.stats();
    const sendBitrate = this.#sent.bitsPerSecond();
    const est =
      typeof t.estimatedSendRate === "number" && t.estimatedSendRate > 0
        ? Math.round(t.estimatedSendRate)
        : sendBitrate;
    const probeRtt = this.#peerProbe && this.#peerProbe.rttMs > 0 ? this.#peerProbe.rttMs : undefined;
    return {
      estimatedBitrate: est,
      sendBitrate,
      recvBitrate: this.#received.bitsPerSecond(),
      rttMs: t.smoothedRttMs ?? probeRtt,
      rttLatestMs: t.latestRttMs,
      bytesSent: this.#sent.total,
      bytesReceived: this.#received.total,
      peerBitrate: this.#peerProbe?.bitrate,
    };
  }

  connectionState(): ConnectionState {
    const info = this.transport.info;
    return {
      role: this.role,
      version: this.#version ?? ("unknown" as Version),
      transport: info.kind,
      url: info.url,
      negotiated: info.negotiated,
      tls: info.tls,
      ...(info.fallback?.length ? { fallback: info.fallback } : {}),
      open: !this.isClosed,
      close: this.#closeInfo,
      ...(this.#peerSetup
        ? {
            peerSetup: {
              probe: this.#peerSetup.probe,
              role: this.#peerSetup.role,
              path: this.#peerSetup.path,
              cost: this.#peerSetup.cost,
              hop: this.#peerSetup.hop,
            },
          }
        : {}),
    };
  }

  /** Observe every stream, message, group and frame. Returns the function that stops it. */
  on(listener: EventListener): () => void {
    return this.events.on(listener);
  }

  /** Called when the peer sends GOAWAY (04). */
  onGoaway(fn: (goaway: Goaway) => void): () => void {
    this.#goawayListeners.add(fn);
    return () => this.#goawayListeners.delete(fn);
  }

  /** Send GOAWAY (04), optionally naming where to reconnect. */
  async goAway(uri = ""): Promise<void> {
    await sendGoaway(this.#core, uri);
  }

  /** Close the session with a code (0 = normal) and a reason the peer sees. */
  closeWithError(code: number, reason: string): void {
    if (this.#closeInfo) return;
    this.#finish({ code, reason, by: "local", dropped: false });
    try {
      const version = this.#version ?? this.#alpnVersion();
      const closeCode = version ? wireSessionCode(code, version) : code;
      this.transport.session.close({ closeCode, reason: reason.slice(0, 1024) });
    } catch {
      // Already closed underneath.
    }
  }

  close(): void {
    this.closeWithError(0, "");
  }

  #onTransportClosed(outcome: TransportEnd): void {
    if (this.#closeInfo) return;
    const info = remoteClose(outcome);
    // A peer's close code, in our table (05+ closes with its own registry). A peer may close
    // before we read the version off the transport (a relay refusing the session at once).
    const version = this.#version ?? this.#alpnVersion();
    if (version && !info.dropped) info.code = localSessionCode(info.code, version);
    this.#finish(info);
  }

  /** The version the transport negotiated by ALPN, if it did. */
  #alpnVersion(): Version | undefined {
    const protocol = this.transport.session.protocol ?? "";
    return isAlpnVersion(protocol) ? protocol : undefined;
  }

  #finish(info: CloseInfo): void {
    this.#closeInfo = info;
    this.#peerSetupKnown.resolve(undefined);
    this.events.emit({ type: "closed", ...info });
    const err = new MoqError(
      info.code === 0 ? ErrorCode.Closed : info.code,
      `session closed: ${info.reason || "no reason given"}`,
    );
    for (const sub of this.#subscriptions.values()) sub.end({ code: err.code, reason: err.message });
    this.#subscriptions.clear();
    for (const a of this.#announced) a.end(err);
    for (const p of this.#probes) p.end(err);
    this.transport.dispose();
    this.#resolveClosed(info);
  }
}

/** Why a subscription's frame bounds cannot be asked for, if they cannot. */
function frameBoundsProblem(config: SubscribeConfig, version: Version): string | undefined {
  const start = config.startFrame ?? 0;
  if (start === 0 && config.endFrame === undefined) return undefined;
  if (!versionAtLeast(version, "moq-lite-06")) return `frame bounds need moq-lite-06 (this session is ${version})`;
  if (start > 0 && config.startGroup === undefined) return "a start frame needs a start group";
  if (config.endFrame !== undefined && config.endGroup === undefined) return "an end frame needs an end group";
  return undefined;
}
