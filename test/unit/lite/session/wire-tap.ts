// A transport seen through a tap: every stream the session opens or accepts passes through
// wrappers that count the bytes written to and read from the real transport's streams, and may
// re-chunk what the session reads. The transport underneath is real (127.0.0.1).

import type { BidiStream, Transport, TransportSession } from "../../../../main/moq/transport/types.ts";

export interface WireTap {
  readonly transport: Transport;
  /** Bytes handed to the transport's writable streams. */
  readonly written: () => number;
  /** Bytes taken from the transport's readable streams. */
  readonly read: () => number;
}

export interface TapOptions {
  /** Reshape what the session reads from each incoming unidirectional stream. */
  incomingUni?: (readable: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

export function tapTransport(inner: Transport, options: TapOptions = {}): WireTap {
  let written = 0;
  let read = 0;
  const out = (w: WritableStream<Uint8Array>) => countWrites(w, (n) => (written += n));
  const into = (r: ReadableStream<Uint8Array>) => countReads(r, (n) => (read += n));
  const bidi = (s: BidiStream): BidiStream => ({ readable: into(s.readable), writable: out(s.writable) });
  const s = inner.session;
  const session: TransportSession = {
    get ready() {
      return s.ready;
    },
    get closed() {
      return s.closed;
    },
    get protocol() {
      return s.protocol;
    },
    incomingBidirectionalStreams: mapStream(s.incomingBidirectionalStreams, bidi),
    incomingUnidirectionalStreams: mapStream(s.incomingUnidirectionalStreams, (r) =>
      (options.incomingUni ?? ((x) => x))(into(r)),
    ),
    createBidirectionalStream: async (o) => bidi(await s.createBidirectionalStream(o)),
    createUnidirectionalStream: async (o) => out(await s.createUnidirectionalStream(o)),
    close: (info) => s.close(info),
  };
  const transport: Transport = {
    session,
    info: inner.info,
    streamError: (code) => inner.streamError(code),
    stats: () => inner.stats(),
    dispose: () => inner.dispose(),
  };
  return { transport, written: () => written, read: () => read };
}

function mapStream<A, B>(source: ReadableStream<A>, fn: (a: A) => B): ReadableStream<B> {
  const reader = source.getReader();
  return new ReadableStream<B>(
    {
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(fn(value));
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

function countReads(source: ReadableStream<Uint8Array>, count: (n: number) => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        count(value.byteLength);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

function countWrites(sink: WritableStream<Uint8Array>, count: (n: number) => void): WritableStream<Uint8Array> {
  const writer = sink.getWriter();
  return new WritableStream<Uint8Array>({
    start(controller) {
      // The peer's STOP_SENDING errors the real stream: let the session see it.
      writer.closed.catch((err: unknown) => controller.error(err));
    },
    async write(chunk) {
      count(chunk.byteLength);
      await writer.write(chunk);
    },
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
}

/** Hold everything a stream carries and hand it on as one chunk at its end; `onChunk` runs just before. */
export function oneChunkAtEnd(
  readable: ReadableStream<Uint8Array>,
  onChunk: () => void = () => {},
): ReadableStream<Uint8Array> {
  const parts: Uint8Array[] = [];
  return readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk) {
        parts.push(chunk);
      },
      flush(controller) {
        const merged = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
        let at = 0;
        for (const p of parts) {
          merged.set(p, at);
          at += p.byteLength;
        }
        onChunk();
        controller.enqueue(merged);
      },
    }),
  );
}
