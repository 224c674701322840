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
import { messageOf } from "../errors.ts";

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
  const offered = webTransportProtocols(opts);
  const http = opts.http ?? "auto";

  const viaH3 = async (budgetMs: number): Promise<Transport> => {
    const { transport, protocol } = await dialHttp3(url, { verification, protocols: offered, timeoutMs: budgetMs });
    refuseWithoutProtocol(transport, protocol, url, offered, opts);
    return transport;
  };
  // --insecure over HTTP/2: the package only knows pinning, so pin what the TCP side shows.
  const viaH2 = async () => {
    const pinned = verification.mode === "insecure" ? await pinWhateverIsThere(host, port, timeoutMs) : verification;
    return dialHttp2(url, { opts, pinned, verification, offered, timeoutMs });
  };

  if (http === "h2") return viaH2();
  const h3 = loadHttp3();
  if (!h3.available) {
    if (http === "h3")
      throw Object.assign(new Error(`HTTP/3 is unavailable: ${h3.reason}`), { code: "HTTP3_UNAVAILABLE" });
    return withFallback(await viaH2(), `HTTP/3: ${h3.reason}`);
  }
  if (http === "h3") return viaH3(timeoutMs);
  return raceHttpVersions(() => viaH3(timeoutMs), viaH2);
}

/** HTTP/3 alone gets this long before HTTP/2 is tried beside it (UDP may be blocked on the way). */
const H3_HEAD_START_MS = 300;
/** Once HTTP/2 is up, HTTP/3 still wins if it connects within this much more. */
const H3_GRACE_MS = 100;

type Settled = { ok: true; transport: Transport } | { ok: false; err: unknown };

function settle(p: Promise<Transport>): Promise<Settled> {
  return p.then(
    (transport) => ({ ok: true as const, transport }),
    (err: unknown) => ({ ok: false as const, err }),
  );
}

/** Close a transport nobody will use (the race's loser), whenever it arrives. */
function discard(p: Promise<Settled>): void {
  void p.then((r) => {
    if (!r.ok) return;
    r.transport.session.close({ closeCode: 0, reason: "another HTTP version was used" });
    r.transport.dispose();
  });
}

function withFallback(transport: Transport, reason: string): Transport {
  transport.info.fallback = [...(transport.info.fallback ?? []), reason];
  return transport;
}

/**
 * HTTP/3 first, as browsers prefer it, without making a relay that lacks it wait: HTTP/3 gets a
 * head start, then HTTP/2 dials beside it; the first to connect wins, except that HTTP/3 still
 * wins if it connects within a short grace after HTTP/2. The loser is closed when it arrives.
 */
async function raceHttpVersions(h3: () => Promise<Transport>, h2: () => Promise<Transport>): Promise<Transport> {
  const started = Date.now();
  const h3Result = settle(h3());
  const early = await Promise.race([h3Result, sleep(H3_HEAD_START_MS).then(() => undefined)]);
  if (early?.ok) return early.transport;
  if (early && isFinal(early.err)) throw early.err;

  const h2Result = settle(h2());
  if (early) {
    // HTTP/3 failed already: HTTP/2 is the only way left.
    const r = await h2Result;
    if (!r.ok) throw r.err;
    return withFallback(r.transport, `HTTP/3: ${messageOf(early.err)}`);
  }
  const next = await Promise.race([
    h3Result.then((r) => ({ from: "h3" as const, r })),
    h2Result.then((r) => ({ from: "h2" as const, r })),
  ]);
  if (next.from === "h3") {
    if (next.r.ok || isFinal(next.r.err)) discard(h2Result);
    if (next.r.ok) return next.r.transport;
    if (isFinal(next.r.err)) throw next.r.err;
    const r = await h2Result;
    if (!r.ok) throw r.err;
    return withFallback(r.transport, `HTTP/3: ${messageOf(next.r.err)}`);
  }
  if (!next.r.ok) {
    // A failure HTTP/3 would meet as well (the certificate, the token) is final at once.
    if (isFinal(next.r.err)) {
      discard(h3Result);
      throw next.r.err;
    }
    // Otherwise HTTP/3 may still come through; else HTTP/2's explanation is the useful one.
    const r = await h3Result;
    if (r.ok) return r.transport;
    throw next.r.err;
  }
  const late = await Promise.race([h3Result, sleep(H3_GRACE_MS).then(() => undefined)]);
  if (late?.ok) {
    discard(h2Result);
    return late.transport;
  }
  if (!late) discard(h3Result);
  const why = late
    ? messageOf(late.err)
    : `no answer ${Date.now() - started} ms after dialing, when HTTP/2 had connected`;
  return withFallback(next.r.transport, `HTTP/3: ${why}`);
}

function isFinal(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code !== undefined && FINAL_H3_CODES.has(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

/** WebTransport over HTTP/2 through the @fails-components adapter, with failures explained. */
async function dialHttp2(
  url: URL,
  c: {
    opts: WebTransportConnectOptions;
    pinned: TlsVerification;
    verification: TlsVerification;
    offered: string[];
    timeoutMs: number;
  },
): Promise<Transport> {
  const { opts, pinned, verification, offered, timeoutMs } = c;
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
