// moq-relay's development convention: a server with a self-signed certificate publishes its SHA-256
// at http://host:port/certificate.sha256, so a client can pin it without any setup.

import http from "node:http";
import { describeDialError, normalizeFingerprint } from "./dial.ts";
import { withTimeout } from "./timeout.ts";
import { endpointOf, fingerprintUrlOf } from "./url.ts";

const MAX_BODY = 1024;

/** GET the fingerprint for the server behind `url` (any scheme; port and host are what count). */
export async function fetchDevFingerprint(url: URL, timeoutMs: number): Promise<string> {
  const target = fingerprintUrlOf(url);
  const { host, port } = endpointOf(target);
  let req: http.ClientRequest | undefined;
  const body = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req = http.get(target, { headers: { accept: "text/plain" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        if (text.length > MAX_BODY) res.destroy(new Error("response too large"));
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
  let result: { status: number; text: string };
  try {
    result = await withTimeout(body, timeoutMs, `GET ${target.href}`, () => req?.destroy());
  } catch (err) {
    if (err instanceof Error && err.name === "TimeoutError") throw err;
    const described = describeDialError(err, host, port);
    throw Object.assign(
      new Error(`cannot fetch the certificate fingerprint from ${target.href}: ${described.message}`, { cause: err }),
      { code: (described as { code?: string }).code },
    );
  }
  if (result.status !== 200) {
    const err = new Error(
      `GET ${target.href} answered HTTP ${result.status}: this server does not publish a certificate fingerprint ` +
        `(the http:// form is moq-relay's development convention). Use https:// (with a fingerprint if the certificate is self-signed) or ws://`,
    );
    (err as { code?: string }).code = "NO_DEV_FINGERPRINT";
    throw err;
  }
  try {
    return normalizeFingerprint(result.text);
  } catch (err) {
    throw new Error(`${target.href} did not return a fingerprint: ${(err as Error).message}`, { cause: err });
  }
}
