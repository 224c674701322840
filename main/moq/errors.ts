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

/** A human-readable name for a code, for logs and the trace ("13 NotFound", "70 app(6)"). */
export function describeCode(code: number): string {
  const name = NAMES.get(code);
  if (name) return `${code} ${name}`;
  if (code >= 64) return `${code} app(${code - 64})`;
  return String(code);
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
