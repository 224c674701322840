// A session of the package, either role, behind our own interface: close() that acts once, the close
// guard on the HTTP/2 stream under it, and that stream's HTTP/2 connection for PING.

import type { TransportSession } from "../types.ts";
import type { CapsuleParserInternals, FailsSession, FailsSessionInternals, FailsStats } from "./package-types.ts";
import { installCapsuleFraming } from "./capsule-framing.ts";
import { guardHttp2StreamClose } from "./stream-guard.ts";
import { installStreamReaper, trackedStreamCount } from "./stream-reaper.ts";

export type WebTransportKind = "webtransport-h2" | "webtransport-h3";

export interface AdaptedSession {
  readonly kind: WebTransportKind;
  /** The W3C-shaped session; `protocol` as the package reports it, close() acting once. */
  readonly session: TransportSession;
  /** One HTTP/2 PING round trip in ms; only where the session rides on HTTP/2. */
  readonly ping?: () => Promise<number>;
  /** The package's own statistics (HTTP/3; over HTTP/2 it reports an RTT of 0). */
  readonly stats?: () => Promise<FailsStats>;
  /** Streams the package still tracks for this session (HTTP/2 only): open ones, and ones it failed to forget. */
  readonly trackedStreams?: () => number | undefined;
}

/** The HTTP/2 connection as far as PING goes (node:http2 Http2Session). */
interface Http2Ping {
  readonly closed?: boolean;
  readonly destroyed?: boolean;
  ping(callback: (err: Error | null, durationMs: number) => void): boolean;
}

/**
 * Wrap an established session. `internals` is where the package keeps `objint`: the client's
 * `sessionint`, or the server session itself. Call it once `ready` has resolved (before that, and
 * after the session closed, the package has no `objint`).
 */
export function adaptSession(
  raw: FailsSession,
  internals: FailsSessionInternals | undefined,
  kind: WebTransportKind,
): AdaptedSession {
  const stream = sessionStreamOf(internals);
  guardHttp2StreamClose(stream);
  const parser = capsuleParserOf(internals);
  if (parser) {
    installCapsuleFraming(parser);
    installStreamReaper(parser);
  }
  const h2 = http2ConnectionOf(stream);
  const getStats = typeof raw.getStats === "function" ? raw.getStats.bind(raw) : undefined;
  return {
    kind,
    session: closingOnce(raw),
    ...(h2 ? { ping: () => pingHttp2(h2) } : {}),
    // The package throws synchronously once the session is gone; make that a rejection.
    ...(getStats ? { stats: () => Promise.resolve().then(getStats) } : {}),
    ...(parser ? { trackedStreams: () => trackedStreamCount(internals?.objint?.capsParser) } : {}),
  };
}

/** Internal (1.6.8): over HTTP/2, the capsule parser at `objint.capsParser` (HTTP/3 sessions have none). */
function capsuleParserOf(internals: FailsSessionInternals | undefined): CapsuleParserInternals | undefined {
  const parser = internals?.objint?.capsParser as Partial<CapsuleParserInternals> | undefined;
  return parser && parser.wtstreams instanceof Map && typeof parser.parseData === "function"
    ? (parser as CapsuleParserInternals)
    : undefined;
}

/** Internal (1.6.8): the node:http2 stream carrying the session, at `objint.stream`. */
export function sessionStreamOf(internals: FailsSessionInternals | undefined): unknown {
  return internals?.objint?.stream;
}

/** Internal (1.6.8): an Http2Stream's `session` is its HTTP/2 connection (node:http2, public). */
function http2ConnectionOf(stream: unknown): Http2Ping | undefined {
  const s = (stream as { session?: Partial<Http2Ping> } | undefined)?.session;
  return s && typeof s.ping === "function" ? (s as Http2Ping) : undefined;
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

/**
 * Workaround (checked against 1.6.8): HttpWTSession.close() writes a WT_CLOSE_SESSION capsule with
 * END_STREAM on every call until the peer's answer arrives. A second call writes after END_STREAM:
 * the stream fails with ERR_STREAM_WRITE_AFTER_END and the peer sees that instead of the first
 * close's code and reason. So only the first close() reaches the package.
 */
function closingOnce(raw: FailsSession): TransportSession {
  let closeRequested = false;
  return {
    get ready() {
      return raw.ready;
    },
    get closed() {
      return raw.closed;
    },
    get protocol() {
      return raw.protocol;
    },
    incomingBidirectionalStreams: raw.incomingBidirectionalStreams,
    incomingUnidirectionalStreams: raw.incomingUnidirectionalStreams,
    createBidirectionalStream: (options) => raw.createBidirectionalStream(options),
    createUnidirectionalStream: (options) => raw.createUnidirectionalStream(options),
    close: (info) => {
      if (closeRequested) return;
      closeRequested = true;
      raw.close(info);
    },
  };
}
