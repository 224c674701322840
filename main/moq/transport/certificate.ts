// Self-signed certificates for the embedded listener, and fingerprints of user-supplied ones.
// WebTransport's serverCertificateHashes only accepts ECDSA certificates valid for at most 14 days,
// so that is what we mint; the SHA-256 of the DER is the value clients pin.

import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import * as der from "./der.ts";

export interface Certificate {
  certPem: string;
  keyPem: string;
  /** The certificate's DER bytes. */
  der: Uint8Array;
  /** SHA-256 of `der`, lower-case hex without colons. */
  fingerprintHex: string;
}

export interface CertificateOptions {
  /** DNS names for the subjectAltName. Default: ["localhost"]. */
  dnsNames?: readonly string[];
  /** IPv4/IPv6 literals for the subjectAltName. Default: ["127.0.0.1", "::1"]. */
  ipAddresses?: readonly string[];
  /** Validity in days, at most 14 (the WebTransport limit for pinned certificates). Default 14. */
  validDays?: number;
  /** Common name in subject and issuer. Default "moqscope". */
  commonName?: string;
}

/** The most a pinned certificate may be valid for (W3C WebTransport serverCertificateHashes). */
export const MAX_PINNED_VALIDITY_MS = 14 * 24 * 60 * 60 * 1000;

const OID = {
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

/** Lower-case hex SHA-256 of DER bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Generate an ECDSA P-256 self-signed certificate usable with WebTransport certificate pinning. */
export function generateCertificate(options: CertificateOptions = {}): Certificate {
  const dnsNames = options.dnsNames ?? ["localhost"];
  const ipAddresses = options.ipAddresses ?? ["127.0.0.1", "::1"];
  const validDays = Math.min(options.validDays ?? 14, 14);
  if (!(validDays > 0)) throw new Error(`certificate validity must be a positive number of days, got ${validDays}`);

  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));

  // Back-date a minute for clock skew; the whole span stays within validDays.
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + Math.floor(validDays * 86_400) * 1000);

  const name = der.sequence(
    der.set(der.sequence(der.oid(OID.commonName), der.utf8String(options.commonName ?? "moqscope"))),
  );
  const algorithm = der.sequence(der.oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive and exactly 16 bytes

  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(serial),
    algorithm,
    name,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name,
    spki,
    der.explicit(3, der.sequence(...extensions(dnsNames, ipAddresses))),
  );
  const signature = new Uint8Array(sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" }));
  const certDer = der.sequence(tbs, algorithm, der.bitString(signature));

  return {
    certPem: toPem("CERTIFICATE", certDer),
    keyPem: String(privateKey.export({ type: "pkcs8", format: "pem" })),
    der: certDer,
    fingerprintHex: sha256Hex(certDer),
  };
}

function extensions(dnsNames: readonly string[], ipAddresses: readonly string[]): Uint8Array[] {
  const names = [
    ...dnsNames.map((n) => der.implicitPrimitive(2, new TextEncoder().encode(n))),
    ...ipAddresses.map((ip) => der.implicitPrimitive(7, ipBytes(ip))),
  ];
  const ext = (id: string, value: Uint8Array, critical = false) =>
    der.sequence(der.oid(id), ...(critical ? [der.booleanTrue()] : []), der.octetString(value));
  return [
    ext(OID.subjectAltName, der.sequence(...names)),
    ext(OID.basicConstraints, der.sequence(), true), // CA:FALSE
    // digitalSignature only: one bit (bit 0), seven unused bits.
    ext(OID.keyUsage, der.tlv(0x03, Uint8Array.of(7, 0x80)), true),
    ext(OID.extKeyUsage, der.sequence(der.oid(OID.serverAuth))),
  ];
}

function ipBytes(ip: string): Uint8Array {
  const family = isIP(ip);
  if (family === 4) return Uint8Array.from(ip.split(".").map(Number));
  if (family === 6) return ipv6Bytes(ip);
  throw new Error(`not an IP address: ${JSON.stringify(ip)} (put host names in dnsNames)`);
}

function ipv6Bytes(ip: string): Uint8Array {
  // The URL parser canonicalises IPv6 (including an embedded IPv4 tail) to plain hex groups.
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = "", tail] = canonical.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function toPem(label: string, bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** SHA-256 fingerprint (lower-case hex) of the first certificate in a PEM text. */
export function fingerprintOfPem(certPem: string, source = "certificate"): string {
  return parseCertificate(certPem, source).fingerprintHex;
}

function parseCertificate(certPem: string, source: string): { x509: X509Certificate; fingerprintHex: string } {
  if (!/-----BEGIN CERTIFICATE-----/.test(certPem)) {
    throw new Error(`${source} is not a PEM certificate (expected a "-----BEGIN CERTIFICATE-----" block)`);
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (err) {
    throw new Error(`${source} could not be parsed as an X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
  return { x509, fingerprintHex: sha256Hex(new Uint8Array(x509.raw)) };
}

/**
 * Read a certificate and key from PEM files (the CLI's --cert/--key), check they belong together,
 * and compute the fingerprint. Errors name the file and what is wrong with it.
 */
export async function loadCertificateFiles(certPath: string, keyPath: string): Promise<Certificate> {
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (err as Error).message;
      throw new Error(`cannot read ${what} ${path}: ${why}`, { cause: err });
    }
  };
  const certPem = await read(certPath, "certificate file");
  const keyPem = await read(keyPath, "key file");
  return certificateFromPem(certPem, keyPem, { cert: `certificate file ${certPath}`, key: `key file ${keyPath}` });
}

/** Check a PEM certificate and key belong together and compute the fingerprint. */
export function certificateFromPem(
  certPem: string,
  keyPem: string,
  names: { cert: string; key: string } = { cert: "certificate", key: "private key" },
): Certificate {
  const { x509, fingerprintHex } = parseCertificate(certPem, names.cert);
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`${names.key} is not a readable private key: ${(err as Error).message}`, { cause: err });
  }
  if (!x509.checkPrivateKey(key)) {
    throw new Error(`${names.key} does not match ${names.cert}`);
  }
  return { certPem, keyPem, der: new Uint8Array(x509.raw), fingerprintHex };
}
