// A moq-lite server with no session logic: our listener hands each connection's bare transport to
// a per-run script that reads our client's requests and answers with whatever bytes it likes.
// On 05+ the connection also plays the parts every run needs before the script's: it opens its
// Setup stream, reads the client's, and answers each TRACK (our client asks before SUBSCRIBE).

import { StreamReader } from "../../../main/moq/coding/stream-reader.ts";
import { listen, type Listener } from "../../../main/moq/transport/listener.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { BidiStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import { versionAtLeast, type AlpnVersion, type Version } from "../../../main/moq/lite/wire/version.ts";
import { drain, writeAll } from "./raw-peer.ts";
import { responseTemplates } from "./templates.ts";

/** One request stream our client opened: its type, its first message, and our half to answer on. */
export interface Request {
  type: number;
  message: Uint8Array;
  recv: StreamReader;
  writable: WritableStream<Uint8Array>;
}

/** What a 05+ connection sends besides the script's answers; undefined = the valid message. */
export interface Own05 {
  /** The whole Setup stream (type included), in chunks. */
  setup?: readonly Uint8Array[] | undefined;
  /** The answer to each TRACK, in chunks; FIN follows. */
  track?: readonly Uint8Array[] | undefined;
}

/** The raw server's view of one connection. */
export class RawConnection {
  readonly transport: Transport;
  readonly version: Version;
  readonly #own: Own05;
  readonly #incoming: ReadableStreamDefaultReader<{
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  }>;

  constructor(transport: Transport, own: Own05 = {}) {
    this.transport = transport;
    this.version = transport.session.protocol as Version;
    this.#own = own;
    this.#incoming = transport.session.incomingBidirectionalStreams.getReader();
  }

  /** 05+: our Setup stream, written before the script runs so it precedes every answer. */
  async openSetup(): Promise<void> {
    if (!versionAtLeast(this.version, "moq-lite-05")) return;
    void this.#drainUni();
    const chunks = this.#own.setup ?? [responseTemplates(this.version, 0).setup];
    await writeAll(await this.transport.session.createUnidirectionalStream(), chunks);
  }

  /** The client's uni streams (its Setup stream) are read to their end and ignored. */
  async #drainUni(): Promise<void> {
    const uni = this.transport.session.incomingUnidirectionalStreams.getReader();
    try {
      for (;;) {
        const { value, done } = await uni.read();
        if (done) return;
        void drain(value);
      }
    } catch {
      // The connection ended.
    }
  }

  /** The client's next bidi stream, with its type and first message read; TRACKs are answered here. */
  async nextRequest(): Promise<Request> {
    for (;;) {
      const { value, done } = await this.#incoming.read();
      if (done) throw new Error("the client opened no stream");
      const recv = new StreamReader(value.readable);
      const type = await recv.varint("stream type");
      // Probe streams carry no message from our client: it sends no target.
      const message = type === 0x4 ? new Uint8Array(0) : await recv.message(1 << 16, "request");
      if (type === BidiStreamType.Track && versionAtLeast(this.version, "moq-lite-05")) {
        await writeAll(value.writable, this.#own.track ?? [responseTemplates(this.version, 0).trackInfo]);
        continue;
      }
      return { type, message, recv, writable: value.writable };
    }
  }
}

export type Script = (conn: RawConnection) => Promise<void>;

export interface RawServer {
  ws: string;
  /** What the server does with the next connection. */
  script: Script;
  /** What the next connection sends on its own (05+). */
  own: Own05;
  close(): Promise<void>;
}

/** `versions`: what the listener accepts; 03/04 unless a suite opts into more. */
export async function startRawServer(
  versions: readonly AlpnVersion[] = ["moq-lite-04", "moq-lite-03"],
): Promise<RawServer> {
  const server: RawServer = {
    ws: "",
    script: async () => {},
    own: {},
    close: () => listener.close(),
  };
  const listener: Listener = await listen({
    versions: [...versions],
    legacy: false,
    http3: false,
    onSession: (transport) => {
      const { script, own } = server;
      void Promise.resolve(transport.session.ready)
        .then(async () => {
          const conn = new RawConnection(transport, own);
          await conn.openSetup();
          await script(conn);
        })
        // The client closing mid-script is the usual end of a hostile run; the verdict is the
        // client's, so nothing here is judged.
        .catch(() => {});
    },
  });
  server.ws = `ws://127.0.0.1:${listener.port}/`;
  return server;
}
