// A native session in the W3C WebTransport shape the library uses (types.ts).

import type { BidiStream, StreamOptions, TransportSession, WebTransportCloseInfo } from "../types.ts";
import type { NativeBiStream, NativeSendStream, NativeSession } from "./binding.ts";
import { readableOf, writableOf } from "./streams.ts";

const I32_MAX = 2 ** 31 - 1;

export function sessionOf(native: NativeSession, protocol: string): TransportSession {
  let closing: WebTransportCloseInfo | undefined;
  // The binding resolves closed() with code 0 and quinn's error text when the connection ended
  // without a WebTransport close (an idle timeout, a reset); the W3C shape rejects then.
  const closed = native.closed().then((info) => {
    if (closing) return closing;
    if (info.closeCode === 0 && /^connection error/.test(info.reason) && !/closed by peer/.test(info.reason))
      throw new Error(`HTTP/3 connection lost: ${info.reason}`);
    return { closeCode: info.closeCode, reason: info.reason };
  });
  closed.catch(() => {});

  return {
    ready: Promise.resolve(),
    closed,
    protocol,
    incomingBidirectionalStreams: incoming(() => native.acceptBi().then(bidiOf)),
    incomingUnidirectionalStreams: incoming(() => native.acceptUni().then(readableOf)),
    async createBidirectionalStream(options?: StreamOptions): Promise<BidiStream> {
      const bi = await native.openBi();
      const send = bi.takeSend();
      prioritize(send, options);
      return { readable: readableOf(bi.takeRecv()), writable: writableOf(send) };
    },
    async createUnidirectionalStream(options?: StreamOptions): Promise<WritableStream<Uint8Array>> {
      const send = await native.openUni();
      prioritize(send, options);
      return writableOf(send);
    },
    close(info?: WebTransportCloseInfo) {
      if (closing) return;
      const closeCode = info?.closeCode ?? 0;
      const reason = info?.reason ?? "";
      closing = { closeCode, reason };
      native.close(closeCode, reason);
    },
  };
}

function bidiOf(bi: NativeBiStream): BidiStream {
  return { readable: readableOf(bi.takeRecv()), writable: writableOf(bi.takeSend()) };
}

/** Streams the peer opens, as a ReadableStream that ends when the session does. */
function incoming<T>(accept: () => Promise<T>): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      async pull(controller) {
        try {
          controller.enqueue(await accept());
        } catch {
          controller.close(); // the session ended; `closed` says how
        }
      },
    },
    { highWaterMark: 0 },
  );
}

function prioritize(send: NativeSendStream, options?: StreamOptions): void {
  if (options?.sendOrder === undefined) return;
  const priority = Math.max(-I32_MAX - 1, Math.min(I32_MAX, Math.trunc(options.sendOrder)));
  send.setPriority(priority).catch(() => {});
}
