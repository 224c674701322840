// What a session may do at the relay. The auth module decides; without one, a session may do
// everything under the path it connected to.

import { ROOT, hasPrefix, joinPath, toPath, type Path } from "../model/path.ts";
import type { SessionRequest } from "../transport/listener.ts";

/** Prefixes are relative to `root`; the root path ("") is everything under it, [] nothing. */
export interface Grant {
  /** The URL path: every path the session sends or sees on the wire is relative to this. */
  root: Path;
  /** Prefixes the session may announce (publish) under. */
  publish: Path[];
  /** Prefixes the session may discover and subscribe to. */
  subscribe: Path[];
  /** When the grant runs out (seconds since 1970, a JWT's `exp`): the session is closed then. */
  expires?: number;
}

/** A grant as an authorize callback may write it, with plain strings; the relay normalises it. */
export interface GrantInput {
  root: string;
  publish: readonly string[];
  subscribe: readonly string[];
  expires?: number;
}

/** Decide whether a session may connect and what it may do; an Error refuses it (its message is logged and sent). */
export type Authorize = (request: SessionRequest) => GrantInput | Error | Promise<GrantInput | Error>;

/** The session's root from its URL path (`/anon` → `anon`); percent-escapes decoded. */
export function rootOf(url: URL): Path {
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: keep the path as it came.
  }
  return toPath(path, "URL path");
}

/** The open default: everything under the URL path. */
export const allowAll: Authorize = (request) => ({ root: rootOf(request.url), publish: [ROOT], subscribe: [ROOT] });

/** A grant with normalised paths and no prefix covered by another one. */
export function normalizeGrant(grant: GrantInput): Grant {
  return {
    root: toPath(grant.root, "grant root"),
    publish: minimalPrefixes(grant.publish),
    subscribe: minimalPrefixes(grant.subscribe),
    expires: grant.expires,
  };
}

/** Normalised, without duplicates or prefixes already covered by a shorter one. */
export function minimalPrefixes(prefixes: readonly string[]): Path[] {
  const all = [...new Set(prefixes.map((p) => toPath(p, "grant prefix")))];
  return all.filter((p) => !all.some((q) => q !== p && hasPrefix(q, p)));
}

/** Absolute prefixes (root joined) of a relative list. */
export function absolutePrefixes(root: Path, prefixes: readonly Path[]): Path[] {
  return prefixes.map((p) => joinPath(root, p));
}
