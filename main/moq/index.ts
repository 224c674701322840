// The environment-neutral face of the library: the model, the moq-lite session and its wire
// format. Nothing here needs Node or knows about Electron or the app, so a browser can load it;
// `node.ts` adds the transports, connect() and the relay.

export { Session } from "./lite/session/session.ts";
export type { SessionOptions, SessionStats, ConnectionState, Role } from "./lite/session/session.ts";
export type { CloseInfo } from "./lite/session/close.ts";
export { Subscription } from "./lite/session/subscriber.ts";
export type { SubscribeConfig } from "./lite/session/subscriber.ts";
export { AnnouncementReader } from "./lite/session/announce.ts";
export { ProbeReader } from "./lite/session/probe.ts";
export type { ProbeResult } from "./lite/session/probe.ts";
export type { FetchRequest } from "./lite/session/fetch.ts";
export type { SessionEvent, TimedEvent, EventListener } from "./lite/session/events.ts";
export { TrackMux, Announcement } from "./mux.ts";
export type { TrackHandler, SubscribeRequest, AnnouncementChange } from "./mux.ts";
export * from "./model/index.ts";
export {
  AUTH_UNAVAILABLE_CODE,
  ErrorCode,
  MoqError,
  DecodeError,
  StreamCode,
  describeCode,
  isNotFoundCode,
} from "./errors.ts";
export { DEFAULT_LIMITS } from "./coding/limits.ts";
export type { Limits } from "./coding/limits.ts";
// QUIC varints, for formats carried in frames (hang's legacy timestamps).
export { varintSize, writeVarintAt, readVarintAt, varintLength } from "./coding/varint.ts";
export type { Version } from "./lite/wire/version.ts";
export { DEFAULT_OFFER, versionAtLeast } from "./lite/wire/version.ts";
// The W3C-WebTransport shape a session runs on; any environment's WebTransport fits it.
export type { Transport, TransportSession, TransportInfo, TransportKind, BidiStream } from "./transport/types.ts";
