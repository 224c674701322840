// A moq-lite server with no session logic: our listener hands each connection's bare transport to
// a per-run script that reads our client's requests and answers with whatever bytes it likes.

import { StreamReader } from "../../../main/moq/coding/stream-reader.ts";
import { listen, type Listener } from "../../../main/moq/transport/listener.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";

/** One request stream our client opened: its type, its first message, and our half to answer on. */
export interface Request {
  type: number;
  message: Uint8Array;
  recv: StreamReader;
  writable: WritableStream<Uint8Array>;
}

/** The raw server's view of one connection. */
export class RawConnection {
  readonly transport: Transport;
  readonly version: Version;
  readonly #incoming: ReadableStreamDefaultReader<{
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  }>;

  constructor(transport: Transport) {
    this.transport = transport;
    this.version = transport.session.protocol as Version;
    this.#incoming = transport.session.incomingBidirectionalStreams.getReader();
  }

  /** The client's next bidi stream, with its type and first message read. */
  async nextRequest(): Promise<Request> {
    const { value, done } = await this.#incoming.read();
    if (done) throw new Error("the client opened no stream");
    const recv = new StreamReader(value.readable);
    const type = await recv.varint("stream type");
    // Probe streams carry no message from our client: it sends no target.
    const message = type === 0x4 ? new Uint8Array(0) : await recv.message(1 << 16, "request");
    return { type, message, recv, writable: value.writable };
  }
}

export type Script = (conn: RawConnection) => Promise<void>;

export interface RawServer {
  ws: string;
  /** What the server does with the next connection. */
  script: Script;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  const state: { script: Script } = { script: async () => {} };
  const listener: Listener = await listen({
    versions: ["moq-lite-04", "moq-lite-03"],
    legacy: false,
    http3: false,
    onSession: (transport) => {
      const script = state.script;
      void Promise.resolve(transport.session.ready)
        .then(() => script(new RawConnection(transport)))
        // The client closing mid-script is the usual end of a hostile run; the verdict is the
        // client's, so nothing here is judged.
        .catch(() => {});
    },
  });
  return {
    ws: `ws://127.0.0.1:${listener.port}/`,
    get script() {
      return state.script;
    },
    set script(s: Script) {
      state.script = s;
    },
    close: () => listener.close(),
  };
}
