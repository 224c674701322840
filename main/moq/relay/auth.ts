import { PathError, stripPrefix, toPath, type Path } from "../model/path.ts";
import { AuthError } from "./auth-error.ts";
import type { Grant } from "./grant.ts";
import { Pattern, reduce } from "./pattern.ts";
import { verifyToken } from "./jwt.ts";
import type { AuthKey } from "./jwt-key.ts";

// Session admission the way moq-relay does it: the URL path is the session's root, and what a
// session may publish or subscribe is a list of path patterns relative to that root. A token's
// patterns are relative to its own `root` claim and the public ones to the relay's root; both are
// moved to the dialed path the way moq-auth does it (rebased below that root, rooted above it).

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
  /** `--public` (moq-relay 0.14's shape): prefixes anonymous sessions may use; `p` reads as `p/**`. */
  publicPrefixes?: string[];
  /** `--auth-public`: patterns anonymous sessions may publish and subscribe, from the relay's root. */
  publicPatterns?: string[];
  /** `--auth-public-publish`: patterns anonymous sessions may only publish. */
  publicPublish?: string[];
  /** `--auth-public-subscribe`: patterns anonymous sessions may only subscribe to. */
  publicSubscribe?: string[];
}

/**
 * Decide what the session dialed at `url` may do, or why it is refused. `now` is milliseconds
 * since the epoch. Never rejects for bad input: every refusal is a returned AuthError (patterns
 * in `options` are the caller's to validate: a bad one throws a PatternError).
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
  const both = [
    ...(options.publicPrefixes ?? []).map((p) => String(Pattern.subtree(p))),
    ...(options.publicPatterns ?? []),
  ];
  const publicPublish = [...both, ...(options.publicPublish ?? [])];
  const publicSubscribe = [...both, ...(options.publicSubscribe ?? [])];
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
    const grant = grantAt(path, claims.root, claims.publish, claims.subscribe);
    if (grant === "outside")
      return new AuthError(
        `URL path ${shown} is outside the token's root /${claims.root}; dial /${claims.root} or a path below it`,
      );
    if (grant === "nothing")
      return new AuthError(`the token grants nothing at ${shown} (no publish or subscribe pattern reaches it)`);
    if (claims.exp !== undefined) grant.expires = claims.exp;
    return grant;
  }

  if (!options.key && anyPublic.length === 0) return { root: path, publish: ["**"], subscribe: ["**"] };
  if (anyPublic.length === 0) return new AuthError(`a token is required: add ?jwt=<token> to the URL (path ${shown})`);

  // The public patterns act as a token rooted at the relay's root.
  const grant = grantAt(path, "" as Path, publicPublish, publicSubscribe);
  if (typeof grant === "string") {
    const alt = options.key ? "; elsewhere add ?jwt=<token> to the URL" : "";
    return new AuthError(`URL path ${shown} is not public (public patterns: ${anyPublic.join(", ")})${alt}`);
  }
  return grant;
}

/**
 * Patterns relative to `root` moved to the dialed `path`: rebased when the path is at or below
 * the root, rooted under the segments in between when it is above; "outside" when neither, and
 * "nothing" when no pattern reaches the path.
 */
function grantAt(
  path: Path,
  root: Path,
  publish: readonly string[],
  subscribe: readonly string[],
): Grant | "outside" | "nothing" {
  const below = stripPrefix(root, path); // path = root/below
  const above = below === undefined ? stripPrefix(path, root) : undefined; // root = path/above
  if (below === undefined && above === undefined) return "outside";
  const move = (patterns: readonly string[]) =>
    reduce(
      patterns.flatMap((text) => {
        const p = Pattern.parse(text);
        return below !== undefined ? p.rebase(below) : [p.rooted(above!)];
      }),
    ).map(String);
  const grant: Grant = { root: path, publish: move(publish), subscribe: move(subscribe) };
  if (grant.publish.length === 0 && grant.subscribe.length === 0) return "nothing";
  return grant;
}
