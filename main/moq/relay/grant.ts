// What a session may do at the relay. The auth module decides; without one, a session may do
// everything under the path it connected to.

import { toPath, type Path } from "../model/path.ts";
import type { SessionRequest } from "../transport/listener.ts";
import { Pattern, PatternError, reduce } from "./pattern.ts";

/**
 * Path patterns (see pattern.ts) relative to `root`, as moq-relay 0.17 grants: `**` is
 * everything under the root, `alice/**` alice and below, `alice` exactly that broadcast, [] nothing.
 */
export interface Grant {
  /** The URL path: every path the session sends or sees on the wire is relative to this. */
  root: Path;
  /** Patterns of the broadcasts the session may publish, canonical and without redundant members. */
  publish: string[];
  /** Patterns of the broadcasts the session may discover and subscribe to. */
  subscribe: string[];
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
export const allowAll: Authorize = (request) => ({ root: rootOf(request.url), publish: ["**"], subscribe: ["**"] });

/** A grant with a normalised root and reduced pattern lists; a bad pattern throws a PatternError. */
export function normalizeGrant(grant: GrantInput): Grant {
  const out: Grant = {
    root: toPath(grant.root, "grant root"),
    publish: reducedTexts(grant.publish),
    subscribe: reducedTexts(grant.subscribe),
  };
  if (grant.expires !== undefined) out.expires = grant.expires;
  return out;
}

/** Canonical texts of a pattern list, without members another one contains. */
export function reducedTexts(patterns: readonly string[]): string[] {
  return reduce(patterns.map((p) => Pattern.parse(p))).map(String);
}

/** A grant's pattern list compiled for matching paths relative to its root. */
export class PathScope {
  readonly #patterns: Pattern[];

  constructor(patterns: readonly string[]) {
    this.#patterns = patterns.map((p) => Pattern.parse(p));
  }

  get empty(): boolean {
    return this.#patterns.length === 0;
  }

  matches(path: string): boolean {
    return this.#patterns.some((p) => p.matches(path));
  }

  /** The prefixes to watch announcements under: each pattern's literal head, none under another. */
  heads(): Path[] {
    const all = [...new Set(this.#patterns.map((p) => toPath(p.head)))];
    return all.filter((h) => !all.some((g) => g !== h && (g === "" || h.startsWith(`${g}/`))));
  }
}

export { PatternError };
