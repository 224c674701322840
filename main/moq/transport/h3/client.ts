// Client side of WebTransport over HTTP/3 through @moq/web-transport. The certificate is checked
// by the binding: pinned by SHA-256 (WebTransport's serverCertificateHashes), against the
// system's roots, or not at all (--insecure: a QUIC-only port has no TCP side to read it from).

import { normalizeAppProtocol } from "../alpn.ts";
import type { TlsVerification } from "../dial.ts";
import { withTimeout } from "../timeout.ts";
import type { Transport, TransportInfo } from "../types.ts";
import { redactUrl } from "../url.ts";
import { loadHttp3 } from "./load.ts";
import { http3Transport } from "./transport.ts";

export interface Http3DialOptions {
  verification: TlsVerification;
  protocols: string[];
  timeoutMs: number;
}

export interface Http3Dialed {
  transport: Transport;
  /** The protocol the server selected, as it sent it ("" for none). */
  protocol: string;
}

/** Dial `url` (https://) over HTTP/3; throws when HTTP/3 is unavailable here or the dial fails. */
export async function dialHttp3(url: URL, opts: Http3DialOptions): Promise<Http3Dialed> {
  const h3 = loadHttp3();
  if (!h3.available)
    throw Object.assign(new Error(`HTTP/3 is unavailable: ${h3.reason}`), { code: "HTTP3_UNAVAILABLE" });
  const { NapiClient } = h3.binding;
  const v = opts.verification;
  const client =
    v.mode === "pinned"
      ? NapiClient.withCertificateHashes([Buffer.from(v.fingerprint, "hex")])
      : v.mode === "insecure"
        ? NapiClient.disableVerify()
        : NapiClient.withSystemRoots();
  const connecting = client.connect(url.href, { protocols: opts.protocols });
  let native;
  try {
    native = await withTimeout(connecting, opts.timeoutMs, `WebTransport over HTTP/3 handshake with ${redactUrl(url)}`);
  } catch (err) {
    // A late success must not leave a session open.
    connecting.then(
      (s) => s.close(0, "gave up"),
      () => {},
    );
    throw describeHttp3Failure(err, url, v.mode === "pinned");
  }
  const protocol = native.protocol ?? "";
  const info: TransportInfo = {
    kind: "webtransport-h3",
    url: redactUrl(url),
    negotiated: protocol,
    tls: {
      verification: opts.verification.mode,
      ...(opts.verification.mode === "pinned" ? { fingerprint: opts.verification.fingerprint } : {}),
    },
  };
  return { transport: http3Transport(native, normalizeAppProtocol(protocol), info), protocol };
}

/** The binding's errors are quinn's and rustls's words; put the URL and what to do next to them. */
function describeHttp3Failure(err: unknown, url: URL, pinned: boolean): Error {
  if (err instanceof Error && err.name === "TimeoutError") return err;
  const text = err instanceof Error ? err.message : String(err);
  const where = redactUrl(url);
  let message = `WebTransport over HTTP/3 to ${where} failed: ${text}`;
  let code: string | undefined;
  if (/timed out/i.test(text)) message = `no HTTP/3 answer from ${where} (UDP): ${text}`;
  else if (/certificate|UnknownIssuer|BadSignature|NotValidForName|Expired/i.test(text)) {
    if (pinned) {
      // HTTP/2 would meet the same certificate: FINGERPRINT_MISMATCH stops the fallback.
      message = `the certificate of ${where} does not have the pinned fingerprint (HTTP/3: ${text}); the server may have restarted with a new certificate`;
      code = "FINGERPRINT_MISMATCH";
    } else
      message = `the certificate of ${where} was refused over HTTP/3 (${text}): pin its SHA-256 fingerprint, or use the relay's http:// URL`;
  } else {
    const status = /\b(4\d\d|5\d\d)\b/.exec(text)?.[1];
    if (status === "401" || status === "403") {
      message = `server at ${where} refused the WebTransport session with HTTP ${status}. Check the ?jwt= token and the path it grants`;
      code = "UNAUTHORIZED";
    }
  }
  return Object.assign(new Error(message, { cause: err }), code ? { code } : {});
}
