import { ErrorCode, StreamCode } from "../../errors.ts";
import { versionAtLeast, type Version } from "./version.ts";

// Which numbers go on the wire. The library speaks one table (ErrorCode: the Rust codes that
// 01–04 peers send); from moq-lite-05 on, resets and session closes use the registry moq-net 0.3
// defines (StreamCode, SessionCode). We translate at the edge, both ways, so callers see one
// table and a 05/06 peer (moq-relay 0.17 among them) reads names it knows instead of "unknown 13".
// Application codes (64 and up) pass through unchanged.

/** moq-lite-05+ session close codes. */
export const SessionCode = {
  None: 0x0,
  Internal: 0x1,
  Unauthorized: 0x2,
  ProtocolViolation: 0x3,
  GoawayTimeout: 0x10,
  Timeout: 0x11,
  Version: 0x15,
} as const;

const APP_CODES = 64;

const TO_REGISTRY = new Map<number, number>([
  [ErrorCode.Cancelled, StreamCode.Cancel],
  [ErrorCode.Old, StreamCode.Old],
  [ErrorCode.Timeout, StreamCode.DeliveryTimeout],
  [ErrorCode.NotFound, StreamCode.NotFound],
  [ErrorCode.WrongSize, StreamCode.WrongSize],
  [ErrorCode.Encode, StreamCode.MalformedTrack],
  [ErrorCode.Decode, StreamCode.MalformedTrack],
  [ErrorCode.ProtocolViolation, StreamCode.MalformedTrack],
  [ErrorCode.Dropped, StreamCode.TooFarBehind],
  [ErrorCode.Lagged, StreamCode.TooFarBehind],
  [ErrorCode.Closed, StreamCode.SessionClosed],
  [ErrorCode.FrameTooLarge, StreamCode.FrameTooLarge],
  [ErrorCode.Unroutable, StreamCode.Unroutable],
  [ErrorCode.Evicted, StreamCode.Evicted],
]);

const FROM_REGISTRY = new Map<number, number>([
  [StreamCode.Internal, ErrorCode.Cancelled],
  [StreamCode.Cancel, ErrorCode.Cancelled],
  [StreamCode.DeliveryTimeout, ErrorCode.Timeout],
  [StreamCode.SessionClosed, ErrorCode.Closed],
  [StreamCode.GoingAway, ErrorCode.Closed],
  [StreamCode.TooFarBehind, ErrorCode.Lagged],
  [StreamCode.MalformedTrack, ErrorCode.Encode],
  [StreamCode.ControlTimeout, ErrorCode.Timeout],
  [StreamCode.GroupTooLarge, ErrorCode.FrameTooLarge],
  [StreamCode.NotFound, ErrorCode.NotFound],
  [StreamCode.Old, ErrorCode.Old],
  [StreamCode.Evicted, ErrorCode.Evicted],
  [StreamCode.Unroutable, ErrorCode.Unroutable],
  [StreamCode.WrongSize, ErrorCode.WrongSize],
  [StreamCode.FrameTooLarge, ErrorCode.FrameTooLarge],
  [StreamCode.TimestampMismatch, ErrorCode.Decode],
]);

const SESSION_TO_REGISTRY = new Map<number, number>([
  [0, SessionCode.None],
  [ErrorCode.Unauthorized, SessionCode.Unauthorized],
  [ErrorCode.Timeout, SessionCode.Timeout],
  [ErrorCode.UnsupportedVersion, SessionCode.Version],
  [ErrorCode.UnknownAlpn, SessionCode.Version],
  [ErrorCode.Decode, SessionCode.ProtocolViolation],
  [ErrorCode.ProtocolViolation, SessionCode.ProtocolViolation],
  [ErrorCode.UnexpectedStream, SessionCode.ProtocolViolation],
  [ErrorCode.UnexpectedMessage, SessionCode.ProtocolViolation],
  [ErrorCode.BoundsExceeded, SessionCode.ProtocolViolation],
  [ErrorCode.TooManyParameters, SessionCode.ProtocolViolation],
  [ErrorCode.Duplicate, SessionCode.ProtocolViolation],
  [ErrorCode.WrongSize, SessionCode.ProtocolViolation],
  [ErrorCode.Closed, SessionCode.None],
]);

const SESSION_FROM_REGISTRY = new Map<number, number>([
  [SessionCode.None, 0],
  [SessionCode.Internal, ErrorCode.Transport],
  [SessionCode.Unauthorized, ErrorCode.Unauthorized],
  [SessionCode.ProtocolViolation, ErrorCode.ProtocolViolation],
  [SessionCode.GoawayTimeout, ErrorCode.Timeout],
  [SessionCode.Timeout, ErrorCode.Timeout],
  [SessionCode.Version, ErrorCode.UnsupportedVersion],
]);

const registry = (version: Version) => versionAtLeast(version, "moq-lite-05");

function translate(table: Map<number, number>, code: number, otherwise: number | undefined): number {
  if (code >= APP_CODES) return code;
  return table.get(code) ?? otherwise ?? code;
}

/** The stream reset / stop code to send for one of ours. */
export function wireStreamCode(code: number, version: Version): number {
  return registry(version) ? translate(TO_REGISTRY, code, StreamCode.Internal) : code;
}

/** Ours for a stream code the peer sent. Numbers the registry does not define are kept. */
export function localStreamCode(code: number, version: Version): number {
  return registry(version) ? translate(FROM_REGISTRY, code, undefined) : code;
}

/** The session close code to send for one of ours. */
export function wireSessionCode(code: number, version: Version): number {
  return registry(version) ? translate(SESSION_TO_REGISTRY, code, SessionCode.Internal) : code;
}

/** Ours for a session close code the peer sent. */
export function localSessionCode(code: number, version: Version): number {
  return registry(version) ? translate(SESSION_FROM_REGISTRY, code, undefined) : code;
}
