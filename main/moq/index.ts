// The public face of the moq-lite library. Nothing here knows about Electron or the app.
import "./transport/polyfill.ts";

export { connect } from "./connect.ts";
export type { ConnectOptions } from "./connect.ts";
export { Session } from "./lite/session/session.ts";
export type { SessionOptions, SessionStats, ConnectionState, CloseInfo, Role } from "./lite/session/session.ts";
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
export { ErrorCode, MoqError, DecodeError, describeCode } from "./errors.ts";
export { DEFAULT_LIMITS } from "./coding/limits.ts";
// QUIC varints, for formats carried in frames (hang's legacy timestamps).
export { varintSize, writeVarintAt, readVarintAt, varintLength } from "./coding/varint.ts";
export type { Limits } from "./coding/limits.ts";
export type { Version } from "./lite/wire/version.ts";
export { normalizePath, joinPath, stripPrefix, hasPrefix } from "./lite/wire/path.ts";
export * from "./transport/index.ts";
