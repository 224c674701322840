import { MoqError, streamErrorCode } from "../../errors.ts";
import type { SessionCore } from "./context.ts";
import { openFailed } from "./failure.ts";
import type { RecvStream, SendStream } from "./streams.ts";

/**
 * Whether a request stream (announce, probe) failed because the session went away under it rather
 * than on its own (a reset, bad bytes). The session ends its readers itself when it closes, so
 * only a stream's own failure should reach a reader as an error. An error without a stream code
 * comes from the transport, whose close reaches the session within the same turn of the event
 * loop: one turn is enough to tell.
 */
export async function sessionWentAway(core: SessionCore, err: unknown): Promise<boolean> {
  if (core.isClosed) return true;
  if (err instanceof MoqError || streamErrorCode(err) !== undefined) return false;
  await new Promise((resolve) => setTimeout(resolve, 0));
  return core.isClosed;
}

/** A reader fed by one request stream: it ends quietly with the session, or fails on its own. */
export interface RequestReader {
  end(error: MoqError): void;
  fail(error: MoqError): void;
}

/** Open the request stream behind `reader`; when that fails, end or fail the reader and return undefined. */
export async function openRequestStream(
  core: SessionCore,
  kind: string,
  type: number,
  reader: RequestReader,
): Promise<{ send: SendStream; recv: RecvStream } | undefined> {
  try {
    return await core.openBidi(kind, type);
  } catch (err) {
    const error = openFailed(err, `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} stream`);
    if (await sessionWentAway(core, err)) reader.end(error);
    else reader.fail(error);
    return undefined;
  }
}
