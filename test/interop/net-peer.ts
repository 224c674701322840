// @moq/net 0.3.4 (the reference TypeScript implementation after @moq/lite) as a peer for interop
// tests: a server on 127.0.0.1 over WebSocket + QMux (@moq/qmux 0.3.3) and a client dialling any
// URL, each pinned to one moq-lite version by the subprotocol it accepts or offers. @moq/net runs
// on whatever WebTransport-shaped session it is handed, so the QMux session goes in as it is.

import { installPolyfills } from "../../main/moq/transport/polyfill.ts";
import type { AddressInfo } from "node:net";
import * as Net from "@moq/net";
import QSession, { selectSubprotocol } from "@moq/qmux";
import WebSocket, { WebSocketServer } from "ws";

installPolyfills();
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export type NetVersion = "moq-lite-03" | "moq-lite-04" | "moq-lite-05";
export type NetConnection = Net.Connection.Established;

export interface NetServer {
  readonly url: string;
  readonly version: NetVersion;
  /** Resolves with the next connection (or one established but not yet taken). */
  nextConnection(): Promise<NetConnection>;
  readonly errors: unknown[];
  close(): Promise<void>;
}

/** A @moq/net server on 127.0.0.1 speaking only `version` over WebSocket + QMux. */
export async function startNetServer(version: NetVersion): Promise<NetServer> {
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
  const connections: NetConnection[] = [];
  const unclaimed: NetConnection[] = [];
  const waiting: ((c: NetConnection) => void)[] = [];
  const errors: unknown[] = [];
  wss.on("connection", (socket, req) => {
    socket.on("error", () => {});
    // Synchronously: `ws` drops messages that arrive before anyone listens.
    const session = QSession.accept(socket as unknown as Parameters<typeof QSession.accept>[0]);
    void (async () => {
      await session.ready;
      const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
      const conn = await Net.Connection.accept(session as unknown as WebTransport, url);
      connections.push(conn);
      const w = waiting.shift();
      if (w) w(conn);
      else unclaimed.push(conn);
    })().catch((err: unknown) => errors.push(err));
  });
  return {
    url: `ws://127.0.0.1:${port}/`,
    version,
    errors,
    nextConnection: () => {
      const c = unclaimed.shift();
      return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const c of connections) c.close();
      for (const s of wss.clients) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A @moq/net client dialling `url` over WebSocket + QMux, offering only `version`. */
export async function connectNet(url: string, version: NetVersion): Promise<NetConnection> {
  const target = new URL(url);
  const transport = new QSession(target, {
    protocols: [version],
    versions: { [version]: null },
    requireProtocol: true,
  });
  await transport.ready;
  const connection = await Net.Connection.connect(target, { transport: transport as unknown as WebTransport });
  return connection;
}

/** Frames of one @moq/net group, with their timestamps, until it ends. */
export async function readNetGroup(group: {
  readFrame(): Promise<Net.Group.Frame | undefined>;
}): Promise<{ payload: Uint8Array; timestamp: number; scale: number }[]> {
  const frames: { payload: Uint8Array; timestamp: number; scale: number }[] = [];
  for (let f; (f = await group.readFrame()) !== undefined;) {
    frames.push({ payload: f.payload, timestamp: f.timestamp.value, scale: f.timestamp.scale });
  }
  return frames;
}

export { Net };
