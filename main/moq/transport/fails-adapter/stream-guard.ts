// A guard on the node:http2 stream that carries a WebTransport session over HTTP/2.
//
// Package behaviour relied on (checked against 1.6.8): Http2CapsuleParser.closeHttp2Stream() ends a
// session with `stream.close(code)` immediately followed by `stream.destroy()`, on the stream at
// `session.objint.stream`. It runs when our WT_CLOSE_SESSION capsule has been written and also when
// the peer's arrives, which can be while ours (plus END_STREAM) is still queued.
//
// Node behaviour worked around (Node 20): close(NO_ERROR) on a stream whose writable side has ended
// but not finished means "send RST_STREAM once the writes finish" and marks the stream closed at once.
// The destroy() that follows then sees a closed stream, sends no RST_STREAM and drops the native
// stream while nghttp2 still has its data scheduled. nghttp2 keeps asking for that data, Node answers
// "0 bytes, not finished" for a stream it no longer knows, and the event loop spins queueing empty
// DATA frames until the process dies with std::bad_alloc.
//
// The guard makes such a close() wait for the writes to finish. A destroy() in between then finds the
// stream open and sends RST_STREAM itself, so nghttp2 forgets the stream before Node does.

/** The slice of node:http2's Http2Stream the guard touches. */
export interface GuardableHttp2Stream {
  readonly closed: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  close(code?: number, callback?: () => void): void;
  once(event: "finish", listener: () => void): unknown;
}

const GUARDED = Symbol("moqscope.http2StreamCloseGuard");

/** Install the guard once on `stream` (a no-op for anything that is not an HTTP/2 stream). */
export function guardHttp2StreamClose(stream: unknown): void {
  if (!isGuardable(stream) || isCloseGuarded(stream)) return;
  (stream as unknown as Record<symbol, boolean>)[GUARDED] = true;
  const close = stream.close;
  stream.close = function guardedClose(code?: number, callback?: () => void): void {
    if (!stream.closed && !stream.destroyed && stream.writableEnded && !stream.writableFinished) {
      stream.once("finish", () => {
        if (!stream.closed && !stream.destroyed) close.call(stream, code, callback);
      });
      return;
    }
    close.call(stream, code, callback);
  };
}

/** Whether the guard sits on `stream`. */
export function isCloseGuarded(stream: unknown): boolean {
  return typeof stream === "object" && stream !== null && (stream as Record<symbol, unknown>)[GUARDED] === true;
}

function isGuardable(stream: unknown): stream is GuardableHttp2Stream {
  if (typeof stream !== "object" || stream === null) return false;
  const s = stream as Partial<Record<keyof GuardableHttp2Stream, unknown>>;
  return (
    typeof s.close === "function" &&
    typeof s.once === "function" &&
    typeof s.closed === "boolean" &&
    typeof s.writableEnded === "boolean"
  );
}
