// Transports that yield the W3C-WebTransport-shaped session moq-lite runs on.

export type {
  BidiStream,
  StreamOptions,
  TransportStats,
  TransportSession,
  TransportKind,
  TransportInfo,
  Transport,
} from "./types.ts";
export { connectTransport } from "./connect.ts";
export type { ConnectTransportOptions, TransportChoice } from "./connect.ts";
export { connectWebSocket } from "./qmux-client.ts";
export type { WebSocketConnectOptions } from "./qmux-client.ts";
export { connectWebTransport } from "./webtransport-client.ts";
export type { WebTransportConnectOptions } from "./webtransport-client.ts";
export { listen } from "./listener.ts";
export type { Listener, ListenOptions, SessionRequest } from "./listener.ts";
export { acceptWebSocket, createQmuxUpgradeHandler, chooseSubprotocol } from "./qmux-server.ts";
export { createWebTransportServer } from "./webtransport-server.ts";
export type { WebTransportH2Server, WebTransportServerOptions } from "./webtransport-server.ts";
export {
  generateCertificate,
  fingerprintOfPem,
  loadCertificateFiles,
  certificateFromPem,
  MAX_PINNED_VALIDITY_MS,
} from "./certificate.ts";
export type { Certificate, CertificateOptions } from "./certificate.ts";
export {
  clientSubprotocols,
  selectSubprotocol,
  appProtocolOf,
  webTransportProtocols,
  selectWebTransportProtocol,
} from "./alpn.ts";
export type { ProtocolOffer } from "./alpn.ts";
export { normalizeFingerprint } from "./dial.ts";
export { fetchDevFingerprint } from "./dev-fingerprint.ts";
export { isLoopback, parseRelayUrl, redactUrl } from "./url.ts";
export { TimeoutError } from "./timeout.ts";
