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
  objint?: { stream?: unknown; capsParser?: unknown };
}

/** Internal (1.6.8): a StreamIdManager (lib/http2/streamidmanager.js), the fields the reaper reads. */
export interface StreamIdManagerInternals {
  readonly nextOutgoingStreamId: bigint;
  /** Number.MAX_SAFE_INTEGER as a bigint until the peer opens a stream. */
  readonly largestPeerCreatedStreamId: bigint;
  /** Peer ids below the largest that the peer has not used yet. */
  readonly availableStreams: Set<bigint>;
}

/** Internal (1.6.8): an Http2WebTransportStream (lib/http2/stream.js), the part the reaper touches. */
export interface PackageStream {
  readonly streamid: bigint;
  incomingClosed_: boolean;
  outgoingClosed_: boolean;
  closeIncoming(): void;
  closeOutgoing(): void;
  /** Tells the id manager the stream ended, which returns its credit (MAX_STREAMS) when the peer opened it. */
  onClose(): void;
}

/**
 * Internal (1.6.8): `objint.capsParser`, the HTTP/2 capsule parser (lib/http2/node/capsuleparser.js
 * on ParserBase): where streams are created, found by id, and (not) forgotten.
 */
export interface CapsuleParserInternals {
  isclient: boolean;
  wtstreams: Map<bigint, PackageStream>;
  scheduler: { Unregister(id: bigint): void };
  session: {
    streamIdMngrUni: StreamIdManagerInternals;
    streamIdMngrBi: StreamIdManagerInternals;
    flowController: { updateHighestReceivedOffset(bytes: number): unknown; addBytesConsumed(bytes: number): void };
  };
  newStream(id: bigint, priority: { sendOrder: number; sendGroupId: bigint }): PackageStream | undefined;
  removeStream(id: bigint): void;
  parseData(data: Buffer): void;
  /** "s" at a capsule's start, "c" inside a stream capsule cut by a read. */
  mode?: string;
  remainlength?: number;
  saveddata?: Buffer | undefined;
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
