// WebTransport over HTTP/2 on the server, with @fails-components' Http2Server. Its HTTP/2 server is
// never told to listen: we build the transport part directly and feed it TLS sockets whose ALPN
// chose h2, so it can share one TCP port with WebSocket and plain HTTP (see listener.ts). Calling
// `http2.listen()` instead also works for a dedicated port.

import { randomBytes } from "node:crypto";
import type { Http2SecureServer, ServerHttp2Session } from "node:http2";
import type { TLSSocket } from "node:tls";
import { selectWebTransportProtocol, type ProtocolOffer } from "./alpn.ts";
import { withTimeout } from "./timeout.ts";
import { loadWebTransport, type FailsHttpServer, type FailsServerSession } from "./webtransport-loader.ts";
import { WEBTRANSPORT_FLOW_WINDOW, webTransportTransport } from "./webtransport-transport.ts";
import type { Transport, TransportKind } from "./types.ts";

export interface WebTransportServerOptions extends ProtocolOffer {
  certPem: string;
  keyPem: string;
  onSession(transport: Transport, request: { url: URL; remote: string }): void;
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

// All sessions are routed to one internal path; the real path stays in the request header.
const SESSION_PATH = "/";

export async function createWebTransportServer(opts: WebTransportServerOptions): Promise<WebTransportH2Server> {
  const { mod } = await loadWebTransport();
  const server = new mod.Http2Server({
    port: 0,
    host: "127.0.0.1",
    secret: randomBytes(16).toString("hex"),
    cert: opts.certPem,
    privKey: opts.keyPem,
    // Without these the server announces 16 KiB and never grants more: transfers stall there.
    initialSessionFlowControlWindow: WEBTRANSPORT_FLOW_WINDOW,
    sessionFlowControlWindowSizeLimit: WEBTRANSPORT_FLOW_WINDOW,
  });
  // Settled only if someone calls listen(); never leave them as unhandled rejections.
  server.ready.catch(() => {});
  server.closed.catch(() => {});
  await server.createTransportInt();
  const http2 = server.transportInt?.serverInt;
  if (!http2) throw new Error("@fails-components/webtransport did not create its HTTP/2 server");

  serveSessions(server, opts, "webtransport-h2");

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
        (session) => new Promise<void>((resolve) => (session.destroyed ? resolve() : session.once("close", () => resolve()))),
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
      try {
        server.stopServer();
      } catch {
        // not listening: nothing to stop
      }
    },
  };
}

/** Choose the protocol per request and deliver each established session as a Transport. */
function serveSessions(server: FailsHttpServer, opts: WebTransportServerOptions, kind: TransportKind): void {
  server.setRequestCallback(async ({ header }) => {
    const offered = header["wt-available-protocols"];
    const list = Array.isArray(offered) ? offered.map(String) : undefined;
    const protocol = selectWebTransportProtocol(list, opts);
    if (protocol === undefined) return { status: 400, path: SESSION_PATH };
    return {
      status: 200,
      path: SESSION_PATH,
      // Unquoted, because the package's client reads the header value verbatim.
      ...(protocol ? { selectedProtocol: protocol } : {}),
      userData: { protocol },
    };
  });
  void pump(server, opts, kind);
}

/**
 * WebTransport over HTTP/3 on UDP, only where the package's native part loaded (never on the build
 * machines, so this path is untested here). Returns undefined when HTTP/3 is unavailable.
 */
export async function startHttp3Server(
  opts: WebTransportServerOptions & { host: string; port: number },
): Promise<{ close(): void } | undefined> {
  const { mod, http3 } = await loadWebTransport();
  if (!http3) return undefined;
  const server = new mod.Http3Server({
    port: opts.port,
    host: opts.host,
    secret: randomBytes(16).toString("hex"),
    cert: opts.certPem,
    privKey: opts.keyPem,
  });
  server.closed.catch(() => {});
  serveSessions(server, opts, "webtransport-h3");
  server.startServer();
  await server.ready;
  return {
    close() {
      try {
        server.stopServer();
      } catch {
        // already stopped
      }
    },
  };
}

async function pump(server: FailsHttpServer, opts: WebTransportServerOptions, kind: TransportKind): Promise<void> {
  const reader = server.sessionStream(SESSION_PATH, { noAutoPaths: true }).getReader();
  for (;;) {
    const { value: session, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (done || !session) return;
    try {
      deliver(session, opts, kind);
    } catch (err) {
      session.close({ closeCode: 0, reason: "internal error" });
      console.error("webtransport session setup failed:", err);
    }
  }
}

function deliver(session: FailsServerSession, opts: WebTransportServerOptions, kind: TransportKind): void {
  const header = session.header ?? {};
  const authority = String(header[":authority"] ?? header["host"] ?? "localhost");
  const url = new URL(String(header[":path"] ?? "/"), `https://${authority}`);
  const protocol = typeof session.userData?.["protocol"] === "string" ? session.userData["protocol"] : "";
  const transport = webTransportTransport(session, session, protocol, {
    kind,
    url: url.href,
    negotiated: protocol,
  });
  opts.onSession(transport, { url, remote: session.peerAddress ?? "" });
}
