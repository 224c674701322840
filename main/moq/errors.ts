// Reset, stop-sending and session-close codes. moq-lite defines no registry; these are the
// de facto codes of the Rust implementation (spec §12), which every peer understands.
export const ErrorCode = {
  Cancelled: 0,
  RequiredExtension: 1,
  Old: 2,
  Timeout: 3,
  Transport: 4,
  Decode: 5,
  Unauthorized: 6,
  UnsupportedVersion: 9,
  UnexpectedStream: 10,
  BoundsExceeded: 11,
  Duplicate: 12,
  NotFound: 13,
  WrongSize: 14,
  ProtocolViolation: 15,
  UnexpectedMessage: 16,
  Unsupported: 17,
  Encode: 18,
  TooManyParameters: 19,
  InvalidRole: 20,
  UnknownAlpn: 21,
  Dropped: 24,
  Closed: 25,
  Lagged: 26,
  FrameTooLarge: 27,
  Unroutable: 30,
  Evicted: 31,
} as const;

const NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/**
 * The stream reset registry of moq-lite-05 and later, which moq-relay 0.17 (moq-net 0.3.18) sends
 * on every version. It differs from the table above, which older peers (and we, so far) use. The
 * numbers 49–57 mean one thing only; 0–5 and 18 mean different things in the two tables.
 */
export const StreamCode = {
  Internal: 0x0,
  Cancel: 0x1,
  DeliveryTimeout: 0x2,
  SessionClosed: 0x3,
  GoingAway: 0x4,
  TooFarBehind: 0x5,
  MalformedTrack: 0x12,
  ControlTimeout: 0x31,
  GroupTooLarge: 0x32,
  NotFound: 0x33,
  Old: 0x34,
  Evicted: 0x35,
  Unroutable: 0x36,
  WrongSize: 0x37,
  FrameTooLarge: 0x38,
  TimestampMismatch: 0x39,
} as const;

/** moq-net carries an application's own close code N as 64 + N; moq-relay puts HTTP statuses there. */
export const APP_CODE_BASE = 64;
/**
 * moq-relay's close when its auth server could not be asked or answered nonsense: 502 Bad Gateway
 * as an application code. Not a verdict on the credentials, so the client may try again later.
 */
export const AUTH_UNAVAILABLE_CODE = APP_CODE_BASE + 502;

const CURRENT_NAMES = new Map<number, string>(Object.entries(StreamCode).map(([name, code]) => [code, name]));

/**
 * A human-readable name for a code, for logs and the trace ("13 NotFound", "54 Unroutable",
 * "70 app(6)"). Where the older table and the current registry disagree, both names are given.
 */
export function describeCode(code: number): string {
  const older = NAMES.get(code);
  // 0 is how every peer says "cancelled, nothing wrong"; the newer registry's "Internal" for it
  // would only add noise to the most common code there is.
  const current = code === 0 ? undefined : CURRENT_NAMES.get(code);
  if (older && current && older !== current) return `${code} ${older}/${current}`;
  if (older ?? current) return `${code} ${older ?? current}`;
  if (code >= APP_CODE_BASE) return `${code} app(${code - APP_CODE_BASE})`;
  return String(code);
}

/** A reset that says the broadcast or track is not there, in either table. */
export function isNotFoundCode(code: number): boolean {
  return (
    code === ErrorCode.NotFound ||
    code === ErrorCode.Unroutable ||
    code === StreamCode.NotFound ||
    code === StreamCode.Unroutable
  );
}

/** An error carrying a moq-lite code, used to reset streams or close the session. */
export class MoqError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = "MoqError";
    this.code = code;
  }
}

/** Malformed bytes from the peer. Always a protocol violation. */
export class DecodeError extends MoqError {
  constructor(message: string) {
    super(ErrorCode.ProtocolViolation, message);
    this.name = "DecodeError";
  }
}

/** A stream ended (FIN) before or inside a message: malformed, but a kind a caller may forgive. */
export class TruncatedError extends DecodeError {
  constructor(message: string) {
    super(message);
    this.name = "TruncatedError";
  }
}

/** Pull a numeric stream error code out of whatever a transport rejected with. */
export function streamErrorCode(err: unknown): number | undefined {
  if (err instanceof MoqError) return err.code;
  if (err && typeof err === "object") {
    const e = err as { streamErrorCode?: unknown; code?: unknown };
    if (typeof e.streamErrorCode === "number") return e.streamErrorCode;
    if (typeof e.code === "number") return e.code;
  }
  // @fails-components/webtransport reports peer resets only in the message text.
  if (err instanceof Error) {
    const m = /^(?:Resetstream|StopSending) with code:(\d+)$/.exec(err.message);
    if (m?.[1]) return Number(m[1]);
  }
  return undefined;
}

/** What went wrong, in one line, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
