import { DecodeError, ErrorCode, MoqError, TruncatedError, isNotFoundCode } from "../../errors.ts";
import { TrackProducer } from "../../model/track.ts";
import type { Path } from "../../model/path.ts";
import type { TrackConsumer } from "../../model/track.ts";
import type { EndInfo, GroupReader, GroupWriter, TrackReader } from "../../model/types.ts";
import { DEFAULT_TIMESCALE } from "../../model/types.ts";
import { BidiStreamType } from "../wire/stream-type.ts";
import {
  decodeSubscribeResponse,
  encodeSubscribe,
  encodeSubscribeUpdate,
  subscribeResponsesTyped,
} from "../wire/subscribe.ts";
import type { TrackInfo } from "../wire/track.ts";
import { versionAtLeast } from "../wire/version.ts";
import type { Subscribe, SubscribeDrop, SubscribeOk, SubscriptionParams } from "../wire/subscribe.ts";
import type { SessionCore } from "./context.ts";
import { openFailed, streamEnded } from "./failure.ts";
import { FrameReader } from "./frames.ts";
import { queryTrackInfo } from "./track-info.ts";
import type { RecvStream, SendStream } from "./streams.ts";

export interface SubscribeConfig {
  /** 0-255, higher is more important. Default 128. */
  priority?: number;
  /** Deliver older groups first (true) or the newest first (false, the live default). */
  ordered?: boolean;
  maxLatencyMs?: number;
  /** First group wanted; absent = the latest. */
  startGroup?: number;
  /** Last group wanted (inclusive); absent = unbounded. */
  endGroup?: number;
  /** 06+: the first frame wanted within startGroup (default 0). */
  startFrame?: number;
  /** 06+: the last frame wanted within endGroup (inclusive; default its end). */
  endFrame?: number;
  /** Groups kept for late readers (consume()) of this subscription. Default 4. */
  maxCachedGroups?: number;
  /** Groups kept for readers that have not reached them yet before they skip ahead. Default 1024. */
  maxPendingGroups?: number;
  /** Byte bound on what is kept for readers. Default 64 MiB. */
  maxPendingBytes?: number;
  /**
   * Keep every frame of cached groups for readers added later with consume(). By default a frame
   * is dropped once the readers of its group have read it, which keeps large media cheap.
   */
  keepFrames?: boolean;
}

/** What goes on the wire for a config: the defaults a live viewer wants. */
function paramsOf(config: SubscribeConfig): SubscriptionParams {
  return {
    priority: config.priority ?? 128,
    ordered: config.ordered ?? false,
    maxLatencyMs: config.maxLatencyMs ?? 0,
    startGroup: config.startGroup,
    endGroup: config.endGroup,
    ...(config.startFrame ? { startFrame: config.startFrame } : {}),
    ...(config.endFrame !== undefined ? { endFrame: config.endFrame } : {}),
  };
}

/**
 * A subscription we made. It reads like any TrackReader (groups in arrival order, starting with
 * the first one that arrives); more readers can be attached with `consume()`.
 */
export class Subscription implements TrackReader {
  readonly id: number;
  readonly broadcast: Path;
  readonly name: string;
  readonly producer: TrackProducer;
  /** Resolves with the publisher's first SUBSCRIBE_OK; rejects if the subscription is refused. */
  readonly ok: Promise<SubscribeOk>;
  /** SUBSCRIBE_DROPs received, for diagnostics. */
  readonly drops: SubscribeDrop[] = [];
  /** 05+: the track's properties from TRACK_INFO (timescale, publisher priority and retention). */
  trackInfo: TrackInfo | undefined;
  /** 05+: SUBSCRIBE_END's group, the first that will never be delivered. */
  endGroup: number | undefined;
  readonly closed: Promise<EndInfo | undefined>;
  readonly #reader: TrackConsumer;
  readonly #core: SessionCore;
  #send?: SendStream;
  #resolveOk!: (ok: SubscribeOk) => void;
  #rejectOk!: (err: unknown) => void;
  #resolveClosed!: (info: EndInfo | undefined) => void;
  #ended = false;
  #draining = false;
  #openGroups = 0;
  #highestReceived: number | undefined;
  #lastGroupAt = 0;
  #okSeen = false;

  constructor(core: SessionCore, id: number, broadcast: Path, track: string, config: SubscribeConfig) {
    this.#core = core;
    this.id = id;
    this.broadcast = broadcast;
    this.name = track;
    // Readers slower than the network keep what they have not reached, up to a bound; past it
    // they skip ahead (TrackConsumer.skippedGroups counts it).
    this.producer = new TrackProducer(track, {
      maxCachedGroups: config.maxCachedGroups,
      maxPendingGroups: config.maxPendingGroups ?? 1024,
      maxCachedBytes: config.maxPendingBytes ?? 64 * 1024 * 1024,
      releaseReadFrames: !config.keepFrames,
      // Known once the session knows its version (05+: from TRACK_INFO).
      timescale: "pending",
    });
    this.#reader = this.producer.consume();
    this.ok = new Promise((resolve, reject) => {
      this.#resolveOk = resolve;
      this.#rejectOk = reject;
    });
    this.ok.catch(() => {});
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  nextGroup(): Promise<GroupReader | undefined> {
    return this.#reader.nextGroup();
  }

  /** Frame timestamp units per second: TRACK_INFO's over 05, else milliseconds. */
  timescale(): Promise<number> {
    return this.producer.timescale();
  }

  /** Another reader of the same subscription, starting at the latest group. */
  consume(): TrackConsumer {
    return this.producer.consume();
  }

  /** Unsubscribe: FIN our half; the publisher answers with its own FIN. */
  close(): void {
    if (this.#ended) return;
    this.#finish(undefined);
    void this.#send?.close();
  }

  /** Change priority, order or range (SUBSCRIBE_UPDATE; best effort, peers may ignore it). */
  async update(config: SubscribeConfig): Promise<void> {
    const send = this.#send;
    if (!send || this.#ended) throw new MoqError(ErrorCode.Closed, "subscription is not active");
    const update = paramsOf(config);
    await this.#core.sendMessage(send, "SUBSCRIBE_UPDATE", update, encodeSubscribeUpdate(update, this.#core.version));
  }

  /** @internal */
  attach(send: SendStream): void {
    this.#send = send;
  }

  /** @internal */
  gotOk(ok: SubscribeOk): void {
    this.#okSeen = true;
    this.#resolveOk(ok);
  }

  /** @internal End the subscription: undefined = clean (FIN), otherwise the reset. */
  end(info: EndInfo | undefined): void {
    if (this.#ended) return;
    this.#rejectOk(
      new MoqError(info?.code ?? ErrorCode.Closed, info?.reason ?? "subscription ended before SUBSCRIBE_OK"),
    );
    this.#finish(info);
  }

  /**
   * @internal The publisher FINed the subscription. Its group streams may still be on the way:
   * a sender's scheduler puts control streams first, so the FIN can overtake queued group data.
   * Keep accepting groups until every open one ended and none arrived for a short while.
   */
  drain(): void {
    if (this.#ended || this.#draining) return;
    this.#draining = true;
    const check = () => {
      if (this.#ended) return;
      const quietFor = performance.now() - this.#lastGroupAt;
      if (this.#openGroups === 0 && quietFor >= DRAIN_QUIET_MS) this.end(undefined);
      else setTimeout(check, DRAIN_QUIET_MS).unref?.();
    };
    setTimeout(check, DRAIN_QUIET_MS).unref?.();
  }

  /** The highest group sequence received so far (06 checks SUBSCRIBE_END against it). */
  get highestReceived(): number | undefined {
    return this.#highestReceived;
  }

  /** @internal A group stream for this subscription started / ended. */
  groupStarted(sequence: number): void {
    this.#openGroups++;
    if (this.#highestReceived === undefined || sequence > this.#highestReceived) this.#highestReceived = sequence;
    this.#lastGroupAt = performance.now();
    // 05 accepts implicitly: a group before SUBSCRIBE_START is as good as one.
    if (!this.#okSeen && versionAtLeast(this.#core.version, "moq-lite-05")) {
      const info = this.trackInfo;
      this.gotOk({
        priority: info?.priority ?? 0,
        ordered: info?.ordered ?? false,
        maxLatencyMs: info?.maxLatencyMs ?? 0,
        startGroup: sequence,
        endGroup: undefined,
      });
    }
  }
  groupEnded(): void {
    this.#openGroups--;
    this.#lastGroupAt = performance.now();
  }

  #finish(info: EndInfo | undefined): void {
    this.#ended = true;
    if (info) this.producer.closeWithError(info.code, info.reason);
    else this.producer.close();
    this.#resolveClosed(info);
  }

  get active(): boolean {
    return !this.#ended;
  }
}

/** 05+: the track's properties, or undefined when the publisher refused (`sub` has ended then). */
async function requestTrackInfo(core: SessionCore, sub: Subscription): Promise<TrackInfo | undefined> {
  try {
    return await queryTrackInfo(core, sub.broadcast, sub.name);
  } catch (err) {
    const e = err instanceof MoqError ? err : new MoqError(ErrorCode.Cancelled, String(err));
    sub.end({ code: e.code, reason: e.message });
    return undefined;
  }
}

/** Open the Subscribe stream for `sub` and follow its responses until it ends. */
export async function runSubscription(core: SessionCore, sub: Subscription, config: SubscribeConfig): Promise<void> {
  if (versionAtLeast(core.version, "moq-lite-05")) {
    const info = await requestTrackInfo(core, sub);
    if (!info) return;
    sub.trackInfo = info;
    sub.producer.setTimescale(info.timescale);
    sub.producer.setMaxAge(info.maxLatencyMs);
  } else {
    sub.producer.setTimescale(DEFAULT_TIMESCALE);
  }
  const request: Subscribe = {
    id: sub.id,
    broadcast: sub.broadcast,
    track: sub.name,
    ...paramsOf(config),
  };
  let send: SendStream;
  let recv: RecvStream;
  try {
    ({ send, recv } = await core.openBidi("subscribe", BidiStreamType.Subscribe));
  } catch (err) {
    const e = openFailed(err, "a subscribe stream");
    sub.end({ code: e.code, reason: e.message });
    return;
  }
  sub.attach(send);
  try {
    await core.sendMessage(send, "SUBSCRIBE", request, encodeSubscribe(request, core.version));
    await readResponses(core, sub, recv);
    recv.noteEnd("fin");
    await send.close();
    sub.drain();
  } catch (err) {
    if (err instanceof TrackViolation) {
      // The track is broken, not the session: stop both directions with the code, end the track.
      recv.stop(err.code);
      send.reset(err.code);
      sub.end({ code: err.code, reason: err.message });
      return;
    }
    // After we unsubscribed, the publisher's last words do not matter: @moq/net 0.3.4 can FIN in
    // the middle of its SUBSCRIBE_END when our FIN crosses it. Not a reason to end the session.
    if (!sub.active && err instanceof TruncatedError) {
      recv.noteEnd("fin");
      return;
    }
    const e = streamEnded(core, err, recv, send, "subscribe stream");
    sub.end({ code: e.code, reason: e instanceof DecodeError ? e.message : resetReason(e.code, sub) });
  }
}

const DRAIN_QUIET_MS = 100;

/** A publisher broke a track-level rule: that track ends with ProtocolViolation, the session stays. */
class TrackViolation extends MoqError {
  constructor(message: string) {
    super(ErrorCode.ProtocolViolation, message);
  }
}

function resetReason(code: number, sub: Subscription): string {
  if (isNotFoundCode(code)) return `publisher has no track "${sub.name}" in broadcast "${sub.broadcast}"`;
  return `subscription to "${sub.broadcast}" / "${sub.name}" was reset with code ${code}`;
}

async function readResponses(core: SessionCore, sub: Subscription, recv: RecvStream): Promise<void> {
  const typed = subscribeResponsesTyped(core.version);
  const implicit = versionAtLeast(core.version, "moq-lite-05");
  for (let first = true; ; first = false) {
    const type = typed ? await recv.varintOrEnd("subscribe response type") : undefined;
    if (typed && type === undefined) return;
    const body = typed
      ? await recv.message(core.limits.maxMessageBytes, "subscribe response")
      : await recv.messageOrEnd(core.limits.maxMessageBytes, "SUBSCRIBE_OK");
    if (body === undefined) return;
    const response = decodeSubscribeResponse(type, body, core.version, core.limits);
    if (response.type === "ok") {
      core.traced(recv, "SUBSCRIBE_OK", response.ok);
      if (first) sub.gotOk(response.ok);
    } else if (response.type === "drop") {
      // 03/04 accept explicitly first; 05 accepts implicitly, so a DROP may come first there.
      if (first && !implicit)
        throw new DecodeError("first subscribe response must be SUBSCRIBE_OK, got SUBSCRIBE_DROP");
      core.traced(recv, "SUBSCRIBE_DROP", response.drop);
      sub.drops.push(response.drop);
    } else if (response.type === "start") {
      core.traced(recv, "SUBSCRIBE_START", { group: response.group });
      const info = sub.trackInfo;
      // Resolves `ok` once, even after a DROP came first.
      sub.gotOk({
        priority: info?.priority ?? 0,
        ordered: info?.ordered ?? false,
        maxLatencyMs: info?.maxLatencyMs ?? 0,
        startGroup: response.group,
        endGroup: undefined,
      });
    } else {
      core.traced(recv, "SUBSCRIBE_END", { group: response.group });
      // 06 makes END exclusive ("no group >= N"); deployed 05 peers sent an inclusive one.
      const highest = sub.highestReceived;
      if (versionAtLeast(core.version, "moq-lite-06") && highest !== undefined && response.group <= highest) {
        throw new TrackViolation(
          `SUBSCRIBE_END says no group from ${response.group} on, but group ${highest} already came (moq-lite-06 makes END exclusive)`,
        );
      }
      sub.endGroup = response.group;
    }
  }
}

/** Read one group stream (type byte already read) into the subscription it names. */
export async function receiveGroup(
  core: SessionCore,
  recv: RecvStream,
  lookup: (id: number) => Subscription | "ended" | undefined,
  decodeHeader: (body: Uint8Array) => { subscribeId: number; sequence: number; firstFrame?: number },
): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, "GROUP");
  const header = decodeHeader(body);
  core.traced(recv, "GROUP", header);
  const sub = lookup(header.subscribeId);
  if (sub === "ended" || (sub && !sub.active)) {
    // A late group for a subscription we already finished: not an error. Read it to the end
    // rather than stopping it: @moq/qmux 0.3.3 never returns connection credit for bytes in
    // flight on a stream we stop, so every stop would shrink the peer's window for good.
    await recv.discard();
    recv.noteEnd("fin");
    return;
  }
  if (!sub) {
    recv.stop(ErrorCode.NotFound);
    return;
  }
  if (versionAtLeast(core.version, "moq-lite-06") && sub.endGroup !== undefined && header.sequence >= sub.endGroup) {
    recv.stop(ErrorCode.ProtocolViolation);
    sub.end({
      code: ErrorCode.ProtocolViolation,
      reason: `group ${header.sequence} came after SUBSCRIBE_END said no group from ${sub.endGroup} on (moq-lite-06 makes END exclusive)`,
    });
    return;
  }
  let group;
  try {
    group = sub.producer.openGroup(header.sequence);
  } catch (err) {
    recv.stop(err instanceof MoqError ? err.code : ErrorCode.Duplicate);
    return;
  }
  sub.groupStarted(header.sequence);
  try {
    await readFrames(core, recv, sub, header.sequence, group, header.firstFrame ?? 0);
  } finally {
    sub.groupEnded();
  }
}

async function readFrames(
  core: SessionCore,
  recv: RecvStream,
  sub: Subscription,
  sequence: number,
  group: GroupWriter,
  firstFrame: number,
): Promise<void> {
  if (core.events.active) {
    core.emit(
      {
        type: "group",
        stream: recv.id,
        direction: "received",
        subscribeId: sub.id,
        broadcast: sub.broadcast,
        track: sub.name,
        sequence: sequence,
      },
      recv.arrivedAt,
    );
  }
  const frames = new FrameReader(core, recv);
  // 06: a group stream may start partway through its group; frames keep their index in it.
  let index = firstFrame;
  try {
    for (;;) {
      const frame = await frames.next();
      if (frame === undefined) break;
      const timestamp = frames.timestamp;
      group.writeFrame(frame, timestamp);
      const bytes = recv.claim();
      if (core.events.active) {
        core.emit(
          {
            type: "frame",
            stream: recv.id,
            direction: "received",
            subscribeId: sub.id,
            sequence: sequence,
            index,
            size: frame.length,
            bytes,
            ...(timestamp !== undefined ? { timestamp } : {}),
          },
          recv.arrivedAt,
        );
      }
      index++;
    }
  } catch (err) {
    const e = streamEnded(core, err, recv, undefined, `group ${sequence}`);
    group.closeWithError(e.code, e.message);
    return;
  }
  recv.noteEnd("fin");
  group.close();
}
