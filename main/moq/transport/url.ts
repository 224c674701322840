// Relay URLs: which schemes mean what, validation with messages that show a working example, and
// the small rewrites connect needs (scheme swaps, the certificate.sha256 address, hiding the jwt).

import net from "node:net";

export const URL_EXAMPLES =
  "e.g. http://localhost:4443/anon (development relay), https://relay.example.com/anon?jwt=TOKEN, or ws://127.0.0.1:4443/";

const SCHEMES = new Set(["http:", "https:", "ws:", "wss:"]);

/** Parse and check a relay URL; the error says what is wrong and shows valid ones. */
export function parseRelayUrl(input: string | URL): URL {
  let url: URL;
  if (input instanceof URL) {
    url = new URL(input.href);
  } else {
    const text = input.trim();
    if (text === "") throw new Error(`no relay URL given (${URL_EXAMPLES})`);
    try {
      url = new URL(text);
    } catch {
      const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(text) ? ` (missing a scheme? try http://${text})` : "";
      throw new Error(`not a valid URL: ${JSON.stringify(text)}${hint}; ${URL_EXAMPLES}`);
    }
  }
  if (!SCHEMES.has(url.protocol)) {
    const bare = typeof input === "string" && /^[\w.-]+:\d+(\/|$)/.test(input.trim());
    if (bare)
      throw new Error(`"${String(input).trim()}" has no scheme: try http://${String(input).trim()}; ${URL_EXAMPLES}`);
    throw new Error(
      `unsupported URL scheme "${url.protocol.replace(/:$/, "")}" in ${redactUrl(url)}: use http, https, ws or wss; ${URL_EXAMPLES}`,
    );
  }
  if (url.hostname === "") throw new Error(`URL ${JSON.stringify(String(input))} has no host; ${URL_EXAMPLES}`);
  if (url.username || url.password) {
    throw new Error(`URL ${redactUrl(url)} carries a user name or password; pass a token as ?jwt=… instead`);
  }
  return url;
}

/** Host for sockets (IPv6 without brackets) and the effective port. */
export function endpointOf(url: URL): { host: string; port: number } {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  return { host, port };
}

/** The same URL with another scheme (port, path and query unchanged; default ports kept explicit). */
export function withScheme(url: URL, scheme: "http:" | "https:" | "ws:" | "wss:"): URL {
  const { port } = endpointOf(url);
  const out = new URL(`${scheme}//${url.host}${url.pathname}${url.search}`);
  out.port = String(port);
  return out;
}

/** moq-relay's development convention: the certificate hash lives at /certificate.sha256 over plain HTTP. */
export function fingerprintUrlOf(url: URL): URL {
  const { port } = endpointOf(url);
  const out = new URL(`http://${url.host}/certificate.sha256`);
  out.port = String(port);
  return out;
}

/** The URL for display and logs: the jwt value (and any credentials) hidden. */
export function redactUrl(url: URL | string): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return String(url);
  }
  u.username = "";
  u.password = "";
  if (u.searchParams.has("jwt")) u.searchParams.set("jwt", "…");
  return u.href.replace("jwt=%E2%80%A6", "jwt=…");
}

/** Loopback addresses only this machine can reach ("localhost", 127.x, ::1; IPv6 with or without brackets). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost") return true;
  if (net.isIPv4(host)) return host.startsWith("127.");
  return host === "::1";
}
