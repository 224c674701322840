import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  MAX_PINNED_VALIDITY_MS,
  fingerprintOfPem,
  generateCertificate,
  loadCertificateFiles,
} from "../../../main/moq/transport/certificate.ts";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("generateCertificate", () => {
  const cert = generateCertificate({ dnsNames: ["localhost", "relay.test"], ipAddresses: ["127.0.0.1", "::1"] });
  const x509 = new X509Certificate(cert.certPem);

  it("parses, is self-signed by its key, and is ECDSA P-256", () => {
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(cert.keyPem))).toBe(true);
    expect(x509.publicKey.asymmetricKeyType).toBe("ec");
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x509.ca).toBe(false);
  });

  it("carries the DNS names and IP addresses as subjectAltName", () => {
    const san = x509.subjectAltName ?? "";
    expect(san).toContain("DNS:localhost");
    expect(san).toContain("DNS:relay.test");
    expect(san).toContain("IP Address:127.0.0.1");
    expect(san).toMatch(/IP Address:(0:0:0:0:0:0:0:1|::1)/);
    expect(x509.checkHost("relay.test")).toBe("relay.test");
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
  });

  it("is valid now and for at most 14 days", () => {
    const from = new Date(x509.validFrom).getTime();
    const to = new Date(x509.validTo).getTime();
    expect(from).toBeLessThanOrEqual(Date.now());
    expect(to).toBeGreaterThan(Date.now());
    expect(to - from).toBeLessThanOrEqual(MAX_PINNED_VALIDITY_MS);
  });

  it("reports the SHA-256 of its DER bytes as the fingerprint", () => {
    const expected = createHash("sha256").update(x509.raw).digest("hex");
    expect(cert.fingerprintHex).toBe(expected);
    expect(Buffer.from(cert.der).equals(x509.raw)).toBe(true);
    expect(cert.fingerprintHex).toMatch(/^[0-9a-f]{64}$/);
    expect(x509.fingerprint256.replace(/:/g, "").toLowerCase()).toBe(expected);
    expect(fingerprintOfPem(cert.certPem)).toBe(expected);
  });

  it("never exceeds 14 days even when asked for more", () => {
    const long = new X509Certificate(generateCertificate({ validDays: 90 }).certPem);
    expect(new Date(long.validTo).getTime() - new Date(long.validFrom).getTime()).toBeLessThanOrEqual(
      MAX_PINNED_VALIDITY_MS,
    );
  });

  it.runIf(hasOpenssl())("is accepted by openssl x509", () => {
    const dir = mkdtempSync(join(tmpdir(), "moqscope-cert-"));
    writeFileSync(join(dir, "cert.pem"), cert.certPem);
    let out: string;
    try {
      out = execFileSync("openssl", ["x509", "-in", join(dir, "cert.pem"), "-noout", "-text"], { encoding: "utf8" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out).toContain("Version: 3");
    expect(out).toContain("ecdsa-with-SHA256");
    expect(out).toContain("DNS:relay.test");
    expect(out).toContain("IP Address:127.0.0.1");
  });
});

describe("certificate files", () => {
  const dir = mkdtempSync(join(tmpdir(), "moqscope-certfiles-"));
  const a = generateCertificate();
  const b = generateCertificate();
  writeFileSync(join(dir, "a.pem"), a.certPem);
  writeFileSync(join(dir, "a.key"), a.keyPem);
  writeFileSync(join(dir, "b.key"), b.keyPem);
  writeFileSync(join(dir, "junk.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
  writeFileSync(join(dir, "text.txt"), "hello");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a matching pair and fingerprints it", async () => {
    const loaded = await loadCertificateFiles(join(dir, "a.pem"), join(dir, "a.key"));
    expect(loaded.fingerprintHex).toBe(a.fingerprintHex);
  });

  it("says which file is missing", async () => {
    await expect(loadCertificateFiles(join(dir, "nope.pem"), join(dir, "a.key"))).rejects.toThrow(
      /cannot read certificate file .*nope\.pem: no such file/,
    );
  });

  it("rejects a key that belongs to another certificate", async () => {
    await expect(loadCertificateFiles(join(dir, "a.pem"), join(dir, "b.key"))).rejects.toThrow(/does not match/);
  });

  it("rejects files that are not certificates", () => {
    expect(() => fingerprintOfPem("hello", "text.txt")).toThrow(/text\.txt is not a PEM certificate/);
    expect(() =>
      fingerprintOfPem("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", "junk.pem"),
    ).toThrow(/junk\.pem could not be parsed/);
  });
});
