// The slice of @fails-components/webtransport the adapter touches, typed by hand: the package's own
// typings drag in DOM types. Public names first, then the internals the workarounds reach into.
// Everything here was read off version 1.6.8 (the version package.json pins).

import type { Http2SecureServer } from "node:http2";
import type { BidiStream, WebTransportCloseInfo } from "../types.ts";

/** The package version every workaround in this folder was checked against. */
export const CHECKED_VERSION = "1.6.8";

/** The package's W3C-shaped session (client `WebTransport` and server sessions alike). */
export interface FailsSession {
  readonly ready: Promise<void>;
  readonly closed: Promise<WebTransportCloseInfo>;
  readonly protocol?: string;
  readonly reliability?: string;
  readonly incomingBidirectionalStreams: ReadableStream<BidiStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  createBidirectionalStream(options?: { sendOrder?: number }): Promise<BidiStream>;
  createUnidirectionalStream(options?: { sendOrder?: number }): Promise<WritableStream<Uint8Array>>;
  close(info?: WebTransportCloseInfo): void;
  getStats?(): Promise<FailsStats>;
}

export interface FailsStats {
  smoothedRtt?: number;
  estimatedSendRate?: number | bigint | null;
}

/**
 * Internal (1.6.8): `HttpWTSession.objint` is the transport-level session; over HTTP/2 it is an
 * `Http2WebTransportSession` whose `stream` is the node:http2 stream carrying the session, and that
 * stream's `session` is the HTTP/2 connection. The package deletes `objint` when the session closes.
 */
export interface FailsSessionInternals {
  objint?: { stream?: unknown };
}

export interface FailsServerSession extends FailsSession, FailsSessionInternals {
  readonly header?: Record<string, string | string[] | undefined>;
  readonly userData?: Record<string, unknown>;
  readonly peerAddress?: string;
}

export interface FailsClientOptions {
  forceReliable?: boolean;
  serverCertificateHashes?: { algorithm: "sha-256"; value: Uint8Array }[];
  protocols?: string[];
  quicConnectTimeout?: number;
  webTransportConnectTimeout?: number;
  initialSessionFlowControlWindow?: number;
  sessionFlowControlWindowSizeLimit?: number;
}

/**
 * Internal (1.6.8): the client's `sessionint` (an HttpWTSession). `setSessionObj(object)` receives the
 * HTTP/2 session object once the CONNECT request is out; `object.stream` is that request's stream.
 */
export interface FailsClientSessionInternals extends FailsSessionInternals {
  setSessionObj?(object: { stream?: unknown } | undefined, reliable: boolean): void;
}

export interface FailsClient extends FailsSession {
  readonly sessionint?: FailsClientSessionInternals;
}

export interface FailsRequestResult {
  status: number;
  path: string;
  selectedProtocol?: string;
  userData?: Record<string, unknown>;
}

export interface FailsHttpServer {
  ready: Promise<void>;
  closed: Promise<void>;
  /** Internal (1.6.8): after createTransportInt(), an Http2WebTransportServer whose `serverInt` is the node:http2 server. */
  transportInt?: { serverInt?: Http2SecureServer };
  createTransportInt(): Promise<void>;
  startServer(): void;
  stopServer(): void;
  setRequestCallback(cb: (req: { header: Record<string, unknown> }) => Promise<FailsRequestResult>): void;
  sessionStream(path: string, args?: { noAutoPaths?: boolean }): ReadableStream<FailsServerSession>;
}

export interface FailsServerOptions {
  port: number;
  host: string;
  secret: string;
  cert: string;
  privKey: string;
  initialSessionFlowControlWindow?: number;
  sessionFlowControlWindowSizeLimit?: number;
}

export interface FailsModule {
  WebTransport: new (url: string, options?: FailsClientOptions) => FailsClient;
  Http2Server: new (options: FailsServerOptions) => FailsHttpServer;
  Http3Server: new (options: FailsServerOptions) => FailsHttpServer;
  quicheLoaded: Promise<unknown>;
}
