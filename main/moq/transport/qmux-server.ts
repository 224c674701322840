// Server side of WebSocket + QMux on a `ws` server in noServer mode: the HTTP server hands us upgrade
// requests, we choose the subprotocol by our preference (refusing with a readable 400 when nothing
// fits), and each accepted socket becomes a Transport.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { selectSubprotocol, serverSubprotocols, type ProtocolOffer } from "./alpn.ts";
import { qmuxTransport } from "./qmux-transport.ts";
import type { Transport } from "./types.ts";

export interface WebSocketRequest {
  /** ws:// or wss:// URL of the request, path and query (?jwt=) included. */
  url: URL;
  /** "address:port" of the peer. */
  remote: string;
  /** "address:port" of our end. */
  local: string;
}

export interface QmuxUpgradeHandler {
  /** Handle one HTTP upgrade; returns false (and answers 400) when no subprotocol fits. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Close the underlying `ws` server (open sockets are the caller's to close). */
  close(): void;
}

/**
 * The choice `ws` asks for during the handshake. With `legacy`, a client that offers nothing at all
 * still gets the pre-QMux wire format (an empty choice); otherwise it is refused.
 */
export function chooseSubprotocol(offered: Iterable<string>, offer: ProtocolOffer): string | false {
  return selectSubprotocol(offered, offer) ?? false;
}

/**
 * Wrap an accepted `ws` socket as a server-side Transport (kind "websocket"). Call it synchronously
 * in the handleUpgrade callback: `ws` drops messages that arrive before anyone listens.
 */
export function acceptWebSocket(ws: WebSocket, request: IncomingMessage): Transport {
  const url = requestUrl(request);
  return qmuxTransport(ws, "server", { kind: "websocket", url: url.href, negotiated: ws.protocol });
}

export function requestUrl(request: IncomingMessage): URL {
  const secure = Boolean((request.socket as { encrypted?: boolean }).encrypted);
  const host = request.headers.host ?? "localhost";
  return new URL(request.url ?? "/", `${secure ? "wss" : "ws"}://${host}`);
}

export function remoteOf(request: IncomingMessage): string {
  const s = request.socket;
  return s.remoteFamily === "IPv6" ? `[${s.remoteAddress}]:${s.remotePort}` : `${s.remoteAddress}:${s.remotePort}`;
}

function localOf(request: IncomingMessage): string {
  const s = request.socket;
  return s.localFamily === "IPv6" ? `[${s.localAddress}]:${s.localPort}` : `${s.localAddress}:${s.localPort}`;
}

/** A noServer `ws` server that turns each acceptable upgrade into a Transport. */
export function createQmuxUpgradeHandler(
  offer: ProtocolOffer,
  onSession: (transport: Transport, request: WebSocketRequest) => void,
): QmuxUpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => chooseSubprotocol(offered, offer),
  });
  return {
    handleUpgrade(req, socket, head) {
      const header = req.headers["sec-websocket-protocol"];
      const choice = selectSubprotocol(header, offer);
      if (!choice && !(offer.legacy && !header)) {
        const body =
          `no supported protocol: this server speaks ${serverSubprotocols(offer).join(", ")}; ` +
          `the client offered ${header ? header : "nothing"}\n`;
        socket.end(
          `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return false;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        onSession(acceptWebSocket(ws, req), { url: requestUrl(req), remote: remoteOf(req), local: localOf(req) });
      });
      return true;
    },
    close() {
      wss.close();
    },
  };
}
