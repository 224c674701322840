// Native streams as WHATWG streams, carrying error codes both ways: abort(reason)/cancel(reason)
// send RESET_STREAM/STOP_SENDING with the reason's code, and a peer's reset arrives as an error
// with `streamErrorCode`, which errors.ts reads.
//
// Binding behaviour relied on (web-transport-node 0.0.7): each native stream sits behind a lock
// that a pending read() or write() holds, so stop()/reset() take effect only once that call
// returns. A reset while the peer withholds flow control therefore waits for credit.

import type { NativeRecvStream, NativeSendStream } from "./binding.ts";

/** How much one read() asks for; quinn hands over what it has, up to this. */
const READ_CHUNK = 64 * 1024;
/** Queued bytes at which write() waits for the native writes to catch up. */
const BATCH_LIMIT = 256 * 1024;

export class H3StreamError extends Error {
  readonly source = "stream";
  constructor(readonly streamErrorCode: number) {
    super(`stream reset: ${streamErrorCode}`);
    this.name = "WebTransportError";
  }
}

/** The code an abort()/cancel() reason asks for: our H3StreamError's, else 0. */
function codeOf(reason: unknown): number {
  const code = (reason as { streamErrorCode?: unknown } | undefined)?.streamErrorCode;
  return typeof code === "number" && Number.isInteger(code) && code >= 0 && code <= 0xffffffff ? code : 0;
}

/** "RESET_STREAM: 7" / "STOP_SENDING: 7" from the binding, as an error errors.ts understands. */
function translate(err: unknown): unknown {
  const text = err instanceof Error ? err.message : String(err);
  const m = /(?:RESET_STREAM|STOP_SENDING): (\d+)/.exec(text);
  return m?.[1] !== undefined ? new H3StreamError(Number(m[1])) : err;
}

export function readableOf(recv: NativeRecvStream): ReadableStream<Uint8Array> {
  // Our binary reads everything that has arrived in one call; the prebuilt one packet at a time.
  const read = recv.moqscopeRead ? (n: number) => recv.moqscopeRead!(n) : (n: number) => recv.read(n);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Buffer | null;
        try {
          chunk = await read(READ_CHUNK);
        } catch (err) {
          controller.error(translate(err));
          return;
        }
        if (chunk) controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        else controller.close();
      },
      cancel(reason) {
        recv.stop(codeOf(reason)).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

export function writableOf(send: NativeSendStream): WritableStream<Uint8Array> {
  // One native call per write costs more than the write for small frames: chunks that arrive
  // while a native write is in flight wait in `queued` and go together in the next one. write()
  // resolves once its bytes are copied into the queue (the caller may then reuse its buffer), and
  // waits for the queue to drain below BATCH_LIMIT, which keeps backpressure.
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  let flushing: Promise<void> | undefined;
  let failure: unknown;

  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      try {
        while (queued.length > 0) {
          const batch = queued.length === 1 ? queued[0]! : Buffer.concat(queued, queuedBytes);
          queued = [];
          queuedBytes = 0;
          await send.write(batch);
        }
      } catch (err) {
        failure = translate(err);
        queued = [];
        queuedBytes = 0;
      } finally {
        flushing = undefined;
      }
    })());

  return new WritableStream<Uint8Array>({
    async write(chunk) {
      if (failure) throw failure;
      queued.push(Buffer.from(chunk));
      queuedBytes += chunk.byteLength;
      const drained = flush();
      if (queuedBytes >= BATCH_LIMIT) await drained;
      if (failure) throw failure;
    },
    async close() {
      while (flushing) await flushing;
      if (failure) throw failure;
      try {
        await send.finish();
      } catch (err) {
        throw translate(err);
      }
    },
    abort(reason) {
      queued = [];
      queuedBytes = 0;
      send.reset(codeOf(reason)).catch(() => {});
    },
  });
}
