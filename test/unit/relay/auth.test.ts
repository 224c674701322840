import { signToken } from "../../helpers/jwt-sign.ts";
import { createHmac, createPublicKey, webcrypto, type JsonWebKey } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import {
  ALGORITHMS,
  AuthError,
  AuthKeyError,
  authorize,
  generateJwk,
  loadAuthKey,
  MAX_TOKEN_BYTES,
  parseAuthKey,
  verifyToken,
  type Algorithm,
  type AuthKey,
} from "../../../main/moq/relay/auth.ts";
import type { Grant } from "../../../main/moq/relay/grant.ts";

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0); // ms
const NOW_S = NOW / 1000;
const b64 = (s: string) => Buffer.from(s).toString("base64url");

// RSA generation is slow: make one pair and reuse it for every RS*/PS* algorithm.
const jwks = new Map<Algorithm, Record<string, unknown>>();
function jwkFor(alg: Algorithm): Record<string, unknown> {
  let jwk = jwks.get(alg);
  if (!jwk) {
    const rsa = alg.startsWith("RS") || alg.startsWith("PS");
    const base = rsa ? [...jwks.entries()].find(([a]) => a.startsWith("RS") || a.startsWith("PS"))?.[1] : undefined;
    jwk = base ? { ...base, alg } : generateJwk(alg);
    jwks.set(alg, jwk);
  }
  return jwk;
}
const keyFor = (alg: Algorithm) => parseAuthKey(JSON.stringify(jwkFor(alg)), `${alg}.jwk`);

/** The public half of a private JWK, exported by node:crypto (not by the code under test). */
function publicOf(jwk: Record<string, unknown>): Record<string, unknown> {
  return { ...createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }).export({ format: "jwk" }), alg: jwk.alg };
}

async function refusal(verdict: Promise<unknown>): Promise<AuthError> {
  const err = await verdict.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe("sign/verify round trips", () => {
  it.each([...ALGORITHMS])("%s: private key signs, key and its public half verify", async (alg) => {
    const key = keyFor(alg);
    const token = signToken({ root: "/room/1/", put: "alice", get: ["", "bob"], exp: NOW_S + 60, iat: NOW_S }, key);
    const claims = await verifyToken(token, key, NOW);
    expect(claims).toEqual({
      root: "room/1",
      publish: ["alice/**"],
      subscribe: ["**"],
      exp: NOW_S + 60,
      iat: NOW_S,
    });
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString());
    expect(header).toEqual({ alg, typ: "JWT" });
    if (!alg.startsWith("HS")) {
      const pub = parseAuthKey(JSON.stringify(publicOf(jwkFor(alg))), "public.jwk");
      expect(pub.signer).toBeUndefined();
      expect((await verifyToken(token, pub, NOW)).root).toBe("room/1");
      expect(() => signToken({ put: "" }, pub)).toThrow(/cannot sign/);
    }
    // Another key of the same algorithm must not verify it.
    const other = parseAuthKey(
      JSON.stringify(
        alg.startsWith("RS") || alg.startsWith("PS") ? { ...generateJwk("ES256"), alg: "ES256" } : generateJwk(alg),
      ),
      "other",
    );
    if (other.alg === alg)
      expect((await refusal(verifyToken(token, other, NOW))).message).toBe("signature does not match the key");
  });

  it("verifies the RFC 7515 A.1 HS256 example (an independent signer)", async () => {
    const key = parseAuthKey(
      JSON.stringify({
        kty: "oct",
        alg: "HS256",
        k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
      }),
    );
    const token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    // Checked before its exp (2011): the signature checks out, then its private claim is refused.
    const before = (1300819380 - 60) * 1000;
    expect((await refusal(verifyToken(token, key, before))).message).toMatch(
      /unsupported claim "http:\/\/example.com\/is_root"/,
    );
    expect((await refusal(verifyToken(token, key, NOW))).message).toBe("token expired at 2011-03-22T18:43:00.000Z");
    const flipped = token.replace(".dBjf", ".eBjf");
    expect((await refusal(verifyToken(flipped, key, before))).message).toBe("signature does not match the key");
  });

  it.each(["ES256", "RS256", "PS256", "HS512"] as const)("%s signatures verify with WebCrypto", async (alg) => {
    const jwk = jwkFor(alg);
    const token = signToken({ root: "x", get: "" }, keyFor(alg));
    const [h, p, s] = token.split(".") as [string, string, string];
    const data = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s, "base64url");
    const subtle = webcrypto.subtle;
    let ok: boolean;
    if (alg === "ES256") {
      const k = await subtle.importKey(
        "jwk",
        publicOf(jwk) as webcrypto.JsonWebKey,
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      ok = await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, k, sig, data);
    } else if (alg === "RS256") {
      const k = await subtle.importKey(
        "jwk",
        { ...publicOf(jwk), key_ops: undefined } as webcrypto.JsonWebKey,
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        false,
        ["verify"],
      );
      ok = await subtle.verify("RSASSA-PKCS1-v1_5", k, sig, data);
    } else if (alg === "PS256") {
      const k = await subtle.importKey(
        "jwk",
        { ...publicOf(jwk), key_ops: undefined } as webcrypto.JsonWebKey,
        { name: "RSA-PSS", hash: "SHA-256" },
        false,
        ["verify"],
      );
      ok = await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, k, sig, data);
    } else {
      const raw = Buffer.from(jwk.k as string, "base64url");
      const k = await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-512" }, false, ["verify"]);
      ok = await subtle.verify("HMAC", k, sig, data);
    }
    expect(ok).toBe(true);
  });

  it("accepts put/get as a single string and tolerates iss/sub/jti and cluster", async () => {
    const key = keyFor("HS256");
    const token = craft(
      key,
      { alg: "HS256" },
      { root: "a", put: "b", get: "c", iss: "me", sub: "x", jti: "1", cluster: false },
    );
    expect(await verifyToken(token, key, NOW)).toEqual({
      root: "a",
      publish: ["b/**"],
      subscribe: ["c/**"],
      cluster: false,
    });
  });
});

/** A token with an arbitrary header and payload, HMAC-signed with `key`. */
function craft(key: AuthKey, header: unknown, payload: unknown): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const alg = (header as { alg?: string }).alg ?? "HS256";
  const hash = alg === "HS384" ? "sha384" : alg === "HS512" ? "sha512" : "sha256";
  return `${input}.${createHmac(hash, key.signer!.export()).update(input).digest("base64url")}`;
}

describe("tampering and malformed tokens", () => {
  const key = keyFor("HS256");
  const good = signToken({ root: "r", put: "", get: "", exp: NOW_S + 10 }, key);
  const [h, p, s] = good.split(".") as [string, string, string];

  it("refuses a changed payload, header or signature", async () => {
    const payload = b64(JSON.stringify({ root: "", put: "", get: "", exp: NOW_S + 10 }));
    expect((await refusal(verifyToken(`${h}.${payload}.${s}`, key, NOW))).message).toBe(
      "signature does not match the key",
    );
    const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT", x: 1 }));
    expect((await refusal(verifyToken(`${header}.${p}.${s}`, key, NOW))).message).toBe(
      "signature does not match the key",
    );
    const sig = Buffer.from(s, "base64url");
    sig[0]! ^= 1;
    expect((await refusal(verifyToken(`${h}.${p}.${sig.toString("base64url")}`, key, NOW))).message).toBe(
      "signature does not match the key",
    );
    expect((await refusal(verifyToken(`${h}.${p}.${s.slice(0, 40)}`, key, NOW))).message).toBe(
      "signature does not match the key",
    );
    expect((await refusal(verifyToken(`${h}.${p}.`, key, NOW))).message).toBe("token has no signature");
  });

  it("refuses alg none, a different alg, and a missing alg", async () => {
    const none = `${b64(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`;
    expect((await refusal(verifyToken(none, key, NOW))).message).toMatch(/unsigned \(alg "none"\).*HS256/);
    const NONE = `${b64(JSON.stringify({ alg: "NoNe" }))}.${p}.${s}`;
    expect((await refusal(verifyToken(NONE, key, NOW))).message).toMatch(/unsigned/);
    // HS384 header with the HS256 secret: refused by algorithm before any signature check.
    const hs384 = craft(key, { alg: "HS384" }, { put: "" });
    expect((await refusal(verifyToken(hs384, key, NOW))).message).toBe(
      `token is signed with "HS384" but the relay's key is HS256`,
    );
    // Classic confusion: an HS256 token "signed" with an ES256 public key's bytes must not pass.
    const es = keyFor("ES256");
    const forged = craft(key, { alg: "HS256" }, { put: "" });
    expect((await refusal(verifyToken(forged, es, NOW))).message).toMatch(
      /signed with "HS256" but the relay's key is ES256/,
    );
    expect((await refusal(verifyToken(craft(key, {}, { put: "" }), key, NOW))).message).toBe(
      'token header has no "alg"',
    );
    expect((await refusal(verifyToken(craft(key, { alg: 5 }, { put: "" }), key, NOW))).message).toBe(
      'token header "alg" must be an algorithm name',
    );
    expect(
      (await refusal(verifyToken(craft(key, { alg: "HS256", crit: ["b64"] }, { put: "" }), key, NOW))).message,
    ).toMatch(/crit/);
    // RFC 7797's b64 is the one extension jose understands; b64:true means the ordinary encoding.
    expect(
      (await verifyToken(craft(key, { alg: "HS256", crit: ["b64"], b64: true }, { put: "" }), key, NOW)).publish,
    ).toEqual(["**"]);
  });

  it("checks kid only when both sides have one", async () => {
    const withKid = parseAuthKey(JSON.stringify({ ...jwkFor("HS256"), kid: "k1" }));
    const t = signToken({ put: "" }, withKid);
    expect(JSON.parse(Buffer.from(t.split(".")[0]!, "base64url").toString()).kid).toBe("k1");
    expect((await verifyToken(t, withKid, NOW)).publish).toEqual(["**"]);
    expect((await verifyToken(t, key, NOW)).publish).toEqual(["**"]);
    expect(
      (await refusal(verifyToken(craft(key, { alg: "HS256", kid: "k2" }, { put: "" }), withKid, NOW))).message,
    ).toMatch(/key id "k2" does not match/);
  });

  it("refuses expired and not-yet-valid tokens with the time", async () => {
    const expired = signToken({ put: "", exp: NOW_S }, key);
    expect((await refusal(verifyToken(expired, key, NOW))).message).toBe(
      `token expired at ${new Date(NOW).toISOString()}`,
    );
    expect((await verifyToken(expired, key, NOW - 1)).exp).toBe(NOW_S);
    const early = signToken({ put: "", nbf: NOW_S + 30 }, key);
    expect((await refusal(verifyToken(early, key, NOW))).message).toBe(
      `token is not valid before ${new Date(NOW + 30_000).toISOString()}`,
    );
    expect((await verifyToken(early, key, NOW + 30_000)).nbf).toBe(NOW_S + 30);
    expect((await refusal(verifyToken(craft(key, { alg: "HS256" }, { exp: "soon" }), key, NOW))).message).toMatch(
      /"exp" must be a number/,
    );
  });

  it("refuses malformed structure with a message naming the part", async () => {
    const cases: [string, RegExp][] = [
      ["", /not a JWT \(expected three base64url parts/],
      ["abc", /not a JWT/],
      [`${h}.${p}`, /not a JWT/],
      [`${h}.${p}.${s}.x`, /not a JWT/],
      [`.${p}.${s}`, /header is empty/],
      [`${h}..${s}`, /payload is empty/],
      [`${h}=.${p}.${s}`, /header is not base64url: character "="/],
      [`${h}.${p}+.${s}`, /payload is not base64url: character "\+"/],
      [`${h}.${p}.${s}=`, /signature is not base64url/],
      [`${h}.${p}A.${s}`, /payload is not base64url: length/],
      [`${b64("{")}.${p}.${s}`, /header is not a JSON object/],
      [`${b64("[1]")}.${p}.${s}`, /header is not a JSON object/],
      [`${b64("null")}.${p}.${s}`, /header is not a JSON object/],
      [`${Buffer.from([0xff, 0xfe]).toString("base64url")}.${p}.${s}`, /header is not a JSON object/],
    ];
    for (const [token, msg] of cases) expect((await refusal(verifyToken(token, key, NOW))).message, token).toMatch(msg);
    // Non-canonical base64url: "eQ" and "eR" decode to the same byte; only the canonical one is valid.
    const t = signToken({ root: "ab" }, key);
    const parts = t.split(".");
    expect(parts[2]!.length % 4).not.toBe(0);
    const last = parts[2]!.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) + 1]!;
    const alias = `${parts[0]}.${parts[1]}.${parts[2]!.slice(0, -1)}${sibling}`;
    expect(Buffer.from(alias.split(".")[2]!, "base64url")).toEqual(Buffer.from(parts[2]!, "base64url"));
    expect((await refusal(verifyToken(alias, key, NOW))).message).toMatch(/non-canonical/);
  });

  it("refuses oversized tokens before looking inside", async () => {
    const big = signToken({ root: "x".repeat(MAX_TOKEN_BYTES) }, key);
    expect((await refusal(verifyToken(big, key, NOW))).message).toBe(
      `token is ${big.length} bytes; the limit is ${MAX_TOKEN_BYTES}`,
    );
    const justFits = signToken({ root: "y".repeat(5000), put: "" }, key);
    expect(justFits.length).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
    expect((await verifyToken(justFits, key, NOW)).root).toBe("y".repeat(5000));
  });

  it("reads moq-auth's publish/subscribe pattern claims, canonical and reduced", async () => {
    const token = (body: Record<string, unknown>) => craft(key, { alg: "HS256" }, body);
    expect(
      await verifyToken(token({ root: "room", publish: ["alice/**", "alice/cam"], subscribe: ["**"] }), key, NOW),
    ).toMatchObject({ root: "room", publish: ["alice/**"], subscribe: ["**"] });
    // Omitted lists grant nothing on that side; every pattern shape is kept as written.
    expect(await verifyToken(token({ subscribe: ["*/chat", "a/*/**", "", "cam*.hang"] }), key, NOW)).toMatchObject({
      publish: [],
      subscribe: ["", "*/chat", "a/**/*", "cam*.hang"],
    });
    for (const [pattern, why] of [
      ["a//b", /empty segment/],
      ["**/x/**", /more than one "\*\*"/],
      ["a*b*c", /one "\*"/],
    ] as const) {
      expect((await refusal(verifyToken(token({ publish: [pattern] }), key, NOW))).message).toMatch(why);
    }
    expect((await refusal(verifyToken(token({ put: "a*" }), key, NOW))).message).toMatch(/cannot hold "\*"/);
    expect((await refusal(verifyToken(token({ put: "a", subscribe: ["**"] }), key, NOW))).message).toMatch(
      /mixes put\/get with publish\/subscribe/,
    );
    expect((await refusal(verifyToken(token({ publish: null }), key, NOW))).message).toMatch(
      /"publish" must be a list of path patterns/,
    );
  });

  it("refuses unknown claims and badly typed ones", async () => {
    expect(
      (await refusal(verifyToken(craft(key, { alg: "HS256" }, { put: "", aud: "x", foo: 1 }), key, NOW))).message,
    ).toMatch(/unsupported claims "aud", "foo"/);
    expect((await refusal(verifyToken(craft(key, { alg: "HS256" }, { root: 5 }), key, NOW))).message).toMatch(
      /"root" must be a string/,
    );
    expect((await refusal(verifyToken(craft(key, { alg: "HS256" }, { put: [1] }), key, NOW))).message).toMatch(
      /"put" must be a string or a list/,
    );
    expect((await refusal(verifyToken(craft(key, { alg: "HS256" }, { get: "a\u0000b" }), key, NOW))).message).toMatch(
      /control character/,
    );
    expect((await refusal(verifyToken(craft(key, { alg: "HS256" }, { cluster: "yes" }), key, NOW))).message).toMatch(
      /"cluster"/,
    );
  });

  it("is an Unauthorized MoqError", async () => {
    const err = await refusal(verifyToken("x", key, NOW));
    expect(err.code).toBe(ErrorCode.Unauthorized);
    expect(err.name).toBe("AuthError");
  });
});

describe("key files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "moqscope-auth-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }
  async function loadError(path: string): Promise<string> {
    const err = await loadAuthKey(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthKeyError);
    return (err as Error).message;
  }

  it("loads JSON and base64url-encoded JSON (moq-token writes the latter)", async () => {
    const jwk = jwkFor("ES256");
    const a = await loadAuthKey(await file("a.jwk", `${JSON.stringify(jwk, null, 2)}\n`));
    const b = await loadAuthKey(await file("b.jwk", b64(JSON.stringify(jwk))));
    expect(a.alg).toBe("ES256");
    expect(a.source).toBe(join(dir, "a.jwk"));
    const token = signToken({ put: "" }, a);
    expect((await verifyToken(token, b, NOW)).publish).toEqual(["**"]);
    // A missing kty means oct, as in older moq-token files.
    const { kty: _kty, ...noKty } = jwkFor("HS256");
    expect((await loadAuthKey(await file("c.jwk", JSON.stringify(noKty)))).alg).toBe("HS256");
  });

  it("names the file and the problem", async () => {
    const p = (n: string) => join(dir, n);
    expect(await loadError(p("missing.jwk"))).toBe(`auth key file ${p("missing.jwk")} cannot be read: no such file`);
    expect(await loadError(dir)).toBe(`auth key file ${dir} is not a regular file`);
    expect(await loadError(await file("big.jwk", " ".repeat(70_000)))).toMatch(
      /is 70000 bytes; a JWK is at most 65536/,
    );
    const cases: [unknown, RegExp][] = [
      ["", /the file is empty/],
      ["{nope", /not valid JSON/],
      ["%%%", /not JSON and not base64url-encoded JSON/],
      [[1], /expected a JWK JSON object/],
      [{ kty: "oct", k: jwkFor("HS256").k }, /missing "alg"/],
      [{ kty: "oct", alg: "HS999", k: "AA" }, /unsupported "alg" "HS999"/],
      [{ kty: "EC", alg: "HS256", k: "AA" }, /"kty" "EC" does not fit "alg" HS256 \(expected "oct"\)/],
      [{ kty: "oct", alg: "HS256", k: b64("short") }, /"k" is 5 bytes; HS256 needs at least 32/],
      [{ kty: "oct", alg: "HS256", k: "a+b" }, /"k": character "\+" is not base64url/],
      [{ kty: "oct", alg: "HS256" }, /missing "k"/],
      [{ ...jwkFor("HS256"), key_ops: "sign" }, /"key_ops" must be an array/],
      [{ ...jwkFor("HS256"), key_ops: ["encrypt"] }, /"key_ops" allows neither "sign" nor "verify"/],
      [{ ...jwkFor("HS256"), scope: { root: "a" } }, /"scope" \(scoped keys\) is not supported/],
      [{ ...jwkFor("ES256"), crv: "P-384" }, /"crv" "P-384" does not fit ES256/],
      [{ ...jwkFor("ES256"), x: b64("too short") }, /the private key is not valid/],
      [{ ...publicOf(jwkFor("ES256")), x: b64("too short") }, /the public key is not valid/],
      [{ ...publicOf(jwkFor("ES256")), x: jwkFor("ES256").y }, /the public key is not valid/],
      [{ ...jwkFor("EdDSA"), crv: "Ed448" }, /"crv" "Ed448" does not fit EdDSA \(expected "Ed25519"\)/],
      [
        { ...publicOf(jwkFor("RS256")), n: Buffer.alloc(128, 0xff).toString("base64url") },
        /RSA modulus is 1024 bits; at least 2048/,
      ],
      [{ ...jwkFor("RS256"), qi: undefined }, /missing "qi"/],
    ];
    let i = 0;
    for (const [content, msg] of cases) {
      const name = `bad${i++}.jwk`;
      const text = typeof content === "string" ? content : JSON.stringify(content);
      expect(await loadError(await file(name, text)), text).toMatch(
        new RegExp(`^auth key file ${p(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${msg.source}`),
      );
    }
  });

  // Root reads anything, so this only runs as an ordinary user.
  it.skipIf(process.getuid?.() === 0)("reports an unreadable file", async () => {
    const path = await file("locked.jwk", JSON.stringify(jwkFor("HS256")));
    await chmod(path, 0o000);
    expect(await loadError(path)).toBe(`auth key file ${path} cannot be read: permission denied`);
  });

  it("honours key_ops", async () => {
    const verifyOnly = parseAuthKey(JSON.stringify({ ...jwkFor("HS256"), key_ops: ["verify"] }));
    const signOnly = parseAuthKey(JSON.stringify({ ...jwkFor("HS256"), key_ops: ["sign"] }));
    const token = signToken({ put: "" }, signOnly);
    expect((await verifyToken(token, verifyOnly, NOW)).publish).toEqual(["**"]);
    expect(() => signToken({ put: "" }, verifyOnly)).toThrow(/cannot sign/);
    expect((await refusal(verifyToken(token, signOnly, NOW))).message).toMatch(/does not allow "verify"/);
  });
});

describe("authorize", () => {
  const key = keyFor("ES256");
  const url = (path: string, token?: string) =>
    new URL(`https://relay.test:4443${path}${token === undefined ? "" : `?jwt=${token}`}`);
  const tok = (claims: Parameters<typeof signToken>[0]) => signToken(claims, key);
  const refused = (g: Grant | AuthError): string => {
    expect(g).toBeInstanceOf(AuthError);
    return (g as AuthError).message;
  };

  it("open relay: anonymous, root is the URL path, everything below it", async () => {
    const all = { publish: ["**"], subscribe: ["**"] };
    expect(await authorize(url("/"), {}, NOW)).toEqual({ root: "", ...all });
    expect(await authorize(url("//anon//room/"), {}, NOW)).toEqual({ root: "anon/room", ...all });
    expect(await authorize(url("/a%20b"), {}, NOW)).toMatchObject({ root: "a b" });
    expect(refused(await authorize(url("/%E0%A4%A"), {}, NOW))).toMatch(/not valid percent-encoding/);
    expect(refused(await authorize(url("/a%00b"), {}, NOW))).toMatch(/control character/);
    // A token cannot be checked without a key: refused, not silently ignored.
    expect(refused(await authorize(url("/", tok({ put: "" })), {}, NOW))).toMatch(/no --auth-key/);
    // An empty jwt parameter counts as none.
    expect(await authorize(url("/x", ""), {}, NOW)).toEqual({ root: "x", ...all });
  });

  it("public patterns as moq-relay 0.17 roots them at /", async () => {
    const opts = { publicPatterns: ["anon/**"], publicSubscribe: ["*/chat"] };
    expect(await authorize(url("/"), opts, NOW)).toEqual({
      root: "",
      publish: ["anon/**"],
      subscribe: ["*/chat", "anon/**"],
    });
    expect(await authorize(url("/anon"), opts, NOW)).toEqual({ root: "anon", publish: ["**"], subscribe: ["**"] });
    expect(await authorize(url("/anon/room"), opts, NOW)).toMatchObject({ publish: ["**"], subscribe: ["**"] });
    expect(await authorize(url("/rooms"), opts, NOW)).toEqual({ root: "rooms", publish: [], subscribe: ["chat"] });
    for (const path of ["/rooms/123", "/other/room", "/anonymous/room"]) {
      expect(refused(await authorize(url(path), opts, NOW))).toBe(
        `URL path ${path} is not public (public patterns: anon/**, */chat)`,
      );
    }
    // One wildcard segment does not reach two segments down.
    expect(refused(await authorize(url("/rooms/123"), { publicSubscribe: ["*"] }, NOW))).toMatch(/not public/);
  });

  it("public patterns for one direction (--auth-public-publish / --auth-public-subscribe)", async () => {
    const opts = { publicPublish: ["anon/**"], publicSubscribe: ["**", "anon/**"] };
    // Watch everything, publish only under anon.
    expect(await authorize(url("/"), opts, NOW)).toEqual({ root: "", publish: ["anon/**"], subscribe: ["**"] });
    expect(await authorize(url("/anon/room"), opts, NOW)).toEqual({
      root: "anon/room",
      publish: ["**"],
      subscribe: ["**"],
    });
    expect(await authorize(url("/other"), opts, NOW)).toEqual({ root: "other", publish: [], subscribe: ["**"] });
    // Subscribe-only under live: a path elsewhere is refused, naming what is public.
    const watchOnly = { publicSubscribe: ["live/**"] };
    expect(await authorize(url("/live"), watchOnly, NOW)).toEqual({ root: "live", publish: [], subscribe: ["**"] });
    expect(refused(await authorize(url("/x"), watchOnly, NOW))).toMatch(/not public \(public patterns: live\/\*\*\)/);
  });

  it("public prefixes (--public, 0.14's shape) read as subtree patterns", async () => {
    const opts = { publicPrefixes: ["/anon/"] };
    const all = { publish: ["**"], subscribe: ["**"] };
    expect(await authorize(url("/anon"), opts, NOW)).toEqual({ root: "anon", ...all });
    expect(await authorize(url("/anon/room/1"), opts, NOW)).toEqual({ root: "anon/room/1", ...all });
    expect(await authorize(url("/"), opts, NOW)).toEqual({ root: "", publish: ["anon/**"], subscribe: ["anon/**"] });
    expect(refused(await authorize(url("/secret"), opts, NOW))).toBe(
      "URL path /secret is not public (public patterns: anon/**)",
    );
    // Segment boundaries, not string prefixes.
    expect(refused(await authorize(url("/anonymous"), opts, NOW))).toMatch(/not public/);
    // Several prefixes, reduced; only the reachable ones are granted.
    const two = await authorize(url("/"), { publicPrefixes: ["anon", "demo/live", "demo"] }, NOW);
    expect(two).toMatchObject({ publish: ["anon/**", "demo/**"], subscribe: ["anon/**", "demo/**"] });
    expect(await authorize(url("/demo"), { publicPrefixes: ["anon", "demo/live"] }, NOW)).toMatchObject({
      root: "demo",
      publish: ["live/**"],
    });
    // "" makes everything public.
    expect(await authorize(url("/any/where"), { publicPrefixes: [""] }, NOW)).toMatchObject({ publish: ["**"] });
    // With a key too, anonymous sessions outside the public part are told to bring a token.
    expect(refused(await authorize(url("/secret"), { key, publicPrefixes: ["anon"] }, NOW))).toMatch(
      /not public .*add \?jwt=<token>/,
    );
    expect(await authorize(url("/anon"), { key, publicPrefixes: ["anon"] }, NOW)).toEqual({ root: "anon", ...all });
  });

  it("key without public patterns: a token is required", async () => {
    expect(refused(await authorize(url("/room"), { key }, NOW))).toBe(
      "a token is required: add ?jwt=<token> to the URL (path /room)",
    );
  });

  it("token: URL path at, below or above the token root", async () => {
    const opts = { key };
    const t = tok({ root: "room/123", put: "alice", get: "", exp: NOW_S + 3600 });
    expect(await authorize(url("/room/123", t), opts, NOW)).toEqual({
      root: "room/123",
      publish: ["alice/**"],
      subscribe: ["**"],
      expires: NOW_S + 3600,
    });
    // Below the root: patterns are rebased; a dialed path inside alice/** gets all of it.
    expect(await authorize(url("/room/123/alice", t), opts, NOW)).toMatchObject({
      root: "room/123/alice",
      publish: ["**"],
      subscribe: ["**"],
    });
    expect(await authorize(url("/room/123/alice/cam", t), opts, NOW)).toMatchObject({
      publish: ["**"],
      subscribe: ["**"],
    });
    expect(await authorize(url("/room/123/bob", t), opts, NOW)).toMatchObject({
      root: "room/123/bob",
      publish: [],
      subscribe: ["**"],
    });
    // Above the root: patterns gain the segments in between.
    expect(await authorize(url("/room", t), opts, NOW)).toMatchObject({
      root: "room",
      publish: ["123/alice/**"],
      subscribe: ["123/**"],
    });
    expect(await authorize(url("/", t), opts, NOW)).toMatchObject({
      root: "",
      publish: ["room/123/alice/**"],
      subscribe: ["room/123/**"],
    });
    // Unrelated paths, and segment boundaries.
    expect(refused(await authorize(url("/other", t), opts, NOW))).toBe(
      "URL path /other is outside the token's root /room/123; dial /room/123 or a path below it",
    );
    expect(refused(await authorize(url("/room/1234", t), opts, NOW))).toMatch(/outside the token's root/);
  });

  it("token: moq-auth patterns move to the dialed path as moq-auth moves them", async () => {
    const opts = { key };
    const t = tok({ root: "room/1", publish: ["alice/**"], subscribe: ["bob/**"] });
    expect(await authorize(url("/room/1/alice", t), opts, NOW)).toEqual({
      root: "room/1/alice",
      publish: ["**"],
      subscribe: [],
    });
    // An exact pattern: dialing the broadcast itself leaves "" (that broadcast only).
    expect(await authorize(url("/room/alice", tok({ root: "room", publish: ["alice"] })), opts, NOW)).toMatchObject({
      publish: [""],
    });
    const demo = tok({ subscribe: ["demo/**"] });
    expect(await authorize(url("/demo/room", demo), opts, NOW)).toMatchObject({ subscribe: ["**"] });
    expect(refused(await authorize(url("/other", demo), opts, NOW))).toMatch(/grants nothing at \/other/);
    expect(refused(await authorize(url("/foobar", tok({ root: "foo", publish: ["**"] })), opts, NOW))).toMatch(
      /outside the token's root \/foo/,
    );
    // A `**` that may or may not reach past the dialed path keeps both readings.
    expect(await authorize(url("/chat", tok({ subscribe: ["**/chat"] })), opts, NOW)).toMatchObject({
      subscribe: ["", "**/chat"],
    });
  });

  it("token: put/get prefixes", async () => {
    const opts = { key };
    const readOnly = tok({ root: "live", get: ["", "x"] });
    expect(await authorize(url("/live", readOnly), opts, NOW)).toMatchObject({ publish: [], subscribe: ["**"] });
    const several = tok({ root: "r", put: ["a/b", "a", "c"], get: ["d/e"] });
    expect(await authorize(url("/r", several), opts, NOW)).toMatchObject({
      publish: ["a/**", "c/**"],
      subscribe: ["d/e/**"],
    });
    // Dialing into a place the token reaches with nothing left.
    expect(refused(await authorize(url("/r/zzz", several), opts, NOW))).toBe(
      "the token grants nothing at /r/zzz (no publish or subscribe pattern reaches it)",
    );
    expect(refused(await authorize(url("/r", tok({ root: "r" })), opts, NOW))).toMatch(/grants nothing/);
  });

  it("token: verification failures are refusals, never throws", async () => {
    const opts = { key, publicPrefixes: ["anon"] };
    expect(refused(await authorize(url("/anon", tok({ put: "", exp: NOW_S - 1 })), opts, NOW))).toMatch(
      /^token expired at /,
    );
    expect(refused(await authorize(url("/anon", "garbage"), opts, NOW))).toMatch(/not a JWT/);
    expect(refused(await authorize(url("/anon", signToken({ put: "" }, keyFor("ES384"))), opts, NOW))).toMatch(
      /signed with "ES384"/,
    );
    const twice = new URL(`https://relay.test/anon?jwt=${tok({ put: "" })}&jwt=${tok({ get: "" })}`);
    expect(refused(await authorize(twice, opts, NOW))).toBe("URL has more than one jwt parameter");
    const huge = new URL(`https://relay.test/?jwt=${"a".repeat(100_000)}`);
    expect(refused(await authorize(huge, opts, NOW))).toMatch(/limit is 8192/);
  });
});
