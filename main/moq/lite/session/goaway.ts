import { DecodeError, ErrorCode, MoqError } from "../../errors.ts";
import { decodeGoaway, encodeGoaway } from "../wire/goaway.ts";
import type { Goaway } from "../wire/goaway.ts";
import { BidiStreamType } from "../wire/stream-type.ts";
import { versionAtLeast } from "../wire/version.ts";
import type { SessionCore } from "./context.ts";
import type { RecvStream, SendStream } from "./streams.ts";

/**
 * Read the GOAWAY the peer sent and hand it on (the caller decides whether to follow the URI).
 * The sender FINs the stream when it is about to close; nothing may follow the message.
 */
export async function receiveGoaway(
  core: SessionCore,
  send: SendStream,
  recv: RecvStream,
  onGoaway: (g: Goaway) => void,
): Promise<void> {
  const body = await recv.message(core.limits.maxMessageBytes, "GOAWAY");
  const msg = decodeGoaway(body, core.version, core.limits);
  core.traced(recv, "GOAWAY", msg);
  onGoaway(msg);
  if (!(await recv.done())) throw new DecodeError("unexpected bytes after GOAWAY");
  recv.noteEnd("fin");
  await send.close();
}

/** Tell the peer to go away (04+), optionally to a new URI; the stream stays open until we close. */
export async function sendGoaway(core: SessionCore, uri: string): Promise<SendStream> {
  if (!versionAtLeast(core.version, "moq-lite-04"))
    throw new MoqError(ErrorCode.Unsupported, `GOAWAY needs moq-lite-04; this session is ${core.version}`);
  const { send } = await core.openBidi("goaway", BidiStreamType.Goaway);
  const msg = { uri };
  await core.sendMessage(send, "GOAWAY", msg, encodeGoaway(msg, core.version));
  return send;
}
