import {
  createPrivateKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { importJWK, type CryptoKey, type JWK } from "jose";
import { decodeBase64url, encodeBase64url } from "./jwt-base64url.ts";

// JWK key files as moq-token writes them (RFC 7517 with moq-token's quirks): JSON, or that JSON
// base64url-encoded; `alg` is required; a missing `kty` means "oct" (older files omit it).
// We check the relay's policy here (algorithm, curve, key sizes, key_ops); jose imports the key.

/** moq-token's algorithms (it has no ES512). */
export const ALGORITHMS = [
  "HS256",
  "HS384",
  "HS512",
  "ES256",
  "ES384",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "EdDSA",
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A key ready to verify (and, if it holds private material, sign) tokens. */
export interface AuthKey {
  readonly alg: Algorithm;
  readonly kid: string | undefined;
  /** Where the key came from (a file path), for messages. */
  readonly source: string;
  /** The secret or public key as jose imported it; rejects with AuthKeyError. Undefined when `key_ops` forbids verifying. */
  readonly verifier: Promise<CryptoKey | Uint8Array> | undefined;
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
  HS256: "oct",
  HS384: "oct",
  HS512: "oct",
  ES256: "EC",
  ES384: "EC",
  RS256: "RSA",
  RS384: "RSA",
  RS512: "RSA",
  PS256: "RSA",
  PS384: "RSA",
  PS512: "RSA",
  EdDSA: "OKP",
};
// The members that make up the public (for "oct": the secret) key, and the private extras.
const PUBLIC_MEMBERS: Record<string, string[]> = {
  oct: ["k"],
  EC: ["crv", "x", "y"],
  RSA: ["n", "e"],
  OKP: ["crv", "x"],
};
const PRIVATE_MEMBERS: Record<string, string[]> = {
  oct: [],
  EC: ["d"],
  RSA: ["d", "p", "q", "dp", "dq", "qi"],
  OKP: ["d"],
};

// RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
const HMAC_MIN: Partial<Record<Algorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const CURVE: Partial<Record<Algorithm, string>> = { ES256: "P-256", ES384: "P-384", EdDSA: "Ed25519" };
const RSA_MIN_BITS = 2048;
const MAX_FILE_BYTES = 64 * 1024;

/** Read and check a JWK key file (the relay's `--auth-key FILE`), and import it. */
export async function loadAuthKey(path: string): Promise<AuthKey> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new AuthKeyError(`auth key file ${path} is not a regular file`);
    if (st.size > MAX_FILE_BYTES)
      throw new AuthKeyError(`auth key file ${path} is ${st.size} bytes; a JWK is at most ${MAX_FILE_BYTES}`);
    text = await readFile(path, "utf8");
  } catch (err) {
    if (err instanceof AuthKeyError) throw err;
    throw new AuthKeyError(`auth key file ${path} cannot be read: ${describeFsError(err)}`);
  }
  const key = parseAuthKey(text, path);
  // Fail at startup, not at the first session, when the key material itself is broken.
  await key.verifier;
  return key;
}

function describeFsError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code === "ENOENT") return "no such file";
  if (e?.code === "EACCES") return "permission denied";
  return typeof e?.message === "string" ? e.message : String(err);
}

/**
 * Parse and check a JWK (JSON or base64url-encoded JSON). `source` names it in errors. The import
 * into jose finishes later: `loadAuthKey` waits for it, verifying awaits `verifier`.
 */
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
  return authKeyFromJwk(parsed as Record<string, unknown>, source, fail);
}

function authKeyFromJwk(jwk: Record<string, unknown>, source: string, fail: (what: string) => never): AuthKey {
  const alg = jwk.alg;
  if (alg === undefined) fail(`missing "alg" (one of ${ALGORITHMS.join(", ")})`);
  if (!(ALGORITHMS as readonly unknown[]).includes(alg))
    fail(`unsupported "alg" ${JSON.stringify(alg)} (expected one of ${ALGORITHMS.join(", ")})`);
  const algorithm = alg as Algorithm;
  const kty = jwk.kty ?? "oct";
  if (kty !== KTY[algorithm])
    fail(`"kty" ${JSON.stringify(kty)} does not fit "alg" ${algorithm} (expected "${KTY[algorithm]}")`);
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

  const curve = CURVE[algorithm];
  if (curve && jwk.crv !== curve)
    fail(`"crv" ${JSON.stringify(jwk.crv)} does not fit ${algorithm} (expected "${curve}")`);
  const pick = (names: string[]): JsonWebKey => {
    const out: JsonWebKey = { kty: kty as string };
    for (const name of names) {
      if (jwk[name] === undefined) fail(`missing "${name}"`);
      if (typeof jwk[name] !== "string") fail(`"${name}" must be a base64url string`);
      out[name] = jwk[name] as string;
    }
    return out;
  };
  const decoded = (name: string): Buffer => {
    const b = decodeBase64url(jwk[name] as string);
    return typeof b === "string" ? fail(`"${name}": ${b}`) : b;
  };
  const pub = pick(PUBLIC_MEMBERS[kty as string]!);
  if (kty === "oct") {
    const min = HMAC_MIN[algorithm]!;
    const length = decoded("k").length;
    if (length < min) fail(`"k" is ${length} bytes; ${algorithm} needs at least ${min}`);
  }
  if (kty === "RSA") {
    const bits = modulusBits(decoded("n"));
    if (bits < RSA_MIN_BITS) fail(`RSA modulus is ${bits} bits; at least ${RSA_MIN_BITS} are required`);
  }

  let signer: KeyObject | undefined;
  if (canSign && kty === "oct") signer = createSecretKey(decoded("k"));
  else if (canSign && jwk.d !== undefined) {
    const priv = { ...pub, ...pick(PRIVATE_MEMBERS[kty as string]!) };
    try {
      signer = createPrivateKey({ key: priv, format: "jwk" });
    } catch (err) {
      fail(`the private key is not valid (${(err as Error).message})`);
    }
  }

  let verifier: Promise<CryptoKey | Uint8Array> | undefined;
  if (canVerify) {
    verifier = importJWK(pub as JWK, algorithm).catch((err: unknown) =>
      fail(`the ${kty === "oct" ? "secret" : "public"} key is not valid (${(err as Error).message})`),
    );
    // Parsing is synchronous: mark the import as handled so a key that only signs cannot crash the process.
    verifier.catch(() => {});
  }
  return { alg: algorithm, kid: jwk.kid as string | undefined, source, verifier, signer };
}

function modulusBits(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

/**
 * A fresh private JWK for `alg`, in moq-token's shape (for tests and a future `moqscope token`
 * command). Sizes follow moq-token: HMAC secrets as long as the hash, RSA 2048 bits. Synchronous
 * on purpose (jose only generates asynchronously), so tests can build fixtures inline.
 */
export function generateJwk(alg: Algorithm, kid?: string): Record<string, unknown> {
  const common = { alg, key_ops: ["sign", "verify"], ...(kid === undefined ? {} : { kid }) };
  const kty = KTY[alg];
  if (kty === "oct") return { kty, k: encodeBase64url(randomBytes(HMAC_MIN[alg]!)), ...common };
  let pair;
  if (kty === "EC") pair = generateKeyPairSync("ec", { namedCurve: CURVE[alg]! });
  else if (kty === "RSA") pair = generateKeyPairSync("rsa", { modulusLength: RSA_MIN_BITS });
  else pair = generateKeyPairSync("ed25519");
  return { ...pair.privateKey.export({ format: "jwk" }), ...common };
}
