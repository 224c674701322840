// The slice of the W3C WebTransport API that moq-lite needs. Every adapter (QMux over WebSocket,
// WebTransport over HTTP/2 or HTTP/3) yields this shape, so the session never asks which it got.

export interface BidiStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export interface StreamOptions {
  /** Higher is sent first (W3C sendOrder). */
  sendOrder?: number;
  /** Wait for stream credit instead of failing when the peer's stream limit is reached (W3C). */
  waitUntilAvailable?: boolean;
}

/** The W3C WebTransportCloseInfo dictionary: what a transport session is closed with and reports. */
export interface WebTransportCloseInfo {
  closeCode?: number;
  reason?: string;
}

export interface TransportStats {
  /** Estimated send rate in bits per second, when the transport exposes one. */
  estimatedSendRate?: number | null;
  /** Smoothed round-trip time in milliseconds, when the transport exposes one. */
  smoothedRttMs?: number;
  /** The most recent round-trip sample in milliseconds, when the transport measures its own. */
  latestRttMs?: number;
}

/** A W3C-WebTransport-shaped session. */
export interface TransportSession {
  readonly ready: Promise<unknown>;
  /** Fulfils when the session was closed (by either side), rejects when the connection failed. */
  readonly closed: Promise<WebTransportCloseInfo | unknown>;
  /** Negotiated application protocol ("moq-lite-04"), or "" / undefined when none was agreed. */
  readonly protocol?: string;
  readonly incomingBidirectionalStreams: ReadableStream<BidiStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  createBidirectionalStream(options?: StreamOptions): Promise<BidiStream>;
  createUnidirectionalStream(options?: StreamOptions): Promise<WritableStream<Uint8Array>>;
  close(info?: WebTransportCloseInfo): void;
}

export type TransportKind = "websocket" | "webtransport-h2" | "webtransport-h3";

/** What the connection looks like from outside, for `connectionState()` and the UI. */
export interface TransportInfo {
  kind: TransportKind;
  /** The URL actually dialled (after the http:// fingerprint convention), without the jwt. */
  url: string;
  /** Exact negotiated token on the wire: "qmux-02.moq-lite-04", or the WebTransport protocol. */
  negotiated: string;
  /** Why the transports tried before this one were not used, in the order tried ("HTTP/3: …"). */
  fallback?: string[];
  /** TLS details when TLS is in use. */
  tls?: {
    /** "pinned" (certificate hash), "insecure" (no verification), or "ca" (system trust). */
    verification: "pinned" | "insecure" | "ca";
    /** Hex SHA-256 of the peer certificate's DER bytes when known. */
    fingerprint?: string;
  };
}

/** Unreliable datagrams, where the transport has them (QUIC; never QMux or HTTP/2 here). */
export interface TransportDatagrams {
  /** The largest datagram that can be sent now, in bytes. */
  maxSize(): number;
  /** Send best-effort; false when it could not be sent (too large, no room, session gone). */
  send(data: Uint8Array): boolean;
  /** The next datagram received, or undefined once the session ended. */
  receive(): Promise<Uint8Array | undefined>;
}

/**
 * A connected transport plus what the session needs beyond the W3C shape: how to express a
 * stream error code for this transport, and where to read RTT/stats from.
 */
export interface Transport {
  readonly session: TransportSession;
  readonly info: TransportInfo;
  /** An error object that, passed to writable.abort() / readable.cancel(), sends this code. */
  streamError(code: number): unknown;
  /** Current transport statistics; each field undefined when the transport cannot tell. */
  stats(): TransportStats;
  /** Datagrams, when this transport has them. */
  readonly datagrams?: TransportDatagrams;
  /**
   * The moq-lite session above has finished its setup. An adapter that measures RTT itself drops
   * the samples taken during setup (both ends were busy) and measures afresh. Optional.
   */
  sessionEstablished?(): void;
  /** Stop any timers (RTT pings) the adapter runs. Called when the session ends. */
  dispose(): void;
}
