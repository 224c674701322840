// One entry point from a relay URL to a Transport:
//   ws:// wss://   → WebSocket + QMux
//   https://       → WebTransport; in auto mode falls back to WebSocket over wss://
//   http://        → moq-relay development convention: fetch /certificate.sha256, pin it, dial
//                    https:// with WebTransport; in auto mode falls back to WebSocket over ws://
// Query parameters (?jwt=) travel unchanged.

import type { ProtocolOffer } from "./alpn.ts";
import { fetchDevFingerprint } from "./dev-fingerprint.ts";
import { NOT_TLS_CODES } from "./dial.ts";
import { connectWebSocket } from "./qmux-client.ts";
import { DEFAULT_TIMEOUT_MS } from "./timeout.ts";
import type { Transport } from "./types.ts";
import { parseRelayUrl, redactUrl, withScheme } from "./url.ts";
import { connectWebTransport } from "./webtransport-client.ts";
import { messageOf } from "../errors.ts";

/** "webtransport" tries HTTP/3, then HTTP/2; the -h3/-h2 forms allow only that one. */
export type TransportChoice = "auto" | "webtransport" | "webtransport-h3" | "webtransport-h2" | "websocket";

export interface ConnectTransportOptions extends ProtocolOffer {
  transport: TransportChoice;
  /** SHA-256 (hex) of the server certificate to pin. */
  fingerprint?: string;
  /** Skip certificate verification. */
  insecure?: boolean;
  /** Deadline for each step. Default 10 s. */
  timeoutMs?: number;
}

/** Failures that would repeat identically on the other transport (same host, port, certificate). */
const NOT_WORTH_RETRYING = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "FINGERPRINT_MISMATCH"]);

export async function connectTransport(input: string | URL, opts: ConnectTransportOptions): Promise<Transport> {
  const url = parseRelayUrl(input);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const common = { versions: opts.versions, legacy: opts.legacy, timeoutMs };

  if (url.protocol === "ws:" || url.protocol === "wss:") {
    if (opts.transport !== "auto" && opts.transport !== "websocket") {
      throw new Error(
        `${redactUrl(url)} is a WebSocket URL; for WebTransport use https://host:port/path (or http://host:port/path for a development relay)`,
      );
    }
    const dial = connectWebSocket(url, { ...common, fingerprint: opts.fingerprint, insecure: opts.insecure });
    return url.protocol === "wss:" ? suggestPlainUrl(dial, withScheme(url, "ws:")) : dial;
  }

  const http = opts.transport === "webtransport-h3" ? "h3" : opts.transport === "webtransport-h2" ? "h2" : "auto";
  const onlyWebTransport = opts.transport !== "auto" && opts.transport !== "websocket";
  if (url.protocol === "https:") {
    const tlsOpts = { ...common, fingerprint: opts.fingerprint, insecure: opts.insecure, http } as const;
    const plain = withScheme(url, "ws:");
    if (opts.transport === "websocket")
      return suggestPlainUrl(connectWebSocket(withScheme(url, "wss:"), tlsOpts), plain);
    if (onlyWebTransport) return suggestPlainUrl(connectWebTransport(url, tlsOpts), plain);
    return suggestPlainUrl(
      withFallback(
        () => connectWebTransport(url, tlsOpts),
        () => connectWebSocket(withScheme(url, "wss:"), tlsOpts),
        url,
      ),
      plain,
    );
  }

  // http:// — the development convention.
  const plainWs = withScheme(url, "ws:");
  if (opts.transport === "websocket") return connectWebSocket(plainWs, common);
  const https = withScheme(url, "https:");
  const viaWebTransport = async () => {
    const fingerprint = opts.fingerprint ?? (await fetchDevFingerprint(url, timeoutMs));
    return connectWebTransport(https, { ...common, fingerprint, http });
  };
  if (onlyWebTransport) return viaWebTransport();
  return withFallback(viaWebTransport, () => connectWebSocket(plainWs, common), url);
}

async function withFallback(
  first: () => Promise<Transport>,
  second: () => Promise<Transport>,
  url: URL,
): Promise<Transport> {
  try {
    return await first();
  } catch (firstErr) {
    const code = (firstErr as { code?: string }).code;
    if (code && NOT_WORTH_RETRYING.has(code)) throw firstErr;
    try {
      const transport = await second();
      // connectionState() says why this is not WebTransport.
      transport.info.fallback = [...(transport.info.fallback ?? []), `WebTransport: ${messageOf(firstErr)}`];
      return transport;
    } catch (secondErr) {
      const err = new Error(
        `cannot connect to ${redactUrl(url)}: WebTransport failed: ${messageOf(firstErr)}; ` +
          `WebSocket fallback failed: ${messageOf(secondErr)}`,
        { cause: secondErr },
      );
      const secondCode = (secondErr as { code?: string }).code;
      if (secondCode) (err as { code?: string }).code = secondCode;
      throw err;
    }
  }
}

/**
 * A TLS URL whose server answered without TLS: name the plain WebSocket URL to use instead. Only
 * here, where the URL the user gave is known; an http:// URL already is a plain one.
 */
async function suggestPlainUrl(dial: Promise<Transport>, plain: URL): Promise<Transport> {
  try {
    return await dial;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== "string" || !NOT_TLS_CODES.has(code)) throw err;
    throw Object.assign(
      new Error(`${messageOf(err)}; if it serves without TLS, use ${redactUrl(plain)}`, { cause: err }),
      { code },
    );
  }
}
