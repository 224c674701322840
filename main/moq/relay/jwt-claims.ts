import { PathError, toPath, type Path } from "../model/path.ts";
import { AuthError } from "./auth-error.ts";

// moq-token's claims, read from a payload jose has already verified (signature, exp, nbf and
// that the registered times are numbers): `root`, `put` (publish prefixes) and `get` (subscribe
// prefixes), each relative to `root`; `put`/`get` may be one string or a list.

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
// (e.g. the newer pattern claims `publish`/`subscribe`, or `aud`) might have been meant to narrow
// the grant.
const IGNORED_CLAIMS = ["iss", "sub", "jti"];
const KNOWN_CLAIMS = new Set(["root", "put", "get", "exp", "iat", "nbf", "cluster", ...IGNORED_CLAIMS]);

export function readClaims(body: Record<string, unknown>): Claims {
  const unknown = Object.keys(body).filter((k) => !KNOWN_CLAIMS.has(k));
  if (unknown.length > 0) {
    const hint = unknown.some((k) => k === "publish" || k === "subscribe")
      ? " (pattern claims are not supported; sign with put/get prefixes)"
      : "";
    throw new AuthError(
      `token has unsupported claim${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}${hint}`,
    );
  }
  const root = body.root ?? "";
  if (typeof root !== "string") throw new AuthError('token claim "root" must be a string');
  const claims: Claims = {
    root: claimPath(root, "root"),
    put: prefixes(body.put, "put"),
    get: prefixes(body.get, "get"),
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

/** A claim's path; a control character refuses the token. */
function claimPath(s: string, name: string): Path {
  try {
    return toPath(s, `token claim "${name}"`);
  } catch (err) {
    if (err instanceof PathError) throw new AuthError(err.message);
    throw err;
  }
}
