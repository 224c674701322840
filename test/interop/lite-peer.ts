// @moq/lite (the reference TypeScript implementation) as a peer for interop tests: a server on
// 127.0.0.1 over WebSocket + QMux (@moq/qmux 0.3.3), and a client dialling any URL, each pinned to
// one moq-lite version. See spec §16 for why every piece is here.

// Node 20 lacks Promise.withResolvers and Set.prototype.difference, both used by @moq/lite.
import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import type { AddressInfo } from "node:net";
import * as Moq from "@moq/lite";
import QSession, { selectSubprotocol } from "@moq/qmux";
import WebSocket, { WebSocketServer } from "ws";

installPolyfills();

// Both qmux versions dial through the global WebSocket, which Node 20 does not have.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export type LiteVersion = "moq-lite-03" | "moq-lite-04";
export type LiteConnection = Moq.Connection.Established;

export interface PeerOptions {
  version: LiteVersion;
  /**
   * Give the transport a `getStats()` reporting this send rate (bits/s). @moq/lite answers PROBE
   * only when its transport has getStats; without it, it FINs every probe stream at once.
   */
  estimatedSendRate?: number;
}

/** The W3C-WebTransport slice @moq/lite touches. */
interface StreamPair {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

interface QmuxLike {
  readonly protocol: string;
  readonly ready: Promise<void>;
  readonly closed: Promise<unknown>;
  readonly incomingBidirectionalStreams: ReadableStream<StreamPair>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  readonly datagrams: unknown;
  createBidirectionalStream(options?: { sendOrder?: number }): Promise<StreamPair>;
  createUnidirectionalStream(options?: { sendOrder?: number }): Promise<WritableStream<Uint8Array>>;
  close(info?: { closeCode?: number; reason?: string }): void;
}

/**
 * Read a stream as fast as bytes come. @moq/lite waits for a peer's FIN (or reset) on
 * `reader.closed` without a read pending, and a qmux 0.3.3 stream only settles `closed` after a
 * read; a pipe always has one pending, so the end is seen. Errors and cancels pass through.
 */
function eager(readable: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return readable.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 1024 }));
}

/** The session as @moq/lite should see it: every readable read eagerly, optional fake stats. */
function adapt(session: QmuxLike, estimatedSendRate: number | undefined): unknown {
  const bidi = session.incomingBidirectionalStreams.pipeThrough(
    new TransformStream<StreamPair, StreamPair>({
      transform: (s, c) => c.enqueue({ readable: eager(s.readable), writable: s.writable }),
    }),
  );
  const uni = session.incomingUnidirectionalStreams.pipeThrough(
    new TransformStream<ReadableStream<Uint8Array>, ReadableStream<Uint8Array>>({
      transform: (s, c) => c.enqueue(eager(s)),
    }),
  );
  const adapted: Record<string, unknown> = {
    get protocol() {
      return session.protocol;
    },
    ready: session.ready,
    closed: session.closed,
    datagrams: session.datagrams,
    incomingBidirectionalStreams: bidi,
    incomingUnidirectionalStreams: uni,
    createBidirectionalStream: async (options?: { sendOrder?: number }) => {
      const s = await session.createBidirectionalStream(options);
      return { readable: eager(s.readable), writable: s.writable };
    },
    createUnidirectionalStream: (options?: { sendOrder?: number }) => session.createUnidirectionalStream(options),
    close: (info?: { closeCode?: number; reason?: string }) => session.close(info),
  };
  if (estimatedSendRate !== undefined) {
    adapted.getStats = async () => ({ estimatedSendRate });
  }
  return adapted;
}

export interface LiteServer {
  readonly port: number;
  /** ws://127.0.0.1:PORT/ */
  readonly url: string;
  readonly version: LiteVersion;
  /** Server-side connections, in the order they were established. */
  readonly connections: LiteConnection[];
  /** Resolves with the next connection (or one established but not yet taken). */
  nextConnection(): Promise<LiteConnection>;
  /** Publish on every connection, present and future, until the broadcast closes. */
  publish(path: string, broadcast: Moq.Broadcast): void;
  /** Connection-level failures of @moq/lite (handshake or accept), for diagnostics. */
  readonly errors: unknown[];
  close(): Promise<void>;
}

/** A @moq/lite server on 127.0.0.1 speaking only `options.version` over WebSocket + QMux. */
export async function startLiteServer(options: PeerOptions): Promise<LiteServer> {
  const { version } = options;
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    perMessageDeflate: false,
    handleProtocols: (offered) =>
      selectSubprotocol([...offered], { protocols: [version], versions: { [version]: null }, requireProtocol: true }) ??
      false,
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const port = (wss.address() as AddressInfo).port;
  const connections: LiteConnection[] = [];
  const unclaimed: LiteConnection[] = [];
  const waiting: ((c: LiteConnection) => void)[] = [];
  const published: { path: Moq.Path.Valid; broadcast: Moq.Broadcast }[] = [];
  const errors: unknown[] = [];

  wss.on("connection", (socket, req) => {
    socket.on("error", () => {});
    // Synchronously: `ws` drops messages that arrive before anyone listens.
    const session = QSession.accept(socket as unknown as Parameters<typeof QSession.accept>[0]) as unknown as QmuxLike;
    void (async () => {
      await session.ready;
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
      const conn = await Moq.Connection.accept(adapt(session, options.estimatedSendRate) as never, url);
      connections.push(conn);
      for (const p of published) conn.publish(p.path, p.broadcast);
      const w = waiting.shift();
      if (w) w(conn);
      else unclaimed.push(conn);
    })().catch((err: unknown) => errors.push(err));
  });

  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    version,
    connections,
    errors,
    nextConnection: () => {
      const c = unclaimed.shift();
      return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
    },
    publish(path, broadcast) {
      const entry = { path: Moq.Path.from(path), broadcast };
      published.push(entry);
      void broadcast.closed.finally(() => published.splice(published.indexOf(entry), 1));
      for (const c of connections) c.publish(entry.path, broadcast);
    },
    async close() {
      for (const c of connections) c.close();
      for (const s of wss.clients) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export interface LiteClient {
  readonly connection: LiteConnection;
  close(): void;
}

/** A @moq/lite client dialling `url` over WebSocket + QMux, offering only `options.version`. */
export async function connectLite(url: string, options: PeerOptions): Promise<LiteClient> {
  const target = new URL(url);
  const transport = new QSession(target, {
    protocols: [options.version],
    versions: { [options.version]: null },
    requireProtocol: true,
  }) as unknown as QmuxLike;
  await transport.ready;
  const connection = await Moq.Connection.connect(target, {
    transport: adapt(transport, options.estimatedSendRate) as never,
  });
  if (connection.version !== options.version) {
    connection.close();
    throw new Error(`@moq/lite negotiated ${connection.version}, expected ${options.version}`);
  }
  return {
    connection,
    close: () => connection.close(),
  };
}

/** Frames of one @moq/lite group until it ends. */
export async function readLiteGroup(group: Moq.Group): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (let f; (f = await group.readFrame()) !== undefined;) frames.push(f);
  return frames;
}

export { Moq };
