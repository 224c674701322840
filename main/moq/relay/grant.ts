// What a session may do at the relay. The auth module decides; without one, a session may do
// everything under the path it connected to.

import { hasPrefix, joinPath, normalizePath } from "../lite/wire/path.ts";
import type { SessionRequest } from "../transport/listener.ts";

/** Prefixes are normalised and relative to `root`; "" is everything under it, [] nothing. */
export interface Grant {
  /** The URL path: every path the session sends or sees on the wire is relative to this. */
  root: string;
  /** Prefixes the session may announce (publish) under. */
  publish: string[];
  /** Prefixes the session may discover and subscribe to. */
  subscribe: string[];
  /** When the grant runs out (seconds since 1970, a JWT's `exp`): the session is closed then. */
  expires?: number;
}

/** Decide whether a session may connect and what it may do; an Error refuses it (its message is logged and sent). */
export type Authorize = (request: SessionRequest) => Grant | Error | Promise<Grant | Error>;

/** The session's root from its URL path (`/anon` → `anon`); percent-escapes decoded. */
export function rootOf(url: URL): string {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: keep the path as it came.
  }
  return normalizePath(path);
}

/** The open default: everything under the URL path. */
export const allowAll: Authorize = (request) => ({ root: rootOf(request.url), publish: [""], subscribe: [""] });

/** A grant with normalised paths and no prefix covered by another one. */
export function normalizeGrant(grant: Grant): Grant {
  return {
    root: normalizePath(grant.root),
    publish: minimalPrefixes(grant.publish),
    subscribe: minimalPrefixes(grant.subscribe),
    expires: grant.expires,
  };
}

/** Normalised, without duplicates or prefixes already covered by a shorter one. */
export function minimalPrefixes(prefixes: string[]): string[] {
  const all = [...new Set(prefixes.map(normalizePath))];
  return all.filter((p) => !all.some((q) => q !== p && hasPrefix(q, p)));
}

/** Absolute prefixes (root joined) of a relative list. */
export function absolutePrefixes(root: string, prefixes: string[]): string[] {
  return prefixes.map((p) => joinPath(root, p));
}
