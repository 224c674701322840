// A QMux session over a `ws` socket, packaged as a Transport. Shared by both roles.

import Session, { StreamError } from "@moq/qmux";
import type WebSocket from "ws";
import { requireQmuxBuiltins } from "./polyfill.ts";
import { RttEstimator, startPinger } from "./rtt.ts";
import type { Transport, TransportInfo, TransportSession } from "./types.ts";

/**
 * Wrap a `ws` socket: `role` decides QMux stream-id parity. Call this before the socket opens (or
 * synchronously in the server's upgrade callback): `ws` drops messages nobody listens for, and the
 * peer's first frame (its transport parameters) must not be lost. `info` may still be filled in
 * after the handshake.
 */
export function qmuxTransport(socket: WebSocket, role: "client" | "server", info: TransportInfo): Transport {
  requireQmuxBuiltins();
  // `ws` sockets have the WebSocket shape qmux adopts; its typings expect the DOM class.
  const like = socket as unknown as ConstructorParameters<typeof Session>[0] & Parameters<typeof Session.accept>[0];
  const session = (role === "server" ? Session.accept(like) : new Session(like)) as unknown as TransportSession;
  // `ws` emits 'error' as an EventEmitter event; qmux listens through onerror, keep a guard anyway.
  socket.on("error", () => {});

  const rtt = new RttEstimator();
  let stopPinger: (() => void) | undefined;
  let disposed = false;
  const begin = () => {
    if (!disposed) stopPinger = startPinger(() => pingOnce(socket), rtt);
  };
  const stop = () => {
    disposed = true;
    stopPinger?.();
  };
  if (socket.readyState === socket.OPEN) begin();
  else socket.once("open", begin);
  socket.once("close", stop);

  return {
    session,
    info,
    streamError: (code) => new StreamError(code),
    stats: () => ({ smoothedRttMs: rtt.smoothedMs }),
    dispose: stop,
  };
}

/** One WebSocket ping; resolves with the round trip in ms when the pong arrives. */
function pingOnce(socket: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return reject(new Error("socket not open"));
    const sentAt = performance.now();
    const onPong = () => {
      cleanup();
      resolve(performance.now() - sentAt);
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
      socket.ping();
    } catch (err) {
      cleanup();
      reject(err);
    }
  });
}
