import { DecodeError, ErrorCode, MoqError } from "../../errors.ts";
import type { GroupConsumer } from "../../model/group.ts";
import type { GroupReader } from "../../model/types.ts";
import type { TrackConsumer } from "../../model/track.ts";
import type { SubscribeRequest } from "../../mux.ts";
import { encodeGroupHeader } from "../wire/group.ts";
import { UniStreamType } from "../wire/stream-type.ts";
import {
  decodeSubscribe,
  decodeSubscribeUpdate,
  encodeSubscribeEnd,
  encodeSubscribeOk,
  encodeSubscribeStart,
} from "../wire/subscribe.ts";
import { versionAtLeast } from "../wire/version.ts";
import type { Subscribe } from "../wire/subscribe.ts";
import type { SessionCore } from "./context.ts";
import { sendDatagram } from "./datagrams.ts";
import { FrameHeaders } from "./frames.ts";
import { groupSendOrder } from "./priority.ts";
import type { RecvStream, SendStream } from "./streams.ts";

// Group streams one subscription may have open at once; with more pending, the subscriber is not
// keeping up and the track's cache decides what is dropped.
const MAX_GROUPS_IN_FLIGHT = 16;

// Frames up to this size are sent with their length prefix in one write; larger ones in two,
// so big payloads are never copied.
const COALESCE_LIMIT = 16 * 1024;

/** One subscription the peer made to us. */
export class PublishedSubscription {
  readonly request: Subscribe;
  priority: number;
  ordered: boolean;
  readonly #core: SessionCore;
  readonly #consumer: TrackConsumer;
  readonly #groups = new Set<Promise<void>>();
  #cancelled = false;
  /** 05+: the Subscribe stream, where SUBSCRIBE_START and SUBSCRIBE_END go. */
  readonly #send: SendStream | undefined;
  /** The highest group sequence sent, for SUBSCRIBE_END. */
  #highest: number | undefined;
  /** 05+: the group SUBSCRIBE_START named. */
  #start: number | undefined;

  constructor(core: SessionCore, request: Subscribe, consumer: TrackConsumer, send?: SendStream) {
    this.#core = core;
    this.request = request;
    this.priority = request.priority;
    this.ordered = request.ordered;
    this.#consumer = consumer;
    this.#send = versionAtLeast(core.version, "moq-lite-05") ? send : undefined;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The subscriber went away: stop producing and abandon open groups. */
  cancel(): void {
    this.#cancelled = true;
    this.#consumer.close();
  }

  /**
   * Send every group the consumer yields, each on its own stream and concurrently, until the
   * track ends. Resolves with undefined on a clean end or with the error that ended the track.
   */
  async run(): Promise<MoqError | undefined> {
    const { startGroup, endGroup } = this.request;
    for (;;) {
      let group: GroupConsumer | undefined;
      try {
        group = (await this.#consumer.nextGroup()) as GroupConsumer | undefined;
      } catch (err) {
        await this.#drain();
        return err instanceof MoqError ? err : new MoqError(ErrorCode.Cancelled, String(err));
      }
      if (!group || this.#cancelled) break;
      if (startGroup !== undefined && group.sequence < startGroup) continue;
      if (endGroup !== undefined && group.sequence > endGroup) break;
      // 05: acceptance is implicit; the first group delivered resolves where the subscription
      // starts. A lower group can still come after it: a relay receives groups in arrival order,
      // and a publisher sends the newest first. It is served all the same, as moq-net's
      // subscriber delivers one that still arrives (@moq/net reads START for information only).
      if (this.#send && this.#start === undefined) {
        this.#start = this.#startFor(group.sequence);
        const start = { group: this.#start };
        await this.#core.sendMessage(
          this.#send,
          "SUBSCRIBE_START",
          start,
          encodeSubscribeStart(this.#start, this.#core.version),
        );
      }
      if (this.#highest === undefined || group.sequence > this.#highest) this.#highest = group.sequence;
      const task = (group.datagram ? this.#sendDatagramGroup(group) : this.#sendGroup(group)).catch((err) =>
        this.#core.fail(err),
      );
      this.#groups.add(task);
      void task.finally(() => this.#groups.delete(task));
      if (endGroup !== undefined && group.sequence === endGroup) break;
      // A subscriber that does not keep up stops us pulling groups: they wait in the track's
      // bounded cache, which drops the oldest first, instead of piling up here without bound.
      while (this.#groups.size >= MAX_GROUPS_IN_FLIGHT && !this.#cancelled) await Promise.race(this.#groups);
    }
    await this.#drain();
    // 05: say which group is the first that will never come before the FIN.
    if (this.#send && !this.#cancelled) {
      const end = { group: this.#highest === undefined ? 0 : this.#highest + 1 };
      await this.#core
        .sendMessage(this.#send, "SUBSCRIBE_END", end, encodeSubscribeEnd(end.group, this.#core.version))
        .catch(() => {});
    }
    return undefined;
  }

  /**
   * The group SUBSCRIBE_START names, given the first one to hand. A relay's track receives groups
   * in arrival order, and a newer group can overtake an older one: where the feed's start is
   * known, start there (not below where this reader began, nor below the request) so the older
   * group still gets through when it arrives.
   */
  #startFor(first: number): number {
    const feed = this.#consumer.feedStart;
    if (feed === undefined || feed >= first) return first;
    const floor = Math.max(this.#consumer.startedAt ?? 0, this.request.startGroup ?? 0);
    return Math.min(first, Math.max(feed, floor));
  }

  async #drain(): Promise<void> {
    while (this.#groups.size > 0) await Promise.all([...this.#groups]);
  }

  /**
   * 05+: a one-frame group meant for a datagram goes in one where the transport has them and the
   * frame fits (and no 06 frame bounds cut into it); otherwise on a stream like any group.
   */
  async #sendDatagramGroup(group: GroupConsumer): Promise<void> {
    const bounded = this.request.startFrame !== undefined || this.request.endFrame !== undefined;
    if (!this.#core.transport.datagrams || !versionAtLeast(this.#core.version, "moq-lite-05") || bounded) {
      return this.#sendGroup(group);
    }
    const frame = await group.readFrame();
    if (frame === undefined) return;
    const timestamp = group.lastTimestamp;
    if (this.#cancelled) return;
    if (sendDatagram(this.#core, this.request.id, group.sequence, timestamp, frame)) return;
    // Too large for a datagram: the frame already read goes first on the stream.
    return this.#sendGroup(withFirstFrame(group, frame, timestamp));
  }

  async #sendGroup(group: GroupReader): Promise<void> {
    const core = this.#core;
    const id = this.request.id;
    const order = groupSendOrder(this.priority, this.ordered, group.sequence);
    let stream: SendStream;
    try {
      stream = await core.openUni("group", UniStreamType.Group, order);
    } catch {
      group.cancel();
      return;
    }
    // 06: a subscription may start or end partway through its first or last group.
    const { first, last } = frameBounds(this.request, group.sequence);
    const header = { subscribeId: id, sequence: group.sequence, ...(first > 0 ? { firstFrame: first } : {}) };
    stream.enqueue(encodeGroupHeader(header, core.version));
    core.traceSent(stream, "GROUP", header);
    if (core.events.active) {
      core.emit({
        type: "group",
        stream: stream.id,
        direction: "sent",
        subscribeId: id,
        broadcast: this.request.broadcast,
        track: this.request.track,
        sequence: group.sequence,
      });
    }
    const headers = new FrameHeaders(core);
    let index = 0;
    try {
      for (; index <= last;) {
        const frame = await group.readFrame();
        if (frame === undefined) break;
        if (index < first) {
          index++;
          continue;
        }
        if (this.#cancelled) {
          stream.reset(ErrorCode.Cancelled);
          group.cancel();
          return;
        }
        await stream.ready;
        if (stream.ended) {
          group.cancel();
          return;
        }
        const timestamp = group.lastTimestamp;
        const prefix = headers.next(timestamp, frame.length);
        if (frame.length <= COALESCE_LIMIT) {
          const chunk = new Uint8Array(prefix.length + frame.length);
          chunk.set(prefix);
          chunk.set(frame, prefix.length);
          stream.enqueue(chunk);
        } else {
          stream.enqueue(prefix);
          stream.enqueue(frame);
        }
        const bytes = stream.claim();
        if (core.events.active) {
          core.emit({
            type: "frame",
            stream: stream.id,
            direction: "sent",
            subscribeId: id,
            sequence: group.sequence,
            index,
            size: frame.length,
            bytes,
            ...(headers.timed ? { timestamp } : {}),
          });
        }
        index++;
      }
    } catch (err) {
      // The group was aborted by its producer, or the peer stopped the stream.
      const code = core.peerCode(err) ?? ErrorCode.Cancelled;
      stream.reset(code);
      group.cancel();
      return;
    }
    // Past a 06 end frame: the rest of the group is not ours to read.
    if (index > last) group.cancel();
    await stream.close();
  }
}

/** A group reader that hands out `frame` (already read from `group`) before the rest of it. */
function withFirstFrame(group: GroupReader, frame: Uint8Array, timestamp: number): GroupReader {
  let first: Uint8Array | undefined = frame;
  let last = timestamp;
  return {
    sequence: group.sequence,
    get lastTimestamp() {
      return last;
    },
    async readFrame() {
      if (first) {
        const f = first;
        first = undefined;
        return f;
      }
      const next = await group.readFrame();
      last = group.lastTimestamp;
      return next;
    },
    cancel: (code) => group.cancel(code),
  };
}

/**
 * 06: which frames of group `sequence` a subscription wants, as indices (inclusive). Frames before
 * the start frame are not sent (the group header says where they start); none after the end frame.
 */
function frameBounds(request: Subscribe, sequence: number): { first: number; last: number } {
  const first = sequence === request.startGroup ? (request.startFrame ?? 0) : 0;
  const last = sequence === request.endGroup && request.endFrame !== undefined ? request.endFrame : Infinity;
  return { first, last };
}

/** Serve a Subscribe stream the peer opened (its type byte already read). */
export async function serveSubscribe(core: SessionCore, send: SendStream, recv: RecvStream): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, "SUBSCRIBE");
  const request = decodeSubscribe(body, core.version, core.limits);
  core.traced(recv, "SUBSCRIBE", request);

  let resolveDelivered!: (v: boolean) => void;
  const delivered = new Promise<boolean>((r) => (resolveDelivered = r));
  const subscribeRequest: SubscribeRequest = {
    broadcast: request.broadcast,
    track: request.track,
    priority: request.priority,
    ordered: request.ordered,
    maxLatencyMs: request.maxLatencyMs,
    startGroup: request.startGroup,
    endGroup: request.endGroup,
    subscribeId: request.id,
    delivered,
    ...(versionAtLeast(core.version, "moq-lite-06") && request.startGroup === undefined && request.maxLatencyMs > 0
      ? { reachBackMs: request.maxLatencyMs }
      : {}),
  };
  let consumer: TrackConsumer;
  try {
    consumer = core.mux.serve(subscribeRequest);
  } catch (err) {
    const code = err instanceof MoqError ? err.code : ErrorCode.NotFound;
    resolveDelivered(false);
    send.reset(code);
    recv.stop(code);
    return;
  }

  // 05 has no SUBSCRIBE_OK: SUBSCRIBE_START goes out with the first group (PublishedSubscription).
  if (!versionAtLeast(core.version, "moq-lite-05")) {
    const ok = { priority: request.priority, ordered: request.ordered, maxLatencyMs: 0 };
    await core.sendMessage(send, "SUBSCRIBE_OK", ok, encodeSubscribeOk(ok, core.version));
  }

  const subscription = new PublishedSubscription(core, request, consumer, send);
  const updates = readUpdates(core, recv, subscription);
  const result = await Promise.race([subscription.run(), updates]);
  if (result === "fin" || result === "reset") {
    // The subscriber left before the track ended: answer a FIN with a FIN, a reset with a reset.
    subscription.cancel();
    resolveDelivered(false);
    if (result === "fin") await send.close();
    else send.reset(ErrorCode.Cancelled);
    return;
  }
  if (result) {
    resolveDelivered(false);
    send.reset(result.code);
    recv.stop(result.code);
    return;
  }
  await send.close();
  // The subscriber answers our FIN with its own once it has seen the end: only then was
  // everything read. A subscriber that never answers is stopped after a grace period.
  const answered = await Promise.race([updates.then((how) => how === "fin"), sleep(ACK_GRACE_MS).then(() => false)]);
  resolveDelivered(answered);
  if (!answered) recv.stop(ErrorCode.Cancelled);
}

const ACK_GRACE_MS = 10_000;
const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });

/** Apply SUBSCRIBE_UPDATEs until the subscriber ends its half. */
async function readUpdates(
  core: SessionCore,
  recv: RecvStream,
  subscription: PublishedSubscription,
): Promise<"fin" | "reset"> {
  try {
    for (;;) {
      const body = await recv.messageOrEnd(core.limits.maxMessageBytes, "SUBSCRIBE_UPDATE");
      if (body === undefined) {
        recv.noteEnd("fin");
        return "fin";
      }
      const update = decodeSubscribeUpdate(body, core.version, core.limits);
      core.traced(recv, "SUBSCRIBE_UPDATE", update);
      subscription.priority = update.priority;
      if ("ordered" in update) subscription.ordered = update.ordered;
    }
  } catch (err) {
    if (err instanceof DecodeError) core.fail(err);
    else recv.noteEnd("reset", core.peerCode(err));
    return "reset";
  }
}
