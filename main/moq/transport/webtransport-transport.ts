// A @fails-components WebTransport session (either role) packaged as a Transport: the negotiated
// protocol pinned to what we know, its reset-code convention, and RTT from HTTP/2 PING.

import { RttEstimator, startPinger } from "./rtt.ts";
import { guardHttp2StreamClose } from "./webtransport-stream-guard.ts";
import type { FailsSession, FailsSessionInternals, Http2Ping } from "./webtransport-loader.ts";
import type { Transport, TransportInfo, TransportSession } from "./types.ts";

/** Windows large enough that transfers never wait on a credit the library fails to grant. */
export const WEBTRANSPORT_FLOW_WINDOW = 15 * 1024 * 1024;

/**
 * The reason object for abort()/cancel(). The package reads a numeric `code` (clamped to 0–255);
 * `streamErrorCode` is the W3C name, kept so our own decoding sees the same number.
 */
export class WebTransportStreamError extends Error {
  readonly code: number;
  readonly streamErrorCode: number;
  readonly source = "stream";
  constructor(code: number) {
    super(`stream reset: ${code}`);
    this.name = "WebTransportError";
    this.code = code;
    this.streamErrorCode = code;
  }
}

/**
 * The session as the library sees it, with `protocol` fixed to the value we negotiated. close() acts
 * once: the package would write a second close capsule after END_STREAM (a write after end) and tear
 * the HTTP/2 stream down under the first one.
 */
export function sessionWithProtocol(inner: FailsSession, protocol: string): TransportSession {
  let closeRequested = false;
  return {
    ready: inner.ready,
    closed: inner.closed,
    protocol,
    incomingBidirectionalStreams: inner.incomingBidirectionalStreams,
    incomingUnidirectionalStreams: inner.incomingUnidirectionalStreams,
    createBidirectionalStream: (options) => inner.createBidirectionalStream(options),
    createUnidirectionalStream: (options) => inner.createUnidirectionalStream(options),
    close: (info) => {
      if (closeRequested) return;
      closeRequested = true;
      inner.close(info);
    },
  };
}

/** The HTTP/2 session carrying a WebTransport session, when the package exposes it. */
export function http2SessionOf(internals: FailsSessionInternals | undefined): Http2Ping | undefined {
  const s = internals?.objint?.stream?.session;
  return s && typeof s.ping === "function" ? s : undefined;
}

function pingHttp2(h2: Http2Ping): Promise<number> {
  return new Promise((resolve, reject) => {
    if (h2.closed || h2.destroyed) return reject(new Error("HTTP/2 session closed"));
    try {
      const sent = h2.ping((err, duration) => (err ? reject(err) : resolve(duration)));
      if (!sent) reject(new Error("too many outstanding pings"));
    } catch (err) {
      reject(err);
    }
  });
}

export type StatsSource = () => Promise<{ smoothedRtt?: number; estimatedSendRate?: number | bigint | null }>;

/**
 * RTT comes from HTTP/2 PING when the session rides on HTTP/2 (the package's getStats() reports 0
 * there); otherwise from getStats() when the session has it (HTTP/3), polled once a second.
 */
export function webTransportTransport(
  inner: FailsSession,
  internals: FailsSessionInternals | undefined,
  protocol: string,
  info: TransportInfo,
  getStats?: StatsSource,
): Transport {
  const rtt = new RttEstimator();
  let quicRtt: number | undefined; // already smoothed by the QUIC stack
  let sendRate: number | undefined;
  guardHttp2StreamClose(internals?.objint?.stream);
  const h2 = http2SessionOf(internals);
  let stop = () => {};
  if (h2) {
    stop = startPinger(() => pingHttp2(h2), rtt);
  } else if (getStats) {
    const poll = () =>
      getStats().then(
        (s) => {
          if (typeof s.smoothedRtt === "number" && s.smoothedRtt > 0) quicRtt = s.smoothedRtt;
          if (s.estimatedSendRate != null && Number(s.estimatedSendRate) > 0) sendRate = Number(s.estimatedSendRate);
        },
        () => {},
      );
    const timer = setInterval(poll, 1000);
    timer.unref();
    void poll();
    stop = () => clearInterval(timer);
  }
  const session = sessionWithProtocol(inner, protocol);
  Promise.resolve(inner.closed).then(stop, stop);
  return {
    session,
    info,
    streamError: (code) => new WebTransportStreamError(code),
    stats: () => ({
      smoothedRttMs: h2 ? rtt.smoothedMs : quicRtt,
      ...(sendRate !== undefined ? { estimatedSendRate: sendRate } : {}),
    }),
    dispose: stop,
  };
}
