import { MoqError, streamErrorCode } from "../../errors.ts";
import type { SessionCore } from "./context.ts";

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
