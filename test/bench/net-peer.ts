// Driving @moq/net 0.3.4 (the reference TypeScript implementation since @moq/lite) in the
// benchmark, over the same transport sessions our library uses, as lite-peer.ts does for @moq/lite:
// a comparison then measures the moq-lite layer and not two QMux or WebTransport stacks. @moq/net
// reads the negotiated protocol off the session to pick its version (03, 04 or 05).

import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import * as Net from "@moq/net";
import type { Transport, TransportSession } from "../../main/moq/transport/types.ts";

installPolyfills();

export { Net };

/** A @moq/net client connection over a transport we dialled. */
export async function netClient(url: string, transport: Transport): Promise<Net.Connection.Established> {
  return Net.Connection.connect(new URL(url), { transport: copyingSession(transport.session) as never });
}

/** A @moq/net server connection over a transport our listener accepted. */
export async function netServer(url: string, transport: Transport): Promise<Net.Connection.Established> {
  return Net.Connection.accept(copyingSession(transport.session) as never, new URL(url));
}

/** Every frame carries a timestamp on 05; the benchmark's are all zero, in milliseconds. */
export const ZERO_TIME = new Net.Time.Timestamp(0, Net.Time.Timescale(1000));

/**
 * A session whose writable streams copy each chunk before passing it on. @moq/net, like @moq/lite,
 * may reuse a buffer once write() resolved, which our transports resolve on enqueue.
 */
export function copyingSession(session: TransportSession): TransportSession {
  const copying = (writable: WritableStream<Uint8Array>): WritableStream<Uint8Array> => {
    const copy = new TransformStream<Uint8Array, Uint8Array>({ transform: (chunk, c) => c.enqueue(chunk.slice()) });
    void copy.readable.pipeTo(writable).catch(() => {});
    return copy.writable;
  };
  const bidi = (s: WebTransportBidirectionalStream) =>
    ({ readable: s.readable, writable: copying(s.writable) }) as WebTransportBidirectionalStream;
  let incoming: ReadableStream<WebTransportBidirectionalStream> | undefined;
  return new Proxy(session, {
    get(target, prop) {
      if (prop === "createUnidirectionalStream")
        return async (o?: unknown) => copying(await target.createUnidirectionalStream(o as never));
      if (prop === "createBidirectionalStream")
        return async (o?: unknown) => bidi(await target.createBidirectionalStream(o as never));
      if (prop === "incomingBidirectionalStreams")
        return (incoming ??= target.incomingBidirectionalStreams.pipeThrough(
          new TransformStream<WebTransportBidirectionalStream, WebTransportBidirectionalStream>({
            transform: (s, c) => c.enqueue(bidi(s)),
          }),
        ));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
