// The reason object for writable.abort() / readable.cancel() on the package's streams.
//
// Package behaviour relied on (checked against 1.6.8): lib/stream.js reads a numeric `code` from the
// reason, clamps it to 0–255 and sends it in RESET_STREAM / STOP_SENDING. The peer's side reports it
// only as message text, "Resetstream with code:N" / "StopSending with code:N" (errors.ts parses that).
// `streamErrorCode` is the W3C name, kept so our own decoding sees the same number.

export class FailsStreamError extends Error {
  readonly code: number;
  readonly streamErrorCode: number;
  readonly source = "stream";
  constructor(code: number) {
    super(`stream reset: ${code}`);
    this.name = "WebTransportError";
    this.code = code;
    this.streamErrorCode = code;
  }
}
