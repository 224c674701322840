// A native HTTP/3 session packaged as a Transport. RTT and the send-rate estimate come from quinn
// itself (the smoothed RTT, and the pacing rate or else cwnd/RTT) where the binary is ours; the
// prebuilt binary has no statistics, so there they stay unknown.

import type { Transport, TransportDatagrams, TransportInfo, TransportStats } from "../types.ts";
import type { NativeSession } from "./binding.ts";
import { sessionOf } from "./session.ts";
import { H3StreamError } from "./streams.ts";

export function http3Transport(native: NativeSession, protocol: string, info: TransportInfo): Transport {
  const session = sessionOf(native, protocol);
  return {
    session,
    info,
    streamError: (code) => new H3StreamError(code),
    stats: () => quicStats(native),
    datagrams: datagramsOf(native),
    dispose: () => {},
  };
}

function datagramsOf(native: NativeSession): TransportDatagrams {
  return {
    maxSize: () => {
      try {
        return native.maxDatagramSize();
      } catch {
        return 0;
      }
    },
    send: (data) => {
      try {
        native.sendDatagram(Buffer.from(data));
        return true;
      } catch {
        return false; // too large, or the connection is gone
      }
    },
    receive: () =>
      native.recvDatagram().then(
        (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
        () => undefined,
      ),
  };
}

function quicStats(native: NativeSession): TransportStats {
  if (!native.moqscopeStats) return {};
  let s;
  try {
    s = native.moqscopeStats();
  } catch {
    return {}; // the connection is gone
  }
  const out: TransportStats = {};
  if (s.rttMs > 0) out.smoothedRttMs = s.rttMs;
  const rate = s.pacingRate ?? (s.rttMs > 0 ? (s.cwnd * 8 * 1000) / s.rttMs : undefined);
  if (rate !== undefined && rate > 0) out.estimatedSendRate = rate;
  return out;
}
