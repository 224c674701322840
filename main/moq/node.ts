// The library's Node entry: everything in index.ts, plus what needs Node: the transports
// (WebSocket/QMux, WebTransport), connect(), the embedded relay, and the Node 20 polyfills that a
// process installs once where it starts.

export * from "./index.ts";
export { connect } from "./connect.ts";
export type { ConnectOptions } from "./connect.ts";
export * from "./transport/index.ts";
export { installPolyfills } from "./transport/polyfill.ts";
export * from "./relay/index.ts";
