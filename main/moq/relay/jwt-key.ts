import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { decodeBase64url, encodeBase64url } from "./jwt-base64url.ts";

// JWK key files as moq-token writes them (RFC 7517 with moq-token's quirks): JSON, or that JSON
// base64url-encoded; `alg` is required; a missing `kty` means "oct" (older files omit it).

export const ALGORITHMS = ["HS256", "HS384", "HS512", "ES256", "ES384", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A key ready to verify (and, if it holds private material, sign) tokens. */
export interface AuthKey {
  readonly alg: Algorithm;
  readonly kid: string | undefined;
  /** Where the key came from (a file path), for messages. */
  readonly source: string;
  /** Secret or public key; undefined when `key_ops` forbids verifying. */
  readonly verifier: KeyObject | undefined;
  /** Secret or private key; undefined for a public-only key or when `key_ops` forbids signing. */
  readonly signer: KeyObject | undefined;
}

/** A key file that cannot be used; the message names the file and what is wrong. */
export class AuthKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthKeyError";
  }
}

const KTY: Record<Algorithm, string> = {
  HS256: "oct", HS384: "oct", HS512: "oct",
  ES256: "EC", ES384: "EC",
  RS256: "RSA", RS384: "RSA", RS512: "RSA", PS256: "RSA", PS384: "RSA", PS512: "RSA",
  EdDSA: "OKP",
};

// RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
const HMAC_MIN: Partial<Record<Algorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const EC_CURVE: Partial<Record<Algorithm, { crv: string; size: number }>> = {
  ES256: { crv: "P-256", size: 32 },
  ES384: { crv: "P-384", size: 48 },
};
const RSA_MIN_BITS = 2048;
const MAX_FILE_BYTES = 64 * 1024;

export function isAlgorithm(s: unknown): s is Algorithm {
  return typeof s === "string" && (ALGORITHMS as readonly string[]).includes(s);
}

/** Read and check a JWK key file (the relay's `--auth-key FILE`). */
export async function loadAuthKey(path: string): Promise<AuthKey> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new AuthKeyError(`auth key file ${path} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof AuthKeyError) throw err;
    throw new AuthKeyError(`auth key file ${path} cannot be read: ${describeFsError(err)}`);
  }
  if (size > MAX_FILE_BYTES) throw new AuthKeyError(`auth key file ${path} is ${size} bytes; a JWK is at most ${MAX_FILE_BYTES}`);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new AuthKeyError(`auth key file ${path} cannot be read: ${describeFsError(err)}`);
  }
  return parseAuthKey(text, path);
}

function describeFsError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code === "ENOENT") return "no such file";
  if (e?.code === "EACCES") return "permission denied";
  return typeof e?.message === "string" ? e.message : String(err);
}

/** Parse a JWK (JSON or base64url-encoded JSON). `source` names it in errors. */
export function parseAuthKey(text: string, source = "auth key"): AuthKey {
  const fail = (what: string): never => {
    throw new AuthKeyError(`auth key file ${source}: ${what}`);
  };
  const trimmed = text.trim();
  if (trimmed === "") fail("the file is empty (expected a JWK JSON object)");
  let json = trimmed;
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
    const bytes = decodeBase64url(trimmed);
    if (typeof bytes === "string") fail(`not JSON and not base64url-encoded JSON (${bytes})`);
    json = (bytes as Buffer).toString("utf8");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    fail(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("expected a JWK JSON object");
  return authKeyFromJwk(parsed as Record<string, unknown>, source);
}

/** Check a parsed JWK and build the key objects. */
export function authKeyFromJwk(jwk: Record<string, unknown>, source = "auth key"): AuthKey {
  const fail = (what: string): never => {
    throw new AuthKeyError(`auth key file ${source}: ${what}`);
  };
  const alg = jwk.alg;
  if (alg === undefined) fail(`missing "alg" (one of ${ALGORITHMS.join(", ")})`);
  if (!isAlgorithm(alg)) fail(`unsupported "alg" ${JSON.stringify(alg)} (expected one of ${ALGORITHMS.join(", ")})`);
  const algorithm = alg as Algorithm;
  const kty = jwk.kty ?? "oct";
  if (kty !== KTY[algorithm]) fail(`"kty" ${JSON.stringify(kty)} does not fit "alg" ${algorithm} (expected "${KTY[algorithm]}")`);
  if (jwk.kid !== undefined && typeof jwk.kid !== "string") fail(`"kid" must be a string`);
  // A scope narrows what the key may sign; ignoring it would widen grants, so refuse instead.
  if (jwk.scope !== undefined) fail(`"scope" (scoped keys) is not supported by this relay; use an unscoped key`);

  let canSign = true;
  let canVerify = true;
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops;
    if (!Array.isArray(ops) || !ops.every((o) => typeof o === "string")) fail(`"key_ops" must be an array of strings`);
    canSign = (ops as string[]).includes("sign");
    canVerify = (ops as string[]).includes("verify");
    if (!canSign && !canVerify) fail(`"key_ops" allows neither "sign" nor "verify"`);
  }

  const bytes = (name: string, required: boolean): Buffer | undefined => {
    const v = jwk[name];
    if (v === undefined) {
      if (required) fail(`missing "${name}"`);
      return undefined;
    }
    if (typeof v !== "string") fail(`"${name}" must be a base64url string`);
    const b = decodeBase64url(v as string);
    if (typeof b === "string") fail(`"${name}": ${b}`);
    return b as Buffer;
  };

  let verifier: KeyObject | undefined;
  let signer: KeyObject | undefined;
  const build = (make: () => KeyObject, what: string): KeyObject => {
    try {
      return make();
    } catch (err) {
      return fail(`${what} is not valid (${(err as Error).message})`);
    }
  };

  if (kty === "oct") {
    const k = bytes("k", true) as Buffer;
    const min = HMAC_MIN[algorithm] ?? 32;
    if (k.length < min) fail(`"k" is ${k.length} bytes; ${algorithm} needs at least ${min}`);
    const secret = createSecretKey(k);
    verifier = secret;
    signer = secret;
  } else if (kty === "EC") {
    const curve = EC_CURVE[algorithm]!;
    if (jwk.crv !== curve.crv) fail(`"crv" ${JSON.stringify(jwk.crv)} does not fit ${algorithm} (expected "${curve.crv}")`);
    const x = bytes("x", true) as Buffer;
    const y = bytes("y", true) as Buffer;
    const d = bytes("d", false);
    if (x.length !== curve.size || y.length !== curve.size) fail(`"x" and "y" must be ${curve.size} bytes each for ${curve.crv}`);
    if (d && d.length !== curve.size) fail(`"d" must be ${curve.size} bytes for ${curve.crv}`);
    const pub: JsonWebKey = { kty: "EC", crv: curve.crv, x: jwk.x as string, y: jwk.y as string };
    verifier = build(() => createPublicKey({ key: pub, format: "jwk" }), "the public point");
    if (d) signer = build(() => createPrivateKey({ key: { ...pub, d: jwk.d as string }, format: "jwk" }), "the private key");
  } else if (kty === "RSA") {
    const n = bytes("n", true) as Buffer;
    bytes("e", true);
    const bits = modulusBits(n);
    if (bits < RSA_MIN_BITS) fail(`RSA modulus is ${bits} bits; at least ${RSA_MIN_BITS} are required`);
    const pub: JsonWebKey = { kty: "RSA", n: jwk.n as string, e: jwk.e as string };
    verifier = build(() => createPublicKey({ key: pub, format: "jwk" }), "the RSA public key");
    if (jwk.d !== undefined) {
      const priv: JsonWebKey = { ...pub };
      for (const name of ["d", "p", "q", "dp", "dq", "qi"] as const) {
        bytes(name, true);
        priv[name] = jwk[name] as string;
      }
      signer = build(() => createPrivateKey({ key: priv, format: "jwk" }), "the RSA private key");
    }
  } else {
    if (jwk.crv !== "Ed25519") fail(`"crv" ${JSON.stringify(jwk.crv)} is not supported for EdDSA (expected "Ed25519")`);
    const x = bytes("x", true) as Buffer;
    const d = bytes("d", false);
    if (x.length !== 32 || (d && d.length !== 32)) fail(`Ed25519 "x" and "d" must be 32 bytes`);
    const pub: JsonWebKey = { kty: "OKP", crv: "Ed25519", x: jwk.x as string };
    verifier = build(() => createPublicKey({ key: pub, format: "jwk" }), "the Ed25519 public key");
    if (d) signer = build(() => createPrivateKey({ key: { ...pub, d: jwk.d as string }, format: "jwk" }), "the Ed25519 private key");
  }

  return {
    alg: algorithm,
    kid: jwk.kid as string | undefined,
    source,
    verifier: canVerify ? verifier : undefined,
    signer: canSign ? signer : undefined,
  };
}

function modulusBits(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

/**
 * A fresh private JWK for `alg`, in moq-token's shape (for tests and a future `moqscope token`
 * command). Sizes follow moq-token: HMAC secrets as long as the hash, RSA 2048 bits.
 */
export function generateJwk(alg: Algorithm, kid?: string): Record<string, unknown> {
  const common = { alg, key_ops: ["sign", "verify"], ...(kid === undefined ? {} : { kid }) };
  const kty = KTY[alg];
  if (kty === "oct") return { kty, k: encodeBase64url(randomBytes(HMAC_MIN[alg]!)), ...common };
  let pair;
  if (kty === "EC") pair = generateKeyPairSync("ec", { namedCurve: EC_CURVE[alg]!.crv });
  else if (kty === "RSA") pair = generateKeyPairSync("rsa", { modulusLength: RSA_MIN_BITS });
  else pair = generateKeyPairSync("ed25519");
  return { ...pair.privateKey.export({ format: "jwk" }), ...common };
}

/** The public half of a private JWK (drops private members), for a relay that only verifies. */
export function publicJwk(jwk: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(jwk)) {
    if (["d", "p", "q", "dp", "dq", "qi", "oth"].includes(k)) continue;
    out[k] = v;
  }
  if (out.kty === "oct") throw new AuthKeyError("an HMAC (oct) key has no public half");
  out.key_ops = ["verify"];
  return out;
}
