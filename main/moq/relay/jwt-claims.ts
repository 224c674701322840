import { PathError, toPath, type Path } from "../model/path.ts";
import { AuthError } from "./auth-error.ts";
import { patternPrefix, unsupportedPattern } from "./prefix-pattern.ts";

// Token claims, read from a payload jose has already verified (signature, exp, nbf and that the
// registered times are numbers). Two shapes name what a session may do, each relative to `root`:
// - moq-token's (moq-relay 0.14): `put` (publish prefixes) and `get` (subscribe prefixes), each
//   one string or a list;
// - moq-auth's (moq-relay 0.17): `publish` and `subscribe`, lists of path patterns. This relay
//   grants by prefix, so it takes the patterns that are prefixes — `**` (everything) and
//   `a/b/**` (a/b and below), which is also how moq-auth reads `put`/`get` — and refuses others
//   by name rather than widen or narrow them.
// A token uses one shape or the other, never both.

/** Verified claims, paths normalised. Times are JWT NumericDate (seconds since the epoch). */
export interface Claims {
  root: Path;
  /** Publish prefixes relative to `root`; "" is everything under it. */
  put: Path[];
  /** Subscribe prefixes relative to `root`; "" is everything under it. */
  get: Path[];
  exp?: number;
  iat?: number;
  nbf?: number;
  /** moq-token's deprecated cluster-node flag: read, never acted on. */
  cluster?: boolean;
}

// Registered claims we read and ignore. Anything else is refused: a claim we do not understand
// (`aud`, a typo) might have been meant to narrow the grant.
const IGNORED_CLAIMS = ["iss", "sub", "jti"];
const KNOWN_CLAIMS = new Set([
  "root",
  "put",
  "get",
  "publish",
  "subscribe",
  "exp",
  "iat",
  "nbf",
  "cluster",
  ...IGNORED_CLAIMS,
]);

export function readClaims(body: Record<string, unknown>): Claims {
  const unknown = Object.keys(body).filter((k) => !KNOWN_CLAIMS.has(k));
  if (unknown.length > 0) {
    throw new AuthError(
      `token has unsupported claim${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  }
  const root = body.root ?? "";
  if (typeof root !== "string") throw new AuthError('token claim "root" must be a string');
  const legacy = "put" in body || "get" in body;
  const patterns = "publish" in body || "subscribe" in body;
  if (legacy && patterns)
    throw new AuthError("token mixes put/get with publish/subscribe claims; use one shape or the other");
  const claims: Claims = {
    root: claimPath(root, "root"),
    put: patterns ? patternPrefixes(body.publish, "publish") : prefixes(body.put, "put"),
    get: patterns ? patternPrefixes(body.subscribe, "subscribe") : prefixes(body.get, "get"),
  };
  for (const t of ["exp", "iat", "nbf"] as const) {
    const v = body[t];
    if (typeof v === "number") claims[t] = v;
  }
  if (body.cluster !== undefined) {
    if (typeof body.cluster !== "boolean") throw new AuthError('token claim "cluster" must be true or false');
    claims.cluster = body.cluster;
  }
  return claims;
}

function prefixes(v: unknown, name: string): Path[] {
  if (v === undefined || v === null) return [];
  const items = typeof v === "string" ? [v] : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === "string")) {
    throw new AuthError(`token claim "${name}" must be a string or a list of strings`);
  }
  return items.map((x) => claimPath(x, name));
}

/** moq-auth's pattern list (absent = none, `null` refused), as prefixes. */
function patternPrefixes(v: unknown, name: string): Path[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new AuthError(`token claim "${name}" must be a list of path patterns`);
  }
  return v.map((pattern) => prefixOfPattern(pattern, name));
}

/** A pattern as the prefix it stands for; any other pattern refuses the token, saying why. */
function prefixOfPattern(pattern: string, name: string): Path {
  const head = patternPrefix(pattern);
  if (head === undefined) throw new AuthError(`token claim "${name}" has ${unsupportedPattern(pattern)}`);
  return claimPath(head, name);
}

/** A claim's path; a control character refuses the token. */
function claimPath(s: string, name: string): Path {
  try {
    return toPath(s, `token claim "${name}"`);
  } catch (err) {
    if (err instanceof PathError) throw new AuthError(err.message);
    throw err;
  }
}
