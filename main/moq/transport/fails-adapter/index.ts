// Everything the transport layer knows of @fails-components/webtransport goes through here. The
// files beside this one hold each workaround for the package's behaviour, with the version it was
// checked against (1.6.8); test/unit/transport/webtransport-adapter.test.ts fails when an upgrade
// changes one of them.

export { CHECKED_VERSION } from "./package-types.ts";
export type { AdaptedSession, WebTransportKind } from "./session.ts";
export { dialWebTransport, LOST_DURING_HANDSHAKE } from "./dial.ts";
export type { DialOptions, DialedWebTransport } from "./dial.ts";
export { createH2Server } from "./serve.ts";
export type { FailsH2Server, ServeOptions, ServedRequest } from "./serve.ts";
export { FailsStreamError } from "./stream-error.ts";
