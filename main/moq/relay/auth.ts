import { hasPrefix, joinPath, normalizePath, stripPrefix } from "../wire/path.ts";
import { AuthError, isoTime, verifyToken } from "./jwt.ts";
import type { AuthKey } from "./jwt-key.ts";

// Session admission the way moq-relay does it: the URL path is the session's root, and what a
// session may publish or subscribe is a list of prefixes relative to that root.

export { AuthError, MAX_TOKEN_BYTES, signToken, verifyToken, type Claims, type ClaimsInput } from "./jwt.ts";
export { ALGORITHMS, AuthKeyError, generateJwk, loadAuthKey, parseAuthKey, publicJwk, type Algorithm, type AuthKey } from "./jwt-key.ts";

/** What a session may do. Every path is normalised and relative to `root`. */
export interface Grant {
  /** The URL path: the session names every broadcast relative to it. */
  root: string;
  /** Prefixes the session may publish under; [""] is everything below the root, [] nothing. */
  publish: string[];
  /** Prefixes the session may subscribe to and discover; same conventions. */
  subscribe: string[];
  /** True when no token was presented (open relay or a public prefix). */
  anonymous: boolean;
  /** The token's `exp` (seconds since 1970): the session should be closed then. */
  expires?: number;
}

export interface AuthOptions {
  /** `--auth-key`: tokens in `?jwt=` are verified with it. */
  key?: AuthKey;
  /** `--public`: anonymous sessions may use these prefixes (absolute, i.e. from the relay's root). */
  publicPrefixes: string[];
}

/**
 * Decide what the session dialed at `url` may do, or why it is refused. `now` is milliseconds
 * since the epoch. Never throws for bad input: every refusal is a returned AuthError.
 */
export function authorize(url: URL, options: AuthOptions, now: number = Date.now()): Grant | AuthError {
  let raw: string;
  try {
    raw = decodeURIComponent(url.pathname);
  } catch {
    return new AuthError(`URL path ${url.pathname} is not valid percent-encoding`);
  }
  if (/[\u0000-\u001f\u007f]/.test(raw)) return new AuthError("URL path contains a control character");
  const path = normalizePath(raw);
  const shown = `/${path}`;

  // An empty ?jwt= counts as none, as in moq-relay; two tokens are ambiguous.
  const tokens = url.searchParams.getAll("jwt").filter((t) => t !== "");
  if (tokens.length > 1) return new AuthError("URL has more than one jwt parameter");
  const token = tokens[0];
  const publicPrefixes = options.publicPrefixes.map(normalizePath);

  if (token !== undefined) {
    // Refuse rather than ignore: a client sending a token expects to be limited by it.
    if (!options.key) return new AuthError("this relay has no --auth-key, so it cannot check the token in ?jwt=; connect without it");
    let claims;
    try {
      claims = verifyToken(token, options.key, now);
    } catch (err) {
      if (err instanceof AuthError) return err;
      throw err;
    }
    const publish = rebase(path, claims.root, claims.put);
    const subscribe = rebase(path, claims.root, claims.get);
    if (!publish || !subscribe) return new AuthError(`URL path ${shown} is outside the token's root /${claims.root}; dial /${claims.root} or a path below it`);
    if (publish.length === 0 && subscribe.length === 0) return new AuthError(`the token grants nothing at ${shown} (no put or get prefix reaches it)`);
    const grant: Grant = { root: path, publish, subscribe, anonymous: false };
    if (claims.exp !== undefined) grant.expires = claims.exp;
    return grant;
  }

  if (!options.key && publicPrefixes.length === 0) return { root: path, publish: [""], subscribe: [""], anonymous: true };

  // moq-relay admits an anonymous session whose path is below a public prefix (full access there)
  // or above one (it sees only the public part); the public prefixes act as a token rooted at "".
  const reachable = publicPrefixes.filter((p) => hasPrefix(p, path) || hasPrefix(path, p));
  if (reachable.length === 0) {
    if (publicPrefixes.length === 0) return new AuthError(`a token is required: add ?jwt=<token> to the URL (path ${shown})`);
    const list = publicPrefixes.map((p) => `/${p}`).join(", ");
    const alt = options.key ? "; elsewhere add ?jwt=<token> to the URL" : "";
    return new AuthError(`URL path ${shown} is not public (public prefixes: ${list})${alt}`);
  }
  const scoped = rebase(path, "", reachable) ?? [];
  return { root: path, publish: scoped, subscribe: [...scoped], anonymous: true };
}

/**
 * Re-express `prefixes` (relative to `tokenRoot`) relative to the session root `path`. The path
 * may be below the token root (prefixes narrow or widen to everything) or above it (prefixes gain
 * the segments in between); any other path returns undefined.
 */
function rebase(path: string, tokenRoot: string, prefixes: string[]): string[] | undefined {
  const below = stripPrefix(tokenRoot, path); // path = tokenRoot/below
  const above = below === undefined ? stripPrefix(path, tokenRoot) : ""; // tokenRoot = path/above
  if (above === undefined) return undefined;
  const suffix = below ?? "";
  const out: string[] = [];
  for (const p of prefixes) {
    const q = joinPath(above, p);
    const rest = stripPrefix(suffix, q);
    if (rest !== undefined) out.push(rest);
    else if (hasPrefix(q, suffix)) out.push(""); // the grant covers the whole session root
  }
  return minimise(out);
}

/** Drop duplicates and prefixes already covered by a shorter one. */
function minimise(prefixes: string[]): string[] {
  const unique = [...new Set(prefixes.map(normalizePath))];
  return unique.filter((p) => !unique.some((q) => q !== p && hasPrefix(q, p)));
}

/** May the session publish `path` (relative to its root)? */
export function canPublish(grant: Grant, path: string): boolean {
  return grant.publish.some((p) => hasPrefix(p, path));
}

/** May the session subscribe to `path` (relative to its root)? */
export function canSubscribe(grant: Grant, path: string): boolean {
  return grant.subscribe.some((p) => hasPrefix(p, path));
}

/** Could announcements under `prefix` (relative to the root) include anything the session may subscribe to? */
export function canDiscover(grant: Grant, prefix: string): boolean {
  return grant.subscribe.some((p) => hasPrefix(p, prefix) || hasPrefix(prefix, p));
}

/** One line for the relay's log. */
export function describeGrant(grant: Grant): string {
  const fmt = (ps: string[]) => (ps.length === 0 ? "nothing" : ps.map((p) => (p === "" ? "*" : p)).join(","));
  const who = grant.anonymous ? "anonymous" : "token";
  const exp = grant.expires === undefined ? "" : ` until ${isoTime(grant.expires)}`;
  return `${who} at /${grant.root}: publish ${fmt(grant.publish)}, subscribe ${fmt(grant.subscribe)}${exp}`;
}
