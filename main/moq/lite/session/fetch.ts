import { DecodeError, ErrorCode, MoqError } from "../../errors.ts";
import { GroupProducer } from "../../model/group.ts";
import type { GroupConsumer } from "../../model/group.ts";
import type { Path } from "../../model/path.ts";
import { decodeFetch, encodeFetch } from "../wire/fetch.ts";
import type { Fetch } from "../wire/fetch.ts";
import { FrameHeaders, FrameReader } from "./frames.ts";
import { BidiStreamType } from "../wire/stream-type.ts";
import { versionAtLeast } from "../wire/version.ts";
import type { SessionCore } from "./context.ts";
import { openFailed, streamEnded } from "./failure.ts";
import type { RecvStream, SendStream } from "./streams.ts";

export interface FetchRequest {
  broadcast: string;
  track: string;
  group: number;
  priority?: number;
  /** 06+: the first frame wanted (default 0); the answer starts exactly there. */
  startFrame?: number;
  /** 06+: the last frame wanted (inclusive); default the end of the group. */
  endFrame?: number;
}

/** A fetch whose broadcast path was validated at the API. */
type PathFetch = FetchRequest & { broadcast: Path };

/** Ask the peer for one past group; its frames arrive on the returned reader. */
export function startFetch(core: SessionCore, request: PathFetch): GroupConsumer {
  const group = new GroupProducer(request.group);
  const reader = group.consume();
  if ((request.startFrame || request.endFrame !== undefined) && !versionAtLeast(core.version, "moq-lite-06")) {
    group.closeWithError(
      ErrorCode.Unsupported,
      `fetching part of a group needs moq-lite-06 (this session is ${core.version})`,
    );
    return reader;
  }
  void runFetch(core, request, group);
  return reader;
}

async function runFetch(core: SessionCore, request: PathFetch, group: GroupProducer): Promise<void> {
  let send: SendStream;
  let recv: RecvStream;
  try {
    ({ send, recv } = await core.openBidi("fetch", BidiStreamType.Fetch));
  } catch (err) {
    const e = openFailed(err, "a fetch stream");
    group.closeWithError(e.code, e.message);
    return;
  }
  const msg: Fetch = {
    broadcast: request.broadcast,
    track: request.track,
    priority: request.priority ?? 128,
    group: request.group,
    ...(request.startFrame ? { startFrame: request.startFrame } : {}),
    ...(request.endFrame !== undefined ? { endFrame: request.endFrame } : {}),
  };
  try {
    await core.sendMessage(send, "FETCH", msg, encodeFetch(msg, core.version));
    await send.close();
    const frames = new FrameReader(core, recv);
    for (let index = request.startFrame ?? 0; ; index++) {
      const frame = await frames.next();
      if (frame === undefined) break;
      const timestamp = frames.timestamp;
      group.writeFrame(frame, timestamp);
      core.traced(recv, "FRAME", {
        group: request.group,
        index,
        size: frame.length,
        ...(timestamp !== undefined ? { timestamp } : {}),
      });
    }
    recv.noteEnd("fin");
    group.close();
  } catch (err) {
    const e = streamEnded(
      core,
      err,
      recv,
      undefined,
      `fetch of group ${request.group} of "${request.broadcast}"/"${request.track}"`,
    );
    group.closeWithError(e.code, e.message);
  }
}

/** Answer a Fetch stream from what the mux still has cached. */
export async function serveFetch(core: SessionCore, send: SendStream, recv: RecvStream): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, "FETCH");
  const request = decodeFetch(body, core.version, core.limits);
  core.traced(recv, "FETCH", request);
  const group = core.mux.cachedGroup(request.broadcast, request.track, request.group);
  if (!group) {
    send.reset(ErrorCode.NotFound);
    // The requester only FINs after FETCH: read to that end instead of STOP_SENDING, which
    // @moq/qmux 0.3.3 answers by never returning credit for bytes already in flight.
    await recv.discard();
    recv.noteEnd("fin");
    return;
  }
  // The requester sends nothing after FETCH; anything else is a violation, and reading to the
  // end keeps the transport's flow-control credit flowing.
  void recv.done().then(
    (done) => {
      if (done) recv.noteEnd("fin");
      else core.fail(new DecodeError("unexpected bytes after FETCH"));
    },
    (err: unknown) => streamEnded(core, err, recv, undefined, "fetch stream"),
  );
  const reader = group.consume();
  const headers = new FrameHeaders(core);
  // 06: the answer starts exactly at the start frame and stops after the end frame.
  const first = request.startFrame ?? 0;
  const last = request.endFrame ?? Infinity;
  try {
    for (let index = 0; index <= last; index++) {
      const frame = await reader.readFrame();
      if (frame === undefined) break;
      if (index < first) continue;
      await send.ready;
      const timestamp = reader.lastTimestamp;
      send.enqueue(headers.next(timestamp, frame.length));
      send.enqueue(frame);
      core.traceSent(send, "FRAME", {
        group: request.group,
        index,
        size: frame.length,
        ...(headers.timed ? { timestamp } : {}),
      });
    }
    await send.close();
  } catch (err) {
    send.reset(err instanceof MoqError ? err.code : ErrorCode.Cancelled);
  }
}
