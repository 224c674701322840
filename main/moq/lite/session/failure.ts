import { DecodeError, ErrorCode, MoqError, describeCode } from "../../errors.ts";
import type { SessionCore } from "./context.ts";
import type { RecvStream, SendStream } from "./streams.ts";

/**
 * A stream ended abnormally while we read it. Malformed bytes fail the whole session; anything
 * else is the peer resetting just this stream, which we answer in kind. Returns the error that
 * describes the end, for the reader waiting on this stream.
 */
export function streamEnded(
  core: SessionCore,
  err: unknown,
  recv: RecvStream,
  send: SendStream | undefined,
  what: string,
): MoqError {
  if (err instanceof DecodeError) {
    core.fail(err);
    return err;
  }
  const code = core.peerCode(err) ?? ErrorCode.Cancelled;
  recv.noteEnd("reset", code);
  send?.reset(code);
  return new MoqError(code, `${what} was reset with code ${describeCode(code)}`);
}

/** The error for a stream we could not even open (the session is going away). */
export function openFailed(err: unknown, what: string): MoqError {
  return new MoqError(ErrorCode.Closed, `could not open ${what}: ${err instanceof Error ? err.message : String(err)}`);
}
