// How a session ended, as its `closed` reports it: closed by us, closed by the peer, or lost with
// the connection under it (a cut TCP connection between the two, over each transport).

import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Session } from "../../../../main/moq/lite/session/session.ts";
import { connectTo, startServer, type TestServer } from "../../../helpers/server.ts";
import { within } from "../../../helpers/wait.ts";

/** A TCP relay on 127.0.0.1 in front of `port` whose connections can be cut at once. */
async function tcpProxy(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  const proxy = net.createServer((downstream) => {
    const upstream = net.connect(port, "127.0.0.1");
    track(downstream);
    track(upstream);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}

const transports = [
  { name: "WebSocket", scheme: "ws", transport: "websocket" },
  { name: "WebTransport/HTTP2", scheme: "http", transport: "webtransport" },
] as const;

let server: TestServer | undefined;
const clients: Session[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const fn of cleanups.splice(0)) await fn();
  await server?.close();
  server = undefined;
});

describe.each(transports)("session close over $name", (t) => {
  it("reports our own close as local", async () => {
    server = await startServer();
    const client = await connectTo(`${t.scheme}://127.0.0.1:${server.listener.port}/`, { transport: t.transport });
    const serverSession = server.sessions[0] ?? (await server.nextSession());
    client.closeWithError(64 + 2, "done here");
    expect(await client.closed).toEqual({ code: 66, reason: "done here", by: "local", dropped: false });
    expect(await within(serverSession.closed, 5000, "the server to see it")).toMatchObject({
      code: 66,
      by: "remote",
      dropped: false,
    });
  });
});

// Over WebTransport/HTTP2 the package fulfils `closed` for a lost connection as for a close (W3C
// says reject), so only WebSocket can tell the two apart until the adapter maps that.
describe("session close over WebSocket", () => {
  it("tells a lost connection apart from a close", async () => {
    server = await startServer();
    const proxy = await tcpProxy(server.listener.port);
    cleanups.push(proxy.close);
    const client = await connectTo(`ws://127.0.0.1:${proxy.port}/`, { transport: "websocket" });
    clients.push(client);
    const serverSession = server.sessions[0] ?? (await server.nextSession());
    proxy.cut();
    expect(await within(client.closed, 10_000, "the client to notice")).toMatchObject({ by: "remote", dropped: true });
    expect(await within(serverSession.closed, 10_000, "the server to notice")).toMatchObject({
      by: "remote",
      dropped: true,
    });
  });
});
