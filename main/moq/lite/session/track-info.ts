import { DecodeError, ErrorCode, MoqError } from "../../errors.ts";
import type { Path } from "../../model/path.ts";
import type { TrackConsumer } from "../../model/track.ts";
import { DEFAULT_TIMESCALE } from "../../model/types.ts";
import { decodeTrackRequest, encodeTrackInfo } from "../wire/track.ts";
import type { SessionCore } from "./context.ts";
import { streamEnded } from "./failure.ts";
import type { RecvStream, SendStream } from "./streams.ts";

// 05+: answer a Track stream (spec §14.4). The track is resolved as a subscription would be, so a
// relay asks its upstream; its timescale is what frames on our group streams are counted in.

/** How long a relayed track may take to learn its timescale from upstream before the default is used. */
const TIMESCALE_WAIT_MS = 5000;
/**
 * A SUBSCRIBE usually follows a TRACK at once: keep the track resolved a little longer so a relay
 * reuses the upstream subscription it just made instead of closing and reopening it.
 */
const KEEP_RESOLVED_MS = 2000;

export async function serveTrack(core: SessionCore, send: SendStream, recv: RecvStream): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, "TRACK");
  const request = decodeTrackRequest(body, core.version, core.limits);
  core.traced(recv, "TRACK", request);
  const timescale = await resolveTimescale(core, request.broadcast, request.track);
  if (timescale === undefined) {
    send.reset(ErrorCode.NotFound);
    // The requester FINs after TRACK; read to that end rather than stop (see fetch.ts).
    await recv.discard().catch(() => {});
    recv.noteEnd("fin");
    return;
  }
  try {
    const info = { priority: 0, ordered: false, maxLatencyMs: 0, timescale };
    await core.sendMessage(send, "TRACK_INFO", info, encodeTrackInfo(info, core.version));
    await send.close();
    if (!(await recv.done())) throw new DecodeError("unexpected bytes after TRACK");
    recv.noteEnd("fin");
  } catch (err) {
    streamEnded(core, err, recv, send, "track stream");
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref?.();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The timescale of a published track, or undefined when there is no such track. A handler is only
 * run for a real subscription (it may count subscribers, or read a file for each): its tracks have
 * the default timescale. An in-memory broadcast is asked as a subscription would ask it, so a
 * relay learns the timescale from upstream.
 */
async function resolveTimescale(core: SessionCore, broadcast: Path, track: string): Promise<number | undefined> {
  const how = core.mux.publishedAs(broadcast);
  if (how === undefined) return undefined;
  if (how === "handler") return DEFAULT_TIMESCALE;
  let consumer: TrackConsumer;
  try {
    consumer = core.mux.serve({ broadcast, track, priority: 0, ordered: false, maxLatencyMs: 0 });
  } catch (err) {
    if (err instanceof MoqError) return undefined;
    throw err;
  }
  const timescale = await withTimeout(consumer.timescale(), TIMESCALE_WAIT_MS, DEFAULT_TIMESCALE);
  setTimeout(() => consumer.close(), KEEP_RESOLVED_MS).unref?.();
  return timescale;
}
