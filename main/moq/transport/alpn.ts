// Which application protocols we offer and accept, and how they are spelled on each transport.
// WebSocket: "qmux-0N.<version>" subprotocols (the form @moq/qmux 0.3 and moq-relay use), plus bare
// wire-format tokens for peers that only agree on a wire format (→ SETUP, 01/02). WebTransport:
// the plain version string in WT-Available-Protocols / WT-Protocol.

export interface ProtocolOffer {
  /** moq versions in preference order, e.g. ["moq-lite-04", "moq-lite-03"]. */
  versions: readonly string[];
  /** Also allow a session with no application protocol (→ SETUP negotiation of 01/02). */
  legacy?: boolean;
}

/** QMux wire-format versions, newest first: the order we offer and prefer them in. */
export const QMUX_WIRES = ["qmux-02", "qmux-01", "qmux-00"] as const;

/** Bare subprotocols a legacy client offers (no app protocol attached). */
export const LEGACY_CLIENT_SUBPROTOCOLS = ["qmux-01", "qmux-00", "webtransport"] as const;

/** Bare subprotocols a legacy server accepts; qmux-02 bare too, which @moq/qmux clients offer. */
export const LEGACY_SERVER_SUBPROTOCOLS = ["qmux-02", "qmux-01", "qmux-00", "webtransport"] as const;

/** The WebTransport/ALPN token that means "no version, run SETUP" (spec §4.1). */
export const SETUP_PROTOCOL = "moql";

/** Sec-WebSocket-Protocol values a client offers, most preferred first. */
export function clientSubprotocols(offer: ProtocolOffer): string[] {
  const out: string[] = [];
  for (const version of offer.versions) for (const wire of QMUX_WIRES) out.push(`${wire}.${version}`);
  if (offer.legacy) out.push(...LEGACY_CLIENT_SUBPROTOCOLS);
  return out;
}

/** Every subprotocol a server accepts, in the server's preference order. */
export function serverSubprotocols(offer: ProtocolOffer): string[] {
  const out: string[] = [];
  for (const version of offer.versions) for (const wire of QMUX_WIRES) out.push(`${wire}.${version}`);
  if (offer.legacy) out.push(...LEGACY_SERVER_SUBPROTOCOLS);
  return out;
}

/**
 * Server side: pick the subprotocol to accept from a client's Sec-WebSocket-Protocol (raw header or
 * list). Our preference wins, as in moq-relay and @moq/qmux. Undefined when nothing matches.
 */
export function selectSubprotocol(
  offered: string | Iterable<string> | null | undefined,
  offer: ProtocolOffer,
): string | undefined {
  const list = typeof offered === "string" ? offered.split(",") : offered ? [...offered] : [];
  const client = new Set(list.map((p) => p.trim()).filter((p) => p !== ""));
  return serverSubprotocols(offer).find((p) => client.has(p));
}

/** The application protocol inside a negotiated subprotocol: "qmux-02.moq-lite-04" → "moq-lite-04"; bare → "". */
export function appProtocolOf(subprotocol: string | undefined): string {
  if (!subprotocol) return "";
  for (const wire of QMUX_WIRES) {
    if (subprotocol.startsWith(`${wire}.`)) return subprotocol.slice(wire.length + 1);
  }
  return "";
}

/** WT-Available-Protocols a WebTransport client offers. Legacy adds "moql" (SETUP). */
export function webTransportProtocols(offer: ProtocolOffer): string[] {
  return offer.legacy ? [...offer.versions, SETUP_PROTOCOL] : [...offer.versions];
}

/**
 * Server side for WebTransport: pick from the client's offered protocols by our preference.
 * Returns "" when the client offered nothing (or only "moql") and legacy is allowed,
 * undefined when the session must be refused.
 */
export function selectWebTransportProtocol(
  offered: readonly string[] | undefined,
  offer: ProtocolOffer,
): string | undefined {
  const client = new Set(offered ?? []);
  const chosen = offer.versions.find((v) => client.has(v));
  if (chosen) return chosen;
  if (offer.legacy && (client.size === 0 || client.has(SETUP_PROTOCOL))) return "";
  return undefined;
}

/** What a session reports as its protocol: the version, or "" when SETUP decides ("moql" included). */
export function normalizeAppProtocol(protocol: string | undefined): string {
  if (!protocol) return "";
  const unquoted = /^"(.*)"$/.exec(protocol)?.[1] ?? protocol; // WT-Protocol may arrive as an sf-string
  return unquoted === SETUP_PROTOCOL ? "" : unquoted;
}

/** The versions without an application protocol of their own: SETUP picks one of them. */
const SETUP_VERSIONS = "moq-lite-01/02 (negotiated through SETUP)";

/** "moq-lite-04/03" for messages; an offer of no version means SETUP's 01/02 (legacy). */
export function describeVersions(versions: readonly string[], legacy = false): string {
  const [first, ...rest] = versions;
  if (!first) return SETUP_VERSIONS;
  const common = /^(.*-)(\d+)$/.exec(first)?.[1];
  const listed =
    common && rest.every((v) => v.startsWith(common) && /^\d+$/.test(v.slice(common.length)))
      ? [first, ...rest.map((v) => v.slice(common.length))].join("/")
      : versions.join(", ");
  return legacy ? `${listed} or ${SETUP_VERSIONS}` : listed;
}
