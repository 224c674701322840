// Library and transport failures in words a person can act on: what a moq-lite code means, why a
// session ended, and any thrown error with a hint where one helps. The CLI and the app share these.

import { AUTH_UNAVAILABLE_CODE, ErrorCode, MoqError, StreamCode, describeCode } from "../moq/index.ts";
import type { CloseInfo } from "../moq/index.ts";

/** What a moq-lite reset or close code means for someone watching a relay. */
const MEANINGS: Partial<Record<number, string>> = {
  [ErrorCode.Cancelled]: "cancelled by the peer",
  [ErrorCode.Old]: "the requested group is older than the publisher keeps",
  [ErrorCode.Timeout]: "the peer timed out",
  [ErrorCode.Transport]: "the transport failed underneath",
  [ErrorCode.Decode]: "a message could not be decoded (protocol violation)",
  [ErrorCode.Unauthorized]: "not authorized: check the ?jwt= token in the URL and the paths it grants",
  [AUTH_UNAVAILABLE_CODE]:
    "the relay could not ask its auth server (502): not a verdict on your token; try again later",
  [ErrorCode.UnsupportedVersion]: "no common moq-lite version: try --protocol auto",
  [ErrorCode.UnexpectedStream]: "the peer does not support this kind of stream (an older moq-lite version?)",
  [ErrorCode.BoundsExceeded]: "a value was out of bounds",
  [ErrorCode.Duplicate]: "a duplicate request or group",
  [ErrorCode.NotFound]: "the publisher has no such track/broadcast",
  [ErrorCode.WrongSize]: "a size did not match",
  [ErrorCode.ProtocolViolation]: "protocol violation: one side sent something the moq-lite version does not allow",
  [ErrorCode.UnexpectedMessage]: "an unexpected message (protocol violation)",
  [ErrorCode.Unsupported]: "the peer does not support this request",
  [ErrorCode.Encode]: "the peer could not encode or decode a message (moq-relay's code for a malformed one)",
  [ErrorCode.UnknownAlpn]: "no common application protocol: try --protocol auto",
  [ErrorCode.Dropped]: "dropped by the publisher",
  [ErrorCode.Closed]: "the other side closed it",
  [ErrorCode.Lagged]: "the subscriber fell too far behind",
  [ErrorCode.FrameTooLarge]: "a frame exceeded the size limit",
  [ErrorCode.Unroutable]: "the relay has no route to this broadcast",
  [ErrorCode.Evicted]: "evicted from the relay's cache",
  // The moq-lite-05+ registry (moq-relay 0.17 sends it on every version); 49–57 only mean this.
  [StreamCode.ControlTimeout]: "a control request was not answered in time",
  [StreamCode.GroupTooLarge]: "a group grew past the relay's cache budget and was aborted",
  [StreamCode.NotFound]: "the publisher has no such track/broadcast",
  [StreamCode.Old]: "the group was superseded by a newer one and dropped",
  [StreamCode.Evicted]: "evicted under memory pressure (it can be fetched again)",
  [StreamCode.Unroutable]: "the relay has no route to this broadcast: nobody announces it there",
  [StreamCode.WrongSize]: "a frame's payload did not match its declared size",
  [StreamCode.FrameTooLarge]: "a frame was larger than the receiver accepts",
  [StreamCode.TimestampMismatch]: "a frame's timestamp does not fit its track's timescale",
};

/** "13 NotFound: the publisher has no such track/broadcast". */
export function explainCode(code: number): string {
  const meaning = MEANINGS[code];
  return meaning ? `${describeCode(code)}: ${meaning}` : `code ${describeCode(code)}`;
}

/** "13 NotFound" without the explanation, for a timeline bar's label. */
export function codeName(code: number): string {
  return describeCode(code);
}

/** Why a session ended, for a message: closed by the server (code, reason), by us, or lost. */
export function explainClose(info: CloseInfo): string {
  if (info.by === "remote" && info.dropped) {
    // The transport's own words ("Connection closed: 1006") add nothing a person can use.
    return "lost the connection to the server: it went away without closing the session (did the server stop, or the network drop?)";
  }
  const who = info.by === "remote" ? "the server closed the session" : "the session was closed";
  const reason = info.reason ? ` ("${info.reason}")` : "";
  if (info.code === 0) return `${who}${reason}`;
  return `${who} with ${explainCode(info.code)}${reason}`;
}

/** Hints in terms of the CLI's flags (the app's connection form uses the same names), by the codes transport errors carry. */
const FLAG_HINTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "pass --fingerprint HEX (the certificate's SHA-256) or --insecure",
  SELF_SIGNED_CERT_IN_CHAIN: "pass --fingerprint HEX (the certificate's SHA-256) or --insecure",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "pass --fingerprint HEX or --insecure",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "pass --fingerprint HEX or --insecure",
  CERT_HAS_EXPIRED: "pass --insecure to connect anyway",
  CERT_NOT_YET_VALID: "pass --insecure to connect anyway",
  ERR_TLS_CERT_ALTNAME_INVALID: "pass --fingerprint HEX or --insecure, or use the host name the certificate names",
  FINGERPRINT_MISMATCH: "update --fingerprint (or use the server's http:// URL, which publishes it)",
  PROTOCOL_REFUSED: "try --protocol auto, or another --protocol",
  NO_DEV_FINGERPRINT: "use https:// with --fingerprint HEX or --insecure, or ws://",
};

/** The message for any library or transport failure, with a hint where one helps. */
export function describeFailure(err: unknown): string {
  if (err instanceof MoqError) return `${err.message} (${explainCode(err.code)})`;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  const hint = typeof code === "string" ? FLAG_HINTS[code] : undefined;
  if (hint) return `${message} [${hint}]`;
  if (err instanceof Error && err.name === "TimeoutError") {
    return `${message} [is a moq-lite server or relay listening at that address? Check the URL, its scheme (http://, https://, ws://, wss://) and --transport]`;
  }
  return message;
}
