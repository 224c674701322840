import { DecodeError, ErrorCode, MoqError, isNotFoundCode } from "../../errors.ts";
import type { Path } from "../../model/path.ts";
import { declaredProperties } from "../../model/track.ts";
import { BidiStreamType } from "../wire/stream-type.ts";
import { decodeTrackInfo, decodeTrackRequest, encodeTrackInfo, encodeTrackRequest } from "../wire/track.ts";
import type { TrackInfo } from "../wire/track.ts";
import type { SessionCore } from "./context.ts";
import { openFailed, streamEnded } from "./failure.ts";
import type { RecvStream, SendStream } from "./streams.ts";
import { withTimeout } from "./timeout.ts";

// 05+: both ends of a Track stream (spec §14.4). The answer's timescale is what frames on our
// group streams are counted in; a relay asks its upstream for it, without subscribing.

/**
 * Ask the peer for a track's properties (TRACK → TRACK_INFO, then both FIN). Rejects with a
 * MoqError when it has no such track (its reset code) or the stream could not be used.
 */
export async function queryTrackInfo(core: SessionCore, broadcast: Path, track: string): Promise<TrackInfo> {
  let send: SendStream;
  let recv: RecvStream;
  try {
    ({ send, recv } = await core.openBidi("track", BidiStreamType.Track));
  } catch (err) {
    throw openFailed(err, "a track stream");
  }
  try {
    const request = { broadcast, track };
    await core.sendMessage(send, "TRACK", request, encodeTrackRequest(request, core.version));
    const body = await recv.message(core.limits.maxMessageBytes, "TRACK_INFO");
    const info = decodeTrackInfo(body, core.version, core.limits);
    core.traced(recv, "TRACK_INFO", info);
    await send.close();
    if (!(await recv.done())) throw new DecodeError("unexpected bytes after TRACK_INFO");
    recv.noteEnd("fin");
    return info;
  } catch (err) {
    const e = streamEnded(core, err, recv, send, "track stream");
    if (e instanceof DecodeError || !isNotFoundCode(e.code)) throw e;
    throw new MoqError(e.code, `publisher has no track "${track}" in broadcast "${broadcast}"`);
  }
}

/** How long a relayed track may take to learn its properties from upstream before the defaults are used. */
const PROPERTIES_WAIT_MS = 5000;

export async function serveTrack(core: SessionCore, send: SendStream, recv: RecvStream): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, "TRACK");
  const request = decodeTrackRequest(body, core.version, core.limits);
  core.traced(recv, "TRACK", request);
  const properties = await withTimeout(
    core.mux.trackProperties(request.broadcast, request.track).catch(() => undefined),
    PROPERTIES_WAIT_MS,
    declaredProperties(),
  );
  if (properties === undefined) {
    send.reset(ErrorCode.NotFound);
    // The requester FINs after TRACK; read to that end rather than stop (see fetch.ts).
    await recv.discard().catch(() => {});
    recv.noteEnd("fin");
    return;
  }
  try {
    const info = {
      priority: properties.publisherPriority,
      ordered: false,
      maxLatencyMs: properties.maxAgeMs,
      timescale: properties.timescale,
    };
    await core.sendMessage(send, "TRACK_INFO", info, encodeTrackInfo(info, core.version));
    await send.close();
    if (!(await recv.done())) throw new DecodeError("unexpected bytes after TRACK");
    recv.noteEnd("fin");
  } catch (err) {
    streamEnded(core, err, recv, send, "track stream");
  }
}
