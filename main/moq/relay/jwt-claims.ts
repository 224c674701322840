import { PathError, toPath, type Path } from "../model/path.ts";
import { AuthError } from "./auth-error.ts";
import { Pattern, PatternError, reduce } from "./pattern.ts";

// Token claims, read from a payload jose has already verified (signature, exp, nbf and that the
// registered times are numbers). Two shapes name what a session may do, each relative to `root`:
// - moq-auth's (moq-relay 0.17): `publish` and `subscribe`, lists of path patterns;
// - moq-token's (moq-relay 0.14): `put` (publish prefixes) and `get` (subscribe prefixes), each
//   one string or a list; prefix `p` reads as the pattern `p/**` and "" as `**`, as moq-auth does.
// A token uses one shape or the other, never both.

/** Verified claims. Times are JWT NumericDate (seconds since the epoch). */
export interface Claims {
  root: Path;
  /** Publish patterns relative to `root`, canonical and reduced. */
  publish: string[];
  /** Subscribe patterns relative to `root`, canonical and reduced. */
  subscribe: string[];
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
    publish: patterns ? patternList(body.publish, "publish") : prefixList(body.put, "put"),
    subscribe: patterns ? patternList(body.subscribe, "subscribe") : prefixList(body.get, "get"),
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

/** moq-token's prefixes (one string or a list) as subtree patterns. */
function prefixList(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  const items = typeof v === "string" ? [v] : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === "string")) {
    throw new AuthError(`token claim "${name}" must be a string or a list of strings`);
  }
  return reduce(
    items.map((x) => {
      const prefix = claimPath(x, name);
      if (prefix.includes("*"))
        throw new AuthError(`token claim "${name}" has prefix ${JSON.stringify(x)}; a prefix cannot hold "*"`);
      return Pattern.subtree(prefix);
    }),
  ).map(String);
}

/** moq-auth's pattern list (absent = none, `null` refused). */
function patternList(v: unknown, name: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new AuthError(`token claim "${name}" must be a list of path patterns`);
  }
  return reduce(
    v.map((text) => {
      claimPath(text, name); // refuses control characters
      try {
        return Pattern.parse(text);
      } catch (err) {
        if (err instanceof PatternError) throw new AuthError(`token claim "${name}": ${err.message}`);
        throw err;
      }
    }),
  ).map(String);
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
