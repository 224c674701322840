// Opening TCP and TLS connections ourselves, so certificate checks happen before any request (and
// the ?jwt= it carries) is sent, and so failures become messages a user can act on.

import { createHash } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { describeBody } from "./excerpt.ts";
import { withTimeout } from "./timeout.ts";

/** How the server's certificate is checked. */
export type TlsVerification = { mode: "pinned"; fingerprint: string } | { mode: "insecure" } | { mode: "ca" };

export function verificationOf(opts: { fingerprint?: string; insecure?: boolean }): TlsVerification {
  if (opts.fingerprint) return { mode: "pinned", fingerprint: normalizeFingerprint(opts.fingerprint) };
  if (opts.insecure) return { mode: "insecure" };
  return { mode: "ca" };
}

/** Accept "AB:CD:…" or "abcd…"; return 64 lower-case hex digits or throw saying what is wrong. */
export function normalizeFingerprint(text: string): string {
  const hex = text.trim().replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    const got = describeBody(text, 80) || "nothing";
    throw new Error(
      `invalid certificate fingerprint: got ${got}, expected a SHA-256 hash as 64 hex digits (colons allowed)`,
    );
  }
  return hex;
}

/** Codes of a TLS handshake answered by a server that speaks no TLS on that port. */
export const NOT_TLS_CODES: ReadonlySet<string> = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "EPROTO",
]);

export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Turn a socket-level error into one that says what to do about it. */
export function describeDialError(err: unknown, host: string, port: number): Error {
  const hp = hostPort(host, port);
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? "";
  let message: string;
  switch (code) {
    case "ECONNREFUSED":
      message = `connection refused by ${hp}: nothing is listening there. Is the server running, and is the port right?`;
      break;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      message = `cannot resolve host "${host}" (${code}): check the host name`;
      break;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      message = `cannot reach ${hp} (${code}): check the address and the network`;
      break;
    case "ECONNRESET":
    case "EPIPE":
      message = `${hp} closed the connection unexpectedly (${code})`;
      break;
    case "ERR_SSL_WRONG_VERSION_NUMBER":
    case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
    case "EPROTO":
      // Which URL to use instead depends on the one given: the caller knows it (connect.ts).
      message = `${hp} did not answer with TLS (${code}): the server there does not speak TLS`;
      break;
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      message =
        `the certificate of ${hp} is not trusted (${code}${e.reason ? `: ${e.reason}` : ""}). ` +
        `Pin its SHA-256 fingerprint, use the http:// URL of a development relay (it publishes the fingerprint), or allow insecure connections`;
      break;
    default:
      message = `cannot connect to ${hp}: ${e?.message ?? String(err)}`;
  }
  const out = new Error(message, { cause: err });
  (out as { code?: string }).code = code || undefined;
  return out;
}

export function fingerprintOfPeer(socket: tls.TLSSocket): string | undefined {
  const raw = socket.getPeerCertificate()?.raw;
  return raw ? createHash("sha256").update(raw).digest("hex") : undefined;
}

/** A connected TCP socket, or a descriptive error. */
export async function dialTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const socket = net.connect({ host, port });
  const connected = new Promise<net.Socket>((resolve, reject) => {
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
  try {
    return await withTimeout(connected, timeoutMs, `connecting to ${hostPort(host, port)}`, () => socket.destroy());
  } catch (err) {
    socket.destroy();
    throw err instanceof Error && err.name === "TimeoutError" ? err : describeDialError(err, host, port);
  }
}

export interface TlsDialOptions {
  host: string;
  port: number;
  /** SNI name; omitted for IP literals. Default: host. */
  servername?: string;
  verification: TlsVerification;
  alpn?: string[];
  timeoutMs: number;
}

/** A TLS socket whose certificate passed `verification`, with the peer's fingerprint. */
export async function dialTls(opts: TlsDialOptions): Promise<{ socket: tls.TLSSocket; fingerprint?: string }> {
  const { host, port, verification } = opts;
  const servername = opts.servername ?? (net.isIP(host) ? undefined : host);
  const socket = tls.connect({
    host,
    port,
    ...(servername ? { servername } : {}),
    ALPNProtocols: opts.alpn,
    rejectUnauthorized: verification.mode === "ca",
  });
  const secured = new Promise<tls.TLSSocket>((resolve, reject) => {
    socket.once("secureConnect", () => {
      socket.removeListener("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
  try {
    await withTimeout(secured, opts.timeoutMs, `TLS handshake with ${hostPort(host, port)}`, () => socket.destroy());
  } catch (err) {
    socket.destroy();
    throw err instanceof Error && err.name === "TimeoutError" ? err : describeDialError(err, host, port);
  }
  const fingerprint = fingerprintOfPeer(socket);
  if (verification.mode === "pinned" && fingerprint !== verification.fingerprint) {
    socket.destroy();
    throw fingerprintMismatch(host, port, verification.fingerprint, fingerprint);
  }
  return { socket, fingerprint };
}

export function fingerprintMismatch(host: string, port: number, expected: string, got: string | undefined): Error {
  const err = new Error(
    `certificate fingerprint mismatch for ${hostPort(host, port)}: expected ${expected}, got ${got ?? "(no certificate)"}. ` +
      `The server may have restarted with a new certificate; fetch the current fingerprint and try again`,
  );
  (err as { code?: string }).code = "FINGERPRINT_MISMATCH";
  return err;
}

export interface PeerCertificateInfo {
  fingerprint?: string;
  validFrom?: Date;
  validTo?: Date;
  alpn?: string | false;
}

/** Look at a server's certificate without trusting it: used to explain a failed WebTransport dial. */
export async function probeCertificate(host: string, port: number, timeoutMs: number): Promise<PeerCertificateInfo> {
  const { socket, fingerprint } = await dialTls({
    host,
    port,
    verification: { mode: "insecure" },
    alpn: ["h2"],
    timeoutMs,
  });
  const cert = socket.getPeerCertificate();
  const info: PeerCertificateInfo = {
    fingerprint,
    validFrom: cert?.valid_from ? new Date(cert.valid_from) : undefined,
    validTo: cert?.valid_to ? new Date(cert.valid_to) : undefined,
    alpn: socket.alpnProtocol ?? false,
  };
  socket.destroy();
  return info;
}
