// When to try again and when not: a relay that went away may come back, so we retry with a
// growing, jittered delay; a URL that cannot work or a refused token will not change by waiting.

import { ErrorCode, MoqError } from "../../moq/index.ts";
import type { CloseInfo } from "../../moq/index.ts";

export const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 15_000;

/** The delay before attempt `attempt` (1, 2, …): 0.5 s doubling to 15 s, ±20 % so many clients spread out. */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Error codes of transport failures no retry fixes (certificates, refused protocols). */
const PERMANENT_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "FINGERPRINT_MISMATCH",
  "PROTOCOL_REFUSED",
  "NO_DEV_FINGERPRINT",
]);

const PERMANENT_MOQ_CODES = new Set<number>([
  ErrorCode.Unauthorized,
  ErrorCode.UnsupportedVersion,
  ErrorCode.UnknownAlpn,
]);

/** Whether retrying cannot help: a refused token, a certificate or protocol mismatch. */
export function isPermanentFailure(err: unknown): boolean {
  if (err instanceof MoqError) return PERMANENT_MOQ_CODES.has(err.code);
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && PERMANENT_CODES.has(code)) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /refused the session with HTTP 40[13]|no WebSocket endpoint at/.test(message);
}

/** Whether the peer closed the session for a reason retrying cannot fix (a relay refusing our token). */
export function isPermanentClose(info: CloseInfo): boolean {
  return info.by === "remote" && PERMANENT_MOQ_CODES.has(info.code);
}
