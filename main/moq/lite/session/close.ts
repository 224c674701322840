import { streamErrorCode } from "../../errors.ts";
import type { WebTransportCloseInfo } from "../../transport/types.ts";

/** How a session ended. */
export interface CloseInfo {
  /** 0 = a normal close; otherwise a moq-lite code (spec §12) or the transport's. */
  code: number;
  /** What the closing side or the failing transport said; may be empty. */
  reason: string;
  /** Who ended it: us, or the other end (the peer, or the connection failing under us). */
  by: "local" | "remote";
  /**
   * True when the connection was lost without the peer closing the session (the network went
   * away, the peer's process died); absent or false when one side closed it deliberately.
   */
  dropped?: boolean;
}

export type TransportEnd = { closed: WebTransportCloseInfo | unknown } | { failed: unknown };

/**
 * The end of a session we did not close, from how its transport's `closed` settled: W3C transports
 * fulfil it when the peer closed the session and reject it when the connection was lost.
 */
export function remoteClose(outcome: TransportEnd): CloseInfo {
  if ("closed" in outcome) {
    const info = (outcome.closed ?? {}) as WebTransportCloseInfo;
    return { code: info.closeCode ?? 0, reason: info.reason ?? "", by: "remote", dropped: false };
  }
  const err = outcome.failed;
  const reason = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  return { code: streamErrorCode(err) ?? 0, reason, by: "remote", dropped: true };
}
