// A guard on the HTTP/2 stream that carries a WebTransport session (@fails-components, HTTP/2 path).
//
// The package ends a session with `stream.close(code)` immediately followed by `stream.destroy()`.
// Node 20 treats close(NO_ERROR) on a stream whose writable side is still flushing (our own
// WT_CLOSE_SESSION capsule plus END_STREAM, not yet on the socket) as "send RST_STREAM once the
// writes finish" and marks the stream closed at once. The destroy() that follows then sees a closed
// stream, sends no RST_STREAM, and drops the native stream, while nghttp2 still has that stream's
// data scheduled. nghttp2 keeps asking Node for the data, Node answers "0 bytes, not finished" for a
// stream it no longer knows, and the event loop spins forever queueing empty DATA frames until the
// process dies with std::bad_alloc. This happens whenever a close capsule is still in flight when the
// package closes the stream: both ends closing at once, or a second close() on the same session.
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
  if (!isGuardable(stream)) return;
  const marked = stream as unknown as Record<symbol, boolean>;
  if (marked[GUARDED]) return;
  marked[GUARDED] = true;
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
