import { constants, createHmac, sign } from "node:crypto";
import { toPath } from "../../main/moq/model/path.ts";
import { AuthError } from "../../main/moq/relay/auth-error.ts";
import { encodeBase64url } from "../../main/moq/relay/jwt-base64url.ts";
import type { AuthKey } from "../../main/moq/relay/jwt-key.ts";

// Token signing for tests, in moq-token's shape. Synchronous (jose signs only asynchronously) so
// tests can build URLs inline; the relay itself only verifies, through jose, and signs nothing.

/**
 * What signToken accepts: moq-token's claims (`put`/`get` as one string or a list) or moq-auth's
 * (`publish`/`subscribe` pattern lists, written as given).
 */
export interface ClaimsInput {
  root?: string;
  put?: string | string[];
  get?: string | string[];
  publish?: string[];
  subscribe?: string[];
  exp?: number;
  iat?: number;
  nbf?: number;
}

/** Sign claims with `key` (which must hold private or secret material). */
export function signToken(claims: ClaimsInput, key: AuthKey): string {
  if (!key.signer) throw new AuthError(`key ${key.source} cannot sign (no private part, or key_ops lacks "sign")`);
  const header: Record<string, unknown> = { alg: key.alg, typ: "JWT" };
  if (key.kid !== undefined) header.kid = key.kid;
  // Same shape moq-token writes: empty root and empty lists are left out.
  const body: Record<string, unknown> = {};
  const root = toPath(claims.root ?? "", "root claim");
  if (root !== "") body.root = root;
  const put = list(claims.put);
  const get = list(claims.get);
  if (put.length > 0) body.put = put;
  if (get.length > 0) body.get = get;
  if (claims.publish) body.publish = claims.publish;
  if (claims.subscribe) body.subscribe = claims.subscribe;
  for (const t of ["exp", "iat", "nbf"] as const) if (claims[t] !== undefined) body[t] = claims[t];
  const input = Buffer.from(
    `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(body))}`,
    "ascii",
  );
  return `${input.toString("ascii")}.${encodeBase64url(signature(key, input))}`;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((p) => toPath(p, "prefix claim"));
}

function signature({ alg, signer }: AuthKey, input: Buffer): Buffer {
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith("HS")) return createHmac(hash, signer!).update(input).digest();
  if (alg === "EdDSA") return sign(null, input, signer!);
  // JWS wants ECDSA as r||s and RSA-PSS with a salt as long as the hash.
  if (alg.startsWith("ES")) return sign(hash, input, { key: signer!, dsaEncoding: "ieee-p1363" });
  if (alg.startsWith("PS"))
    return sign(hash, input, {
      key: signer!,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  return sign(hash, input, signer!);
}
