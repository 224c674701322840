// A WebTransport session from the adapter (either role) packaged as a Transport: the negotiated
// protocol pinned to what we know, the package's reset-code convention, and RTT from HTTP/2 PING.

import type { AdaptedSession } from "./fails-adapter/index.ts";
import { FailsStreamError } from "./fails-adapter/index.ts";
import { RttPinger } from "./rtt.ts";
import type { Transport, TransportInfo, TransportSession } from "./types.ts";

/** The session as the library sees it, with `protocol` fixed to the value we negotiated. */
function sessionWithProtocol(inner: TransportSession, protocol: string): TransportSession {
  return {
    ready: inner.ready,
    closed: inner.closed,
    protocol,
    incomingBidirectionalStreams: inner.incomingBidirectionalStreams,
    incomingUnidirectionalStreams: inner.incomingUnidirectionalStreams,
    createBidirectionalStream: (options) => inner.createBidirectionalStream(options),
    createUnidirectionalStream: (options) => inner.createUnidirectionalStream(options),
    close: (info) => inner.close(info),
  };
}

/**
 * RTT comes from HTTP/2 PING when the session rides on HTTP/2 (the package's own stats report 0
 * there); otherwise from the package's stats when it has them (HTTP/3), polled once a second.
 */
export function webTransportTransport(
  adapted: AdaptedSession,
  protocol: string,
  info: TransportInfo,
): Transport & { readonly pinger: RttPinger | undefined } {
  const { ping, stats } = adapted;
  const pinger = ping ? new RttPinger(ping) : undefined;
  let quicRtt: number | undefined; // already smoothed by the QUIC stack
  let sendRate: number | undefined;
  let stop = () => {};
  if (pinger) {
    pinger.start();
    stop = () => pinger.stop();
  } else if (stats) {
    const poll = () =>
      stats().then(
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
  const session = sessionWithProtocol(adapted.session, protocol);
  Promise.resolve(adapted.session.closed).then(stop, stop);
  return {
    session,
    info,
    pinger,
    streamError: (code) => new FailsStreamError(code),
    stats: () => ({
      ...(pinger
        ? { smoothedRttMs: pinger.estimator.smoothedMs, latestRttMs: pinger.estimator.latestMs }
        : { smoothedRttMs: quicRtt }),
      ...(sendRate !== undefined ? { estimatedSendRate: sendRate } : {}),
    }),
    ...(pinger ? { sessionEstablished: () => pinger.restart() } : {}),
    dispose: stop,
  };
}
