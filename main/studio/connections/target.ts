// Where a connection goes and how: the relay URL (its jwt kept apart, so it never reaches a
// summary, a log line or an error), the transport, the protocol versions offered, the trust.

import { DEFAULT_OFFER } from "../../moq/index.ts";
import { parseRelayUrl, redactUrl } from "../../moq/node.ts";
import type { ConnectOptions } from "../../moq/node.ts";
import type { TransportChoice, TrustChoice } from "../../ipc/contract.ts";
import { splitJwt } from "../profiles/jwt-url.ts";

export interface ConnectTarget {
  /** The relay URL without its jwt. */
  url: string;
  token: string | null;
  transport: TransportChoice;
  /** "auto", "legacy" or one version name ("moq-lite-04"). */
  protocol: string;
  trust: TrustChoice;
}

/** Set up `target` from a URL as typed: a `?jwt=` in it becomes the token. */
export function targetFromUrl(
  input: string,
  options: { transport?: TransportChoice; protocol?: string; trust?: TrustChoice; token?: string | null } = {},
): ConnectTarget {
  const { url, jwt } = splitJwt(parseRelayUrl(input).href);
  return {
    url,
    token: options.token ?? jwt,
    transport: options.transport ?? "auto",
    protocol: options.protocol ?? "auto",
    trust: options.trust ?? { kind: "system" },
  };
}

/** The URL to dial, with the token. Never shown: use `target.url` (or redactUrl) for people. */
export function dialUrl(target: ConnectTarget): string {
  const url = parseRelayUrl(target.url);
  if (target.token) url.searchParams.set("jwt", target.token);
  return url.href;
}

/** The URL for people: no jwt, whatever was typed. */
export function shownUrl(url: string): string {
  return redactUrl(splitJwt(url).url);
}

/** How long one attempt to connect may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** What connect() needs, as the CLI's --transport, --protocol, --fingerprint and --insecure give it. */
export function connectOptionsOf(target: ConnectTarget): ConnectOptions {
  const offer = protocolOffer(target.protocol);
  return {
    ...offer,
    transport: target.transport,
    timeoutMs: CONNECT_TIMEOUT_MS,
    ...(target.trust.kind === "fingerprint" ? { fingerprint: target.trust.sha256 } : {}),
    ...(target.trust.kind === "insecure" ? { insecure: true } : {}),
  };
}

/** The versions to offer for a protocol choice: "auto" (the library's default offer and the legacy fallbacks), "legacy", or one version. */
export function protocolOffer(protocol: string): { versions: string[]; legacy: boolean } {
  if (protocol === "auto") return { versions: [...DEFAULT_OFFER], legacy: true };
  if (protocol === "legacy") return { versions: [], legacy: true };
  return { versions: [protocol], legacy: false };
}
