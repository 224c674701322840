import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { AuthError } from "./auth-error.ts";
import { decodeBase64url } from "./jwt-base64url.ts";
import { readClaims, type Claims } from "./jwt-claims.ts";
import type { AuthKey } from "./jwt-key.ts";

// Verifying a moq-token JWT: jose checks the signature, the algorithm, "crit", exp and nbf; we add
// a size limit, one spelling per token, the key id, messages that say what to fix, and the claims.

/** Largest token we look at; real ones are a few hundred bytes. */
export const MAX_TOKEN_BYTES = 8 * 1024;

type Header = ProtectedHeaderParameters | undefined;

/**
 * Check a compact JWT against `key` and return its claims. `now` is milliseconds since the epoch.
 * Rejects with AuthError (with AuthKeyError when the relay's own key cannot be imported).
 */
export async function verifyToken(token: string, key: AuthKey, now: number = Date.now()): Promise<Claims> {
  if (typeof token !== "string") throw new AuthError("token is not a string");
  if (token.length > MAX_TOKEN_BYTES)
    throw new AuthError(`token is ${token.length} bytes; the limit is ${MAX_TOKEN_BYTES}`);
  checkSpelling(token);
  if (!key.verifier) throw new AuthError(`the relay's key (${key.source}) does not allow "verify" in its key_ops`);
  const header = peekHeader(token);
  if (header?.kid !== undefined && key.kid !== undefined && header.kid !== key.kid) {
    throw new AuthError(
      `token key id ${JSON.stringify(header.kid)} does not match the relay's key ${JSON.stringify(key.kid)}`,
    );
  }
  const verifier = await key.verifier;
  let payload: JWTPayload;
  try {
    // Only the key's own algorithm: never "none", never HS* keyed with a public key. No clock
    // tolerance: a token is expired from its `exp` second on.
    ({ payload } = await jwtVerify(token, verifier, { algorithms: [key.alg], currentDate: new Date(now) }));
  } catch (err) {
    throw explain(err, header, token, key);
  }
  return readClaims(payload);
}

/** jose decodes base64url leniently (padding, whitespace, stray bits): accept one spelling per token. */
function checkSpelling(token: string): void {
  const parts = token.split(".");
  if (parts.length !== 3) throw new AuthError("token is not a JWT (expected three base64url parts separated by '.')");
  ["header", "payload", "signature"].forEach((name, i) => {
    const part = parts[i]!;
    if (part === "" && name !== "signature") throw new AuthError(`token ${name} is empty`);
    const bytes = decodeBase64url(part);
    if (typeof bytes === "string") throw new AuthError(`token ${name} is not base64url: ${bytes}`);
  });
}

/** The header before verification, for messages and the key id only. */
function peekHeader(token: string): Header {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

/** jose's refusal as a message that says what to fix; anything but a JOSE error passes through. */
function explain(err: unknown, header: Header, token: string, key: AuthKey): unknown {
  if (!(err instanceof errors.JOSEError)) return err;
  const alg = header?.alg;
  if (err instanceof errors.JOSEAlgNotAllowed) {
    if (typeof alg === "string" && alg.toLowerCase() === "none")
      return new AuthError(`token is unsigned (alg "none"); this relay accepts only ${key.alg} tokens`);
    return new AuthError(`token is signed with ${JSON.stringify(alg)} but the relay's key is ${key.alg}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError(token.endsWith(".") ? "token has no signature" : "signature does not match the key");
  }
  if (err instanceof errors.JWTExpired) return new AuthError(`token expired at ${isoTime(err.payload.exp!)}`);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === "invalid")
      return new AuthError(`token claim "${err.claim}" must be a number of seconds since 1970`);
    if (err.claim === "nbf") return new AuthError(`token is not valid before ${isoTime(err.payload.nbf!)}`);
  }
  if (
    header?.crit !== undefined &&
    (err instanceof errors.JOSENotSupported || /crit|Extension Header/.test(err.message))
  ) {
    return new AuthError(`token header "crit" lists an extension this relay does not support (${err.message})`);
  }
  if (err instanceof errors.JWSInvalid) {
    if (header === undefined) return new AuthError("token header is not a JSON object");
    if (typeof alg !== "string" || alg === "")
      return new AuthError(
        alg === undefined ? 'token header has no "alg"' : 'token header "alg" must be an algorithm name',
      );
  }
  if (err instanceof errors.JWTInvalid && err.message.includes("Claims Set"))
    return new AuthError("token payload is not a JSON object");
  return new AuthError(`token is not a valid JWT (${err.message})`);
}

/** A NumericDate as ISO 8601, or the raw number when it is out of range for Date. */
function isoTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? `${seconds}` : d.toISOString();
}
