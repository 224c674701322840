// A QMux session over a `ws` socket, packaged as a Transport. Shared by both roles.

import Session, { StreamError } from "@moq/qmux";
import type WebSocket from "ws";
import { requireQmuxBuiltins } from "./polyfill.ts";
import { RttPinger } from "./rtt.ts";
import type { Transport, TransportInfo, TransportSession } from "./types.ts";

/**
 * Wrap a `ws` socket: `role` decides QMux stream-id parity. Call this before the socket opens (or
 * synchronously in the server's upgrade callback): `ws` drops messages nobody listens for, and the
 * peer's first frame (its transport parameters) must not be lost. `info` may still be filled in
 * after the handshake.
 */
export function qmuxTransport(
  socket: WebSocket,
  role: "client" | "server",
  info: TransportInfo,
): Transport & { readonly pinger: RttPinger } {
  requireQmuxBuiltins();
  // `ws` sockets have the WebSocket shape qmux adopts; its typings expect the DOM class.
  const like = socket as unknown as ConstructorParameters<typeof Session>[0] & Parameters<typeof Session.accept>[0];
  const session = (role === "server" ? Session.accept(like) : new Session(like)) as unknown as TransportSession;
  // `ws` emits 'error' as an EventEmitter event; qmux listens through onerror, keep a guard anyway.
  socket.on("error", () => {});

  const pinger = new RttPinger(() => pingOnce(socket));
  const begin = () => pinger.start();
  const stop = () => {
    socket.removeListener("open", begin);
    pinger.stop();
  };
  if (socket.readyState === socket.OPEN) begin();
  else socket.once("open", begin);
  socket.once("close", stop);

  return {
    session,
    info,
    pinger,
    streamError: (code) => new StreamError(code),
    stats: () => ({ smoothedRttMs: pinger.estimator.smoothedMs, latestRttMs: pinger.estimator.latestMs }),
    sessionEstablished: () => pinger.restart(),
    dispose: stop,
  };
}

let pingCounter = 0;

/**
 * One WebSocket ping; resolves with the round trip in ms when its pong arrives. The ping carries a
 * counter so an unsolicited pong cannot pass for its answer; time is taken right before the write
 * and the pong is timed in the socket's own data handler, so neither waits for the event loop.
 */
function pingOnce(socket: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return reject(new Error("socket not open"));
    pingCounter = (pingCounter + 1) >>> 0;
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(pingCounter);
    let sentAt = 0;
    const onPong = (data: Buffer) => {
      if (!payload.equals(data)) return;
      const ms = performance.now() - sentAt;
      cleanup();
      resolve(ms);
    };
    const onClose = () => {
      cleanup();
      reject(new Error("socket closed"));
    };
    const cleanup = () => {
      socket.removeListener("pong", onPong);
      socket.removeListener("close", onClose);
    };
    socket.on("pong", onPong);
    socket.once("close", onClose);
    try {
      sentAt = performance.now();
      socket.ping(payload);
    } catch (err) {
      cleanup();
      reject(err);
    }
  });
}
