import { constants, createHmac, sign as cryptoSign, timingSafeEqual, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { ErrorCode, MoqError } from "../errors.ts";
import { normalizePath } from "../wire/path.ts";
import { decodeBase64url, encodeBase64url } from "./jwt-base64url.ts";
import type { Algorithm, AuthKey } from "./jwt-key.ts";

// Compact JWS (RFC 7515) with moq-token's claims: `root`, `put` (publish prefixes), `get`
// (subscribe prefixes), each relative to `root`; `put`/`get` may be one string or a list.

/** Largest token we look at; real ones are a few hundred bytes. */
export const MAX_TOKEN_BYTES = 8 * 1024;

/** A session or token refused; the message says what to fix. Closes with code 6 Unauthorized. */
export class AuthError extends MoqError {
  constructor(message: string) {
    super(ErrorCode.Unauthorized, message);
    this.name = "AuthError";
  }
}

/** Verified claims, paths normalised. Times are JWT NumericDate (seconds since the epoch). */
export interface Claims {
  root: string;
  /** Publish prefixes relative to `root`; "" is everything under it. */
  put: string[];
  /** Subscribe prefixes relative to `root`; "" is everything under it. */
  get: string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  /** moq-token's deprecated cluster-node flag: read, never acted on. */
  cluster?: boolean;
}

/** What signToken accepts: like Claims, with `put`/`get` as one string or a list. */
export interface ClaimsInput {
  root?: string;
  put?: string | string[];
  get?: string | string[];
  exp?: number;
  iat?: number;
  nbf?: number;
}

// Registered claims we read and ignore. Anything else is refused: a claim we do not understand
// (e.g. the newer pattern claims `publish`/`subscribe`, or `aud`) might have been meant to narrow
// the grant.
const IGNORED_CLAIMS = new Set(["iss", "sub", "jti"]);
const KNOWN_CLAIMS = new Set(["root", "put", "get", "exp", "iat", "nbf", "cluster", ...IGNORED_CLAIMS]);

const HASH: Record<Algorithm, string | null> = {
  HS256: "sha256", HS384: "sha384", HS512: "sha512",
  ES256: "sha256", ES384: "sha384",
  RS256: "sha256", RS384: "sha384", RS512: "sha512",
  PS256: "sha256", PS384: "sha384", PS512: "sha512",
  EdDSA: null,
};
// ECDSA signatures in a JWS are r||s, each the curve's size.
const ES_SIG_BYTES: Partial<Record<Algorithm, number>> = { ES256: 64, ES384: 96 };

/**
 * Check a compact JWT against `key` and return its claims. `now` is milliseconds since the epoch.
 * Throws AuthError.
 */
export function verifyToken(token: string, key: AuthKey, now: number = Date.now()): Claims {
  if (typeof token !== "string") throw new AuthError("token is not a string");
  if (token.length > MAX_TOKEN_BYTES) throw new AuthError(`token is ${token.length} bytes; the limit is ${MAX_TOKEN_BYTES}`);
  const parts = token.split(".");
  if (parts.length !== 3) throw new AuthError("token is not a JWT (expected three base64url parts separated by '.')");
  const [h, p, s] = parts as [string, string, string];

  const header = decodeJson(h, "header");
  // Structure first, so a malformed token gets a precise message; the claims are only trusted after the signature.
  const body = decodeJson(p, "payload");
  const alg = header.alg;
  if (alg === undefined) throw new AuthError('token header has no "alg"');
  if (typeof alg === "string" && alg.toLowerCase() === "none") {
    throw new AuthError(`token is unsigned (alg "none"); this relay accepts only ${key.alg} tokens`);
  }
  if (alg !== key.alg) throw new AuthError(`token is signed with ${JSON.stringify(alg)} but the relay's key is ${key.alg}`);
  if (header.crit !== undefined) throw new AuthError('token header has "crit" extensions, which this relay does not support');
  if (header.kid !== undefined && key.kid !== undefined && header.kid !== key.kid) {
    throw new AuthError(`token key id ${JSON.stringify(header.kid)} does not match the relay's key ${JSON.stringify(key.kid)}`);
  }
  if (!key.verifier) throw new AuthError(`the relay's key (${key.source}) does not allow "verify" in its key_ops`);
  if (s === "") throw new AuthError("token has no signature");
  const sig = decodeBase64url(s);
  if (typeof sig === "string") throw new AuthError(`token signature is not base64url: ${sig}`);
  if (!checkSignature(key.alg, key.verifier, Buffer.from(`${h}.${p}`, "ascii"), sig)) {
    throw new AuthError("signature does not match the key");
  }

  const claims = readClaims(body);
  const seconds = now / 1000;
  if (claims.exp !== undefined && seconds >= claims.exp) throw new AuthError(`token expired at ${isoTime(claims.exp)}`);
  if (claims.nbf !== undefined && seconds < claims.nbf) throw new AuthError(`token is not valid before ${isoTime(claims.nbf)}`);
  return claims;
}

/** Sign claims with `key` (which must hold private or secret material). */
export function signToken(claims: ClaimsInput, key: AuthKey): string {
  if (!key.signer) throw new AuthError(`key ${key.source} cannot sign (no private part, or key_ops lacks "sign")`);
  const header: Record<string, unknown> = { alg: key.alg, typ: "JWT" };
  if (key.kid !== undefined) header.kid = key.kid;
  // Same shape moq-token writes: empty root and empty lists are left out.
  const body: Record<string, unknown> = {};
  const root = normalizePath(claims.root ?? "");
  if (root !== "") body.root = root;
  const put = list(claims.put);
  const get = list(claims.get);
  if (put.length > 0) body.put = put;
  if (get.length > 0) body.get = get;
  for (const t of ["exp", "iat", "nbf"] as const) if (claims[t] !== undefined) body[t] = claims[t];
  const input = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(body))}`;
  const sig = makeSignature(key.alg, key.signer, Buffer.from(input, "ascii"));
  return `${input}.${encodeBase64url(sig)}`;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(normalizePath);
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (part === "") throw new AuthError(`token ${what} is empty`);
  const bytes = decodeBase64url(part);
  if (typeof bytes === "string") throw new AuthError(`token ${what} is not base64url: ${bytes}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new AuthError(`token ${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new AuthError(`token ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function readClaims(body: Record<string, unknown>): Claims {
  const unknown = Object.keys(body).filter((k) => !KNOWN_CLAIMS.has(k));
  if (unknown.length > 0) {
    const hint = unknown.some((k) => k === "publish" || k === "subscribe") ? " (pattern claims are not supported; sign with put/get prefixes)" : "";
    throw new AuthError(`token has unsupported claim${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}${hint}`);
  }
  const root = body.root ?? "";
  if (typeof root !== "string") throw new AuthError('token claim "root" must be a string');
  const claims: Claims = { root: normalizePath(root), put: prefixes(body.put, "put"), get: prefixes(body.get, "get") };
  for (const t of ["exp", "iat", "nbf"] as const) {
    const v = body[t];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new AuthError(`token claim "${t}" must be a number of seconds since 1970`);
    claims[t] = v;
  }
  if (body.cluster !== undefined) {
    if (typeof body.cluster !== "boolean") throw new AuthError('token claim "cluster" must be true or false');
    claims.cluster = body.cluster;
  }
  return claims;
}

function prefixes(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  const items = typeof v === "string" ? [v] : v;
  if (!Array.isArray(items) || !items.every((x) => typeof x === "string")) {
    throw new AuthError(`token claim "${name}" must be a string or a list of strings`);
  }
  if (items.some((x) => /[\u0000-\u001f\u007f]/.test(x))) throw new AuthError(`token claim "${name}" contains a control character`);
  return items.map(normalizePath);
}

/** A NumericDate as ISO 8601, or the raw number when it is out of range for Date. */
export function isoTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? `${seconds}` : d.toISOString();
}

function rsaPadding(alg: Algorithm): { padding: number; saltLength?: number } {
  return alg.startsWith("PS")
    ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : { padding: constants.RSA_PKCS1_PADDING };
}

function checkSignature(alg: Algorithm, key: KeyObject, input: Buffer, sig: Buffer): boolean {
  const hash = HASH[alg];
  try {
    if (alg.startsWith("HS")) {
      const mac = createHmac(hash!, key).update(input).digest();
      return mac.length === sig.length && timingSafeEqual(mac, sig);
    }
    if (alg.startsWith("ES")) {
      if (sig.length !== ES_SIG_BYTES[alg]) return false;
      return cryptoVerify(hash, input, { key, dsaEncoding: "ieee-p1363" }, sig);
    }
    if (alg === "EdDSA") return cryptoVerify(null, input, key, sig);
    return cryptoVerify(hash, input, { key, ...rsaPadding(alg) }, sig);
  } catch {
    // Malformed signatures make OpenSSL throw rather than return false.
    return false;
  }
}

function makeSignature(alg: Algorithm, key: KeyObject, input: Buffer): Buffer {
  const hash = HASH[alg];
  if (alg.startsWith("HS")) return createHmac(hash!, key).update(input).digest();
  if (alg.startsWith("ES")) return cryptoSign(hash, input, { key, dsaEncoding: "ieee-p1363" });
  if (alg === "EdDSA") return cryptoSign(null, input, key);
  return cryptoSign(hash, input, { key, ...rsaPadding(alg) });
}
