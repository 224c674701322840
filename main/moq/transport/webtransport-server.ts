// WebTransport over HTTP/2 on the server, through the @fails-components adapter. The package's HTTP/2
// server is never told to listen: we feed it TLS sockets whose ALPN chose h2, so it can share one TCP
// port with WebSocket and plain HTTP (see listener.ts).

import type { Http2SecureServer, ServerHttp2Session } from "node:http2";
import type { TLSSocket } from "node:tls";
import { selectWebTransportProtocol, type ProtocolOffer } from "./alpn.ts";
import { createH2Server, type AdaptedSession, type ServeOptions, type ServedRequest } from "./fails-adapter/index.ts";
import { startHttp3 } from "./h3/server.ts";
import { withTimeout } from "./timeout.ts";
import type { Transport } from "./types.ts";
import { webTransportTransport } from "./webtransport-transport.ts";

export interface WebTransportServerOptions extends ProtocolOffer {
  certPem: string;
  keyPem: string;
  onSession(transport: Transport, request: { url: URL; remote: string }): void;
  /**
   * A session arrived but could not be handed over (onSession threw, or its request was malformed);
   * it has been closed. Default: ignored.
   */
  onError?(err: unknown): void;
}

export interface WebTransportH2Server {
  /** The package's HTTP/2 server (never listening unless you call listen()). */
  readonly http2: Http2SecureServer;
  /** Hand over a TLS connection whose ALPN negotiated "h2". */
  handleSecureSocket(socket: TLSSocket): void;
  /**
   * Wind down every HTTP/2 connection: GOAWAY now, so streams still flushing (close capsules) finish;
   * whatever is still open after `graceMs` is destroyed. Connections handed over later are refused.
   * Resolves once none is left.
   */
  drain(graceMs: number): Promise<void>;
  close(): void;
}

export async function createWebTransportServer(opts: WebTransportServerOptions): Promise<WebTransportH2Server> {
  const server = await createH2Server(serveOptions(opts));
  const { http2 } = server;

  const connections = new Set<ServerHttp2Session>();
  let draining = false;
  http2.on("session", (session: ServerHttp2Session) => {
    if (draining) {
      session.destroy();
      return;
    }
    connections.add(session);
    session.once("close", () => connections.delete(session));
  });

  return {
    http2,
    handleSecureSocket(socket) {
      if (draining) {
        socket.destroy();
        return;
      }
      // What tls.Server does for a listening Http2SecureServer; its connection listener dispatches on ALPN.
      http2.emit("secureConnection", socket);
    },
    async drain(graceMs) {
      draining = true;
      const gone = [...connections].map(
        (session) =>
          new Promise<void>((resolve) => (session.destroyed ? resolve() : session.once("close", () => resolve()))),
      );
      for (const session of connections) {
        try {
          // Graceful: the session ends by itself once its open streams have closed.
          if (!session.closed) session.close();
        } catch {
          // already being destroyed
        }
      }
      await withTimeout(Promise.all(gone), graceMs, "HTTP/2 shutdown").catch(() => {});
      // Destroying the HTTP/2 session (not its socket) makes nghttp2 drop every stream it still holds.
      for (const session of connections) session.destroy();
      await withTimeout(Promise.all(gone), graceMs, "HTTP/2 teardown").catch(() => {});
    },
    close() {
      server.stop();
    },
  };
}

/**
 * WebTransport over HTTP/3 on UDP through @moq/web-transport, where its native part loads; else
 * why it is unavailable here. Throws when the UDP port cannot be bound.
 */
export async function startHttp3Server(
  opts: WebTransportServerOptions & { host: string; port: number },
): Promise<{ close(): Promise<void> } | { unavailable: string }> {
  const server = startHttp3({
    host: opts.host,
    port: opts.port,
    certPem: opts.certPem,
    keyPem: opts.keyPem,
    selectProtocol: (offered) => selectWebTransportProtocol(offered, opts),
    onSession: (transport, request) => opts.onSession(transport, request),
    onError: (err) => opts.onError?.(err),
  });
  return server;
}

/** Our protocol choice per request, and each established session delivered as a Transport. */
function serveOptions(opts: WebTransportServerOptions): ServeOptions {
  return {
    certPem: opts.certPem,
    keyPem: opts.keyPem,
    selectProtocol: (offered) => selectWebTransportProtocol(offered, opts),
    onSession: (adapted: AdaptedSession, request: ServedRequest) => {
      const transport = webTransportTransport(adapted, request.protocol, {
        kind: adapted.kind,
        url: request.url.href,
        negotiated: request.protocol,
      });
      opts.onSession(transport, { url: request.url, remote: request.remote });
    },
    onError: (err) => opts.onError?.(err),
  };
}
