// Strict unpadded base64url (RFC 7515 §2). Buffer.from(s, "base64url") silently skips junk and
// accepts non-canonical trailing bits, so one token could have many spellings; we accept exactly
// one spelling per byte string.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function encodeBase64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes).toString("base64url");
}

/** Decode, or return a reason why `s` is not canonical unpadded base64url. */
export function decodeBase64url(s: string): Buffer | string {
  if (!ALPHABET.test(s)) {
    const bad = [...s].find((c) => !/[A-Za-z0-9_-]/.test(c)) ?? "?";
    return `character ${JSON.stringify(bad)} is not base64url`;
  }
  if (s.length % 4 === 1) return "length is not a valid base64url length";
  const bytes = Buffer.from(s, "base64url");
  if (bytes.toString("base64url") !== s) return "non-canonical base64url (stray trailing bits)";
  return bytes;
}
