// What a session may do at the relay. The auth module decides; without one, a session may do
// everything under the path it connected to.

import { hasPrefix, toPath, type Path } from "../model/path.ts";
import type { SessionRequest } from "../transport/listener.ts";
import type { SessionFields } from "./auth-url-request.ts";
import { parseMounts } from "./mounts.ts";
import { Pattern, reduce } from "./pattern.ts";

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
  /** Seconds between re-checks through the lease; absent: never re-checked. */
  revalidate?: number;
  /** Subtrees read from elsewhere (mounts.ts), checked and normalised: mount point → target; absent when none. */
  mounts?: Readonly<Record<string, string>>;
  /** The auth server's stats label for the session (moq-auth's `tier`), shown in the log. */
  tier?: string;
}

/** A grant as an authorize callback may write it, with plain strings; the relay normalises it. */
export interface GrantInput {
  root: string;
  publish: readonly string[];
  subscribe: readonly string[];
  expires?: number;
  /** Seconds between `lease.recheck()` calls (needs `lease` and `expires`). */
  revalidate?: number;
  /** Read-only mounts: mount point relative to the root → absolute path it reads from. */
  mounts?: Readonly<Record<string, string>>;
  tier?: string;
  /** The decider's live word on the grant (an auth server); absent: the grant is fixed. */
  lease?: Lease;
}

/**
 * What keeps a session admitted after connect. The relay calls recheck() on the grant's
 * `revalidate` cadence (one at a time) and end() once when the session is over; how the
 * decider answers (HTTP, in-process) is its own business.
 */
export interface Lease {
  /** What the decider was told about the session (its id, node, …), when it was told anything. */
  readonly fields?: SessionFields;
  recheck(): Promise<Recheck>;
  /** A rejection is only logged: the session is already gone. */
  end(info: LeaseEnd): Promise<void> | void;
}

/**
 * A re-check's answer: a fresh grant (kept if it covers the old one), a revocation that closes
 * the session, or an outage (retried with backoff; the grant stands until it expires).
 */
export type Recheck = { grant: GrantInput } | { revoked: "refused" | "invalid"; message: string } | { outage: string };

/** How a session ended, for the decider's records (moq-auth's `end` event). */
export interface LeaseEnd {
  /** "expired", "refused", "invalid", "grant narrowed", "root changed", "closed", "shutdown", or an error text. */
  reason: string;
  /** Seconds the session was admitted. */
  duration: number;
  /** Bytes the session moved, from the relay's side; 0 where the transport does not count. */
  bytes: { sent: number; received: number };
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

/** A grant with a normalised root and reduced pattern lists; a bad pattern or mount throws. */
export function normalizeGrant(grant: GrantInput): Grant {
  const out: Grant = {
    root: toPath(grant.root, "grant root"),
    publish: reducedTexts(grant.publish),
    subscribe: reducedTexts(grant.subscribe),
  };
  if (grant.expires !== undefined) out.expires = grant.expires;
  if (grant.revalidate !== undefined) {
    if (!(grant.revalidate > 0))
      throw new RangeError(`revalidate must be a positive number of seconds, got ${grant.revalidate}`);
    out.revalidate = grant.revalidate;
  }
  if (grant.mounts && Object.keys(grant.mounts).length > 0) {
    out.mounts = Object.fromEntries(parseMounts(grant.mounts, out.root).map((m) => [m.at, m.target]));
  }
  if (grant.tier !== undefined) out.tier = grant.tier;
  return out;
}

/** Canonical texts of a pattern list, without members another one contains. */
function reducedTexts(patterns: readonly string[]): string[] {
  return reduce(patterns.map((p) => Pattern.parse(p))).map(String);
}

/**
 * Whether `inner`'s patterns all stay granted by `outer`: every pattern is contained by one of
 * `outer`'s (a re-check that fails this narrowed the grant).
 */
export function covers(outer: readonly string[], inner: readonly string[]): boolean {
  const wide = outer.map((p) => Pattern.parse(p));
  return inner.every((text) => {
    const p = Pattern.parse(text);
    return wide.some((w) => w.contains(p));
  });
}

/** A grant's pattern list compiled for matching paths relative to its root. */
export class PathScope {
  readonly #patterns: Pattern[];

  constructor(patterns: readonly string[]) {
    this.#patterns = patterns.map((p) => Pattern.parse(p));
  }

  matches(path: string): boolean {
    return this.#patterns.some((p) => p.matches(path));
  }

  /** The prefixes to watch announcements under: each pattern's literal head, none under another. */
  heads(): Path[] {
    const all = [...new Set(this.#patterns.map((p) => toPath(p.head)))];
    return all.filter((h) => !all.some((g) => g !== h && hasPrefix(g, h)));
  }
}
