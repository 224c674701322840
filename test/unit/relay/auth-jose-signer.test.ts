import { createPublicKey, type JsonWebKey } from "node:crypto";
import {
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
  type JWK,
  type JWTPayload,
} from "jose";
import { describe, expect, it } from "vitest";
import {
  ALGORITHMS,
  AuthError,
  parseAuthKey,
  verifyToken,
  type Algorithm,
  type AuthKey,
} from "../../../main/moq/relay/auth.ts";

// Tokens made by an independent signer, jose's own SignJWT (never our signToken), for every
// algorithm the relay accepts, checked against a relay key loaded from a jose-exported JWK.

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0); // ms
const NOW_S = NOW / 1000;
const CLAIMS = { root: "room", put: ["alice"], get: "" };

interface Pair {
  priv: JWK;
  /** The public half; for HMAC the secret itself. */
  pub: JWK;
}

const isRsa = (alg: string) => alg.startsWith("RS") || alg.startsWith("PS");

async function newPair(alg: Algorithm): Promise<Pair> {
  if (alg.startsWith("HS")) {
    const k = await exportJWK(await generateSecret(alg, { extractable: true }));
    return { priv: k, pub: k };
  }
  const { privateKey, publicKey } = await generateKeyPair(isRsa(alg) ? "RS256" : alg, { extractable: true });
  return { priv: await exportJWK(privateKey), pub: await exportJWK(publicKey) };
}

// RSA keys are slow to make: one own and one foreign pair serve all six RSA algorithms.
const pairs = new Map<string, Promise<Pair>>();
function pairFor(alg: Algorithm, which: "own" | "foreign"): Promise<Pair> {
  const id = `${isRsa(alg) ? "RSA" : alg}/${which}`;
  let pair = pairs.get(id);
  if (!pair) pairs.set(id, (pair = newPair(alg)));
  return pair;
}

/** The relay's key as `--auth-key` would load it: the public JWK (HMAC: the secret) plus `alg`. */
async function relayKeyFor(alg: Algorithm): Promise<AuthKey> {
  return parseAuthKey(JSON.stringify({ ...(await pairFor(alg, "own")).pub, alg }), `${alg}.jwk`);
}

async function sign(
  alg: string,
  priv: JWK | Uint8Array,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
  crit?: Record<string, boolean>,
): Promise<string> {
  const key = priv instanceof Uint8Array ? priv : await importJWK(priv, alg);
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT", ...header }).sign(key, crit ? { crit } : undefined);
}

async function refusal(verdict: Promise<unknown>): Promise<string> {
  const err = await verdict.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return (err as AuthError).message;
}

// A token in a neighbouring algorithm, signed with the same material where the key type allows
// it (the same HMAC secret with another hash, the same RSA key with the other padding).
const SIBLING: Record<Algorithm, Algorithm> = {
  HS256: "HS512",
  HS384: "HS256",
  HS512: "HS384",
  ES256: "ES384",
  ES384: "ES256",
  RS256: "PS256",
  RS384: "PS384",
  RS512: "PS512",
  PS256: "RS256",
  PS384: "RS384",
  PS512: "RS512",
  EdDSA: "ES256",
};

describe.each([...ALGORITHMS])("%s tokens signed by jose", (alg) => {
  it("are accepted with the right key", async () => {
    const token = await sign(alg, (await pairFor(alg, "own")).priv, {
      ...CLAIMS,
      iat: NOW_S,
      exp: NOW_S + 60,
      nbf: NOW_S,
    });
    expect(await verifyToken(token, await relayKeyFor(alg), NOW)).toEqual({
      root: "room",
      publish: ["alice/**"],
      subscribe: ["**"],
      iat: NOW_S,
      exp: NOW_S + 60,
      nbf: NOW_S,
    });
  });

  it("are refused when signed by a foreign key", async () => {
    const token = await sign(alg, (await pairFor(alg, "foreign")).priv, { ...CLAIMS, exp: NOW_S + 60 });
    expect(await refusal(verifyToken(token, await relayKeyFor(alg), NOW))).toBe("signature does not match the key");
  });

  it("are refused once expired and before nbf", async () => {
    const { priv } = await pairFor(alg, "own");
    const key = await relayKeyFor(alg);
    const expired = await sign(alg, priv, { ...CLAIMS, exp: NOW_S - 1 });
    expect(await refusal(verifyToken(expired, key, NOW))).toBe(
      `token expired at ${new Date(NOW - 1000).toISOString()}`,
    );
    const early = await sign(alg, priv, { ...CLAIMS, nbf: NOW_S + 60, exp: NOW_S + 120 });
    expect(await refusal(verifyToken(early, key, NOW))).toBe(
      `token is not valid before ${new Date(NOW + 60_000).toISOString()}`,
    );
  });

  it("are refused with an unknown critical header", async () => {
    const crit = "urn:example:must-understand";
    const token = await sign(
      alg,
      (await pairFor(alg, "own")).priv,
      { ...CLAIMS, exp: NOW_S + 60 },
      { crit: [crit], [crit]: 1 },
      { [crit]: true },
    );
    expect(await refusal(verifyToken(token, await relayKeyFor(alg), NOW))).toMatch(
      /^token header "crit" lists an extension this relay does not support .*must-understand/,
    );
  });

  it('are refused unsigned (alg "none")', async () => {
    const token = new UnsecuredJWT({ ...CLAIMS, exp: NOW_S + 60 }).encode();
    expect(await refusal(verifyToken(token, await relayKeyFor(alg), NOW))).toBe(
      `token is unsigned (alg "none"); this relay accepts only ${alg} tokens`,
    );
  });

  it("are refused in an algorithm that does not fit the key", async () => {
    const key = await relayKeyFor(alg);
    const sibling = SIBLING[alg];
    const same = (alg.startsWith("HS") && sibling.startsWith("HS")) || (isRsa(alg) && isRsa(sibling));
    const material = same ? await pairFor(alg, "own") : await pairFor(sibling, "own");
    const other = await sign(sibling, material.priv, { ...CLAIMS, exp: NOW_S + 60 });
    expect(await refusal(verifyToken(other, key, NOW))).toBe(
      `token is signed with "${sibling}" but the relay's key is ${alg}`,
    );
    if (alg.startsWith("HS")) {
      const rsa = await sign("RS256", (await pairFor("RS256", "foreign")).priv, { ...CLAIMS, exp: NOW_S + 60 });
      expect(await refusal(verifyToken(rsa, key, NOW))).toBe(
        `token is signed with "RS256" but the relay's key is ${alg}`,
      );
    }
  });

  it.skipIf(alg.startsWith("HS"))(
    "are refused as HS256 keyed with the public key's bytes (the classic confusion)",
    async () => {
      const key = await relayKeyFor(alg);
      const pub = createPublicKey({ key: (await pairFor(alg, "own")).pub as JsonWebKey, format: "jwk" });
      const encodings = [
        pub.export({ type: "spki", format: "pem" }),
        pub.export({ type: "spki", format: "der" }),
        JSON.stringify(pub.export({ format: "jwk" })),
      ];
      for (const encoding of encodings) {
        const secret = new Uint8Array(Buffer.from(encoding));
        const forged = await sign("HS256", secret, { ...CLAIMS, exp: NOW_S + 60 });
        // A real forgery: a verifier that let the token choose the algorithm would accept it.
        await expect(jwtVerify(forged, secret, { currentDate: new Date(NOW) })).resolves.toMatchObject({
          payload: CLAIMS,
        });
        expect(await refusal(verifyToken(forged, key, NOW))).toBe(
          `token is signed with "HS256" but the relay's key is ${alg}`,
        );
      }
    },
  );
});

describe("ES512 (moq-token has no P-521)", () => {
  it("is not accepted as a key or as a token", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES512", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: "ES512" };
    expect(() => parseAuthKey(JSON.stringify(jwk), "p521.jwk")).toThrow(/unsupported "alg" "ES512"/);
    const token = await new SignJWT({ ...CLAIMS }).setProtectedHeader({ alg: "ES512" }).sign(privateKey);
    expect(await refusal(verifyToken(token, await relayKeyFor("ES256"), NOW))).toBe(
      `token is signed with "ES512" but the relay's key is ES256`,
    );
  });
});
