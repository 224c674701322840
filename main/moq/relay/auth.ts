import { PathError, ROOT, hasPrefix, joinPath, stripPrefix, toPath, type Path } from "../model/path.ts";
import { AuthError } from "./auth-error.ts";
import { minimalPrefixes, type Grant } from "./grant.ts";
import { verifyToken } from "./jwt.ts";
import type { AuthKey } from "./jwt-key.ts";

// Session admission the way moq-relay does it: the URL path is the session's root, and what a
// session may publish or subscribe is a list of prefixes relative to that root.

export { AuthError } from "./auth-error.ts";
export { MAX_TOKEN_BYTES, verifyToken } from "./jwt.ts";
export type { Claims } from "./jwt-claims.ts";
export {
  ALGORITHMS,
  AuthKeyError,
  generateJwk,
  loadAuthKey,
  parseAuthKey,
  type Algorithm,
  type AuthKey,
} from "./jwt-key.ts";

export interface AuthOptions {
  /** `--auth-key`: tokens in `?jwt=` are verified with it. */
  key?: AuthKey;
  /** `--public`: anonymous sessions may use these prefixes (absolute, i.e. from the relay's root). */
  publicPrefixes: string[];
  /** `--auth-public-publish`: prefixes anonymous sessions may only publish under. */
  publicPublish?: string[];
  /** `--auth-public-subscribe`: prefixes anonymous sessions may only subscribe to. */
  publicSubscribe?: string[];
}

/**
 * Decide what the session dialed at `url` may do, or why it is refused. `now` is milliseconds
 * since the epoch. Never rejects for bad input: every refusal is a returned AuthError.
 */
export async function authorize(url: URL, options: AuthOptions, now: number = Date.now()): Promise<Grant | AuthError> {
  let raw: string;
  try {
    raw = decodeURIComponent(url.pathname);
  } catch {
    return new AuthError(`URL path ${url.pathname} is not valid percent-encoding`);
  }
  let path: Path;
  try {
    path = toPath(raw, "URL path");
  } catch (err) {
    if (err instanceof PathError) return new AuthError(err.message);
    throw err;
  }
  const shown = `/${path}`;

  // An empty ?jwt= counts as none, as in moq-relay; two tokens are ambiguous.
  const tokens = url.searchParams.getAll("jwt").filter((t) => t !== "");
  if (tokens.length > 1) return new AuthError("URL has more than one jwt parameter");
  const token = tokens[0];
  const publicPrefixes = options.publicPrefixes.map((p) => toPath(p, "public prefix"));
  const publicPublish = [...publicPrefixes, ...(options.publicPublish ?? []).map((p) => toPath(p, "public prefix"))];
  const publicSubscribe = [
    ...publicPrefixes,
    ...(options.publicSubscribe ?? []).map((p) => toPath(p, "public prefix")),
  ];
  const anyPublic = [...new Set([...publicPublish, ...publicSubscribe])];

  if (token !== undefined) {
    // Refuse rather than ignore: a client sending a token expects to be limited by it.
    if (!options.key)
      return new AuthError("this relay has no --auth-key, so it cannot check the token in ?jwt=; connect without it");
    let claims;
    try {
      claims = await verifyToken(token, options.key, now);
    } catch (err) {
      if (err instanceof AuthError) return err;
      throw err;
    }
    const publish = rebase(path, claims.root, claims.put);
    const subscribe = rebase(path, claims.root, claims.get);
    if (!publish || !subscribe)
      return new AuthError(
        `URL path ${shown} is outside the token's root /${claims.root}; dial /${claims.root} or a path below it`,
      );
    if (publish.length === 0 && subscribe.length === 0)
      return new AuthError(`the token grants nothing at ${shown} (no put or get prefix reaches it)`);
    const grant: Grant = { root: path, publish, subscribe };
    if (claims.exp !== undefined) grant.expires = claims.exp;
    return grant;
  }

  if (!options.key && anyPublic.length === 0) return { root: path, publish: [ROOT], subscribe: [ROOT] };

  // moq-relay admits an anonymous session whose path is below a public prefix (full access there)
  // or above one (it sees only the public part); the public prefixes act as a token rooted at "".
  const reaches = (p: Path) => hasPrefix(p, path) || hasPrefix(path, p);
  if (!anyPublic.some(reaches)) {
    if (anyPublic.length === 0)
      return new AuthError(`a token is required: add ?jwt=<token> to the URL (path ${shown})`);
    const list = anyPublic.map((p) => `/${p}`).join(", ");
    const alt = options.key ? "; elsewhere add ?jwt=<token> to the URL" : "";
    return new AuthError(`URL path ${shown} is not public (public prefixes: ${list})${alt}`);
  }
  return {
    root: path,
    publish: rebase(path, ROOT, publicPublish.filter(reaches)) ?? [],
    subscribe: rebase(path, ROOT, publicSubscribe.filter(reaches)) ?? [],
  };
}

/**
 * Re-express `prefixes` (relative to `tokenRoot`) relative to the session root `path`. The path
 * may be below the token root (prefixes narrow or widen to everything) or above it (prefixes gain
 * the segments in between); any other path returns undefined.
 */
function rebase(path: Path, tokenRoot: Path, prefixes: readonly Path[]): Path[] | undefined {
  const below = stripPrefix(tokenRoot, path); // path = tokenRoot/below
  const above = below === undefined ? stripPrefix(path, tokenRoot) : ROOT; // tokenRoot = path/above
  if (above === undefined) return undefined;
  const suffix = below ?? ROOT;
  const out: Path[] = [];
  for (const p of prefixes) {
    const q = joinPath(above, p);
    const rest = stripPrefix(suffix, q);
    if (rest !== undefined) out.push(rest);
    else if (hasPrefix(q, suffix)) out.push(ROOT); // the grant covers the whole session root
  }
  return minimalPrefixes(out);
}
