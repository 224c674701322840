// Client side of WebTransport: HTTP/3 first through @moq/web-transport where its native part loads
// (h3/), then HTTP/2 through the @fails-components adapter. The HTTP/2 package reports every
// failure as "Opening handshake failed.", so on failure we look at the HTTP status and the
// server's certificate ourselves to say what went wrong.

import { describeVersions, normalizeAppProtocol, webTransportProtocols, type ProtocolOffer } from "./alpn.ts";
import {
  dialTls,
  fingerprintMismatch,
  hostPort,
  probeCertificate,
  verificationOf,
  type TlsVerification,
} from "./dial.ts";
import { MAX_PINNED_VALIDITY_MS } from "./certificate.ts";
import { dialWebTransport, type AdaptedSession } from "./fails-adapter/index.ts";
import { dialHttp3 } from "./h3/client.ts";
import { loadHttp3 } from "./h3/load.ts";
import { DEFAULT_TIMEOUT_MS, withTimeout } from "./timeout.ts";
import type { Transport, TransportInfo } from "./types.ts";
import { endpointOf, redactUrl } from "./url.ts";
import { webTransportTransport } from "./webtransport-transport.ts";

export interface WebTransportConnectOptions extends ProtocolOffer {
  /** Pin the server certificate by SHA-256 (hex). It must then be valid for at most 14 days. */
  fingerprint?: string;
  /** Accept any certificate: we read the server's fingerprint first and pin that. */
  insecure?: boolean;
  /** Deadline for the whole handshake. Default 10 s. */
  timeoutMs?: number;
  /** Which HTTP versions to try: "auto" (HTTP/3, then HTTP/2), or only one. Default "auto". */
  http?: "auto" | "h3" | "h2";
}

/** HTTP/3 gets this share of the deadline before HTTP/2 is tried: UDP may be blocked on the way. */
const H3_SHARE = 0.4;
/** Failures HTTP/2 would meet as well: the same certificate, the same authorization. */
const FINAL_H3_CODES = new Set(["UNAUTHORIZED", "PROTOCOL_REFUSED", "FINGERPRINT_MISMATCH"]);

/** Open a WebTransport session to an https:// URL (path and query, ?jwt= included, are sent as is). */
export async function connectWebTransport(url: URL, opts: WebTransportConnectOptions): Promise<Transport> {
  if (url.protocol !== "https:") {
    throw new Error(`WebTransport needs an https:// URL, got ${redactUrl(url)}`);
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { host, port } = endpointOf(url);
  const verification = verificationOf(opts);
  const pinned = verification.mode === "insecure" ? await pinWhateverIsThere(host, port, timeoutMs) : verification;
  const offered = webTransportProtocols(opts);
  const http = opts.http ?? "auto";

  const fallback: string[] = [];
  if (http !== "h2") {
    const h3 = loadHttp3();
    if (!h3.available) {
      if (http === "h3")
        throw Object.assign(new Error(`HTTP/3 is unavailable: ${h3.reason}`), { code: "HTTP3_UNAVAILABLE" });
      fallback.push(`HTTP/3: ${h3.reason}`);
    } else {
      try {
        const budget = http === "h3" ? timeoutMs : Math.round(timeoutMs * H3_SHARE);
        const { transport, protocol } = await dialHttp3(url, {
          verification: pinned.mode === "pinned" ? pinned : { mode: "ca" },
          protocols: offered,
          timeoutMs: budget,
        });
        refuseWithoutProtocol(transport, protocol, url, offered, opts);
        if (verification.mode === "insecure" && transport.info.tls) transport.info.tls.verification = "insecure";
        return transport;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (http === "h3" || (code && FINAL_H3_CODES.has(code))) throw err;
        fallback.push(`HTTP/3: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  const dialed = await dialWebTransport({
    url: url.href,
    ...(pinned.mode === "pinned" ? { fingerprint: pinned.fingerprint } : {}),
    protocols: offered,
    timeoutMs,
  });

  let adapted: AdaptedSession;
  try {
    adapted = await withTimeout(dialed.established, timeoutMs, `WebTransport handshake with ${redactUrl(url)}`);
  } catch (err) {
    dialed.abandon();
    throw await explainFailure(err, url, pinned, offered, timeoutMs, dialed.responseStatus());
  }

  const { session } = adapted;
  const negotiated = normalizeAppProtocol(session.protocol);
  if (negotiated === "" && !opts.legacy && opts.versions.length > 0) {
    session.close({ closeCode: 21, reason: "no application protocol" });
    throw noProtocol(url, offered, opts);
  }

  const info: TransportInfo = {
    kind: adapted.kind,
    url: redactUrl(url),
    negotiated: session.protocol ?? "",
    ...(fallback.length > 0 ? { fallback } : {}),
    tls: {
      verification: verification.mode,
      ...(pinned.mode === "pinned" ? { fingerprint: pinned.fingerprint } : {}),
    },
  };
  return webTransportTransport(adapted, negotiated, info);
}

/** A server that selected no protocol when we need one: close, and say so. */
function refuseWithoutProtocol(
  transport: Transport,
  protocol: string,
  url: URL,
  offered: readonly string[],
  opts: WebTransportConnectOptions,
): void {
  const negotiated = normalizeAppProtocol(protocol);
  if (negotiated !== "" || opts.legacy || opts.versions.length === 0) return;
  transport.session.close({ closeCode: 21, reason: "no application protocol" });
  throw noProtocol(url, offered, opts);
}

function noProtocol(url: URL, offered: readonly string[], opts: WebTransportConnectOptions): Error {
  const err = new Error(
    `server at ${redactUrl(url)} does not speak ${describeVersions(opts.versions)} over WebTransport ` +
      `(offered ${offered.join(", ")}; it selected no protocol)`,
  );
  (err as { code?: string }).code = "PROTOCOL_REFUSED";
  return err;
}

/** --insecure for WebTransport: the API only knows pinning, so pin the certificate the server shows. */
async function pinWhateverIsThere(host: string, port: number, timeoutMs: number): Promise<TlsVerification> {
  const { fingerprint } = await probeCertificate(host, port, timeoutMs);
  if (!fingerprint) throw new Error(`${hostPort(host, port)} presented no certificate`);
  return { mode: "pinned", fingerprint };
}

/** Work out a useful message for a failed handshake by looking at the server's TLS side. */
async function explainFailure(
  err: unknown,
  url: URL,
  verification: TlsVerification,
  offered: readonly string[],
  timeoutMs: number,
  status: number | undefined,
): Promise<Error> {
  const { host, port } = endpointOf(url);
  const hp = hostPort(host, port);
  const cause = err instanceof Error ? err.message : String(err);
  if (status !== undefined && status !== 200) return refusedWithStatus(url, status, offered, err);
  let peer;
  try {
    peer = await probeCertificate(host, port, Math.min(timeoutMs, 5000));
  } catch (probeErr) {
    // Already phrased by dial.ts ("connection refused by …", "did not answer with TLS", a timeout).
    return probeErr instanceof Error ? probeErr : new Error(String(probeErr));
  }
  if (verification.mode === "ca") {
    // Did the system trust store reject it? dialTls words that ("not trusted … pin its fingerprint").
    try {
      const { socket } = await dialTls({
        host,
        port,
        verification,
        alpn: ["h2"],
        timeoutMs: Math.min(timeoutMs, 5000),
      });
      socket.destroy();
    } catch (trustErr) {
      return trustErr instanceof Error ? trustErr : new Error(String(trustErr));
    }
  }
  if (verification.mode === "pinned" && peer.fingerprint !== verification.fingerprint) {
    return fingerprintMismatch(host, port, verification.fingerprint, peer.fingerprint);
  }
  if (verification.mode === "pinned" && peer.validFrom && peer.validTo) {
    const span = peer.validTo.getTime() - peer.validFrom.getTime();
    if (span > MAX_PINNED_VALIDITY_MS) {
      const days = Math.round(span / 86_400_000);
      return new Error(
        `the certificate of ${hp} is valid for ${days} days; WebTransport accepts a pinned certificate only if it is valid for at most 14 days. Use WebSocket (wss://) instead, or a shorter-lived certificate`,
        { cause: err },
      );
    }
    const now = Date.now();
    if (peer.validTo.getTime() < now || peer.validFrom.getTime() > now) {
      return new Error(
        `the certificate of ${hp} is not valid now (valid ${peer.validFrom.toISOString()} to ${peer.validTo.toISOString()})`,
        {
          cause: err,
        },
      );
    }
  }
  if (peer.alpn !== "h2") {
    return new Error(
      `${hp} does not offer HTTP/2 (ALPN ${peer.alpn || "none"}), so WebTransport over HTTP/2 is impossible there; try WebSocket (wss://)`,
      { cause: err },
    );
  }
  return new Error(
    `WebTransport session at ${redactUrl(url)} was not established (${cause}): the server refused the request ` +
      `(wrong path, missing or invalid ?jwt= token, or no common protocol among ${offered.join(", ")}) or does not support WebTransport`,
    { cause: err },
  );
}

function refusedWithStatus(url: URL, status: number, offered: readonly string[], cause: unknown): Error {
  const where = redactUrl(url);
  let message: string;
  let code: string | undefined;
  if (status === 401 || status === 403) {
    message = `server at ${where} refused the WebTransport session with HTTP ${status}. Check the ?jwt= token and the path it grants`;
    code = "UNAUTHORIZED";
  } else if (status === 404) {
    message = `no WebTransport endpoint at ${where} (HTTP 404): check the path`;
  } else if (status === 400 || status === 406) {
    message = `server at ${where} refused the WebTransport session with HTTP ${status}: no common protocol (offered ${offered.join(", ")})`;
    code = "PROTOCOL_REFUSED";
  } else {
    message = `server at ${where} answered the WebTransport request with HTTP ${status}`;
  }
  const err = new Error(message, { cause });
  if (code) (err as { code?: string }).code = code;
  return err;
}
