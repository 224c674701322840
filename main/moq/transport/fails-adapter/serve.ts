// The server side: the package's HTTP/2 server (HTTP/3 is ../h3/'s), with every session handed over as an AdaptedSession plus what the request asked for.
//
// Workarounds (each checked against 1.6.8):
// - HTTP/2 without listening: `Http2Server.createTransportInt()` builds the package's
//   Http2WebTransportServer, whose `serverInt` is a node:http2 Http2SecureServer with the package's
//   handlers on it. We never call startServer() (which would listen on a port of its own); the caller
//   feeds that server TLS sockets whose ALPN chose h2, so it shares one TCP port with WebSocket.
// - Protocol choice: with a request callback set, the package hands it the CONNECT headers with
//   `wt-available-protocols` already parsed into a list of strings, and sends our `selectedProtocol`
//   back as `wt-protocol` verbatim. Its own client reads that header verbatim too, so we answer the
//   bare token (our client also accepts a quoted one from other servers).
// - The request callback's `userData` comes back on the session; that is how a session learns the
//   protocol chosen for it.

import { randomBytes } from "node:crypto";
import type { Http2SecureServer } from "node:http2";
import { FLOW_WINDOW } from "./flow-window.ts";
import { loadFailsPackage } from "./load.ts";
import type { FailsHttpServer, FailsServerSession } from "./package-types.ts";
import { adaptSession, type AdaptedSession, type WebTransportKind } from "./session.ts";

export interface ServeOptions {
  certPem: string;
  keyPem: string;
  /** The protocol to select from the client's offer: undefined refuses (HTTP 400), "" accepts with none. */
  selectProtocol(offered: string[] | undefined): string | undefined;
  onSession(session: AdaptedSession, request: ServedRequest): void;
  /** A session arrived but could not be handed over (it has been closed). */
  onError(err: unknown): void;
}

export interface ServedRequest {
  /** https:// plus the :authority and :path the client sent. */
  url: URL;
  /** "address:port" of the peer, when the package knows it. */
  remote: string;
  /** The protocol selectProtocol chose ("" for none). */
  protocol: string;
}

export interface FailsH2Server {
  /** The package's node:http2 server. It never listens: emit "secureConnection" with a TLS socket. */
  readonly http2: Http2SecureServer;
  /** Stop the package's server (ends its session stream). */
  stop(): void;
}

// All sessions are routed to one internal path; the real path stays in the request headers.
const SESSION_PATH = "/";

export async function createH2Server(opts: ServeOptions): Promise<FailsH2Server> {
  const { mod } = await loadFailsPackage();
  const server = new mod.Http2Server({
    port: 0,
    host: "127.0.0.1",
    secret: randomBytes(16).toString("hex"),
    cert: opts.certPem,
    privKey: opts.keyPem,
    initialSessionFlowControlWindow: FLOW_WINDOW,
    sessionFlowControlWindowSizeLimit: FLOW_WINDOW,
  });
  // Settled only by a listening server; never leave them as unhandled rejections.
  server.ready.catch(() => {});
  server.closed.catch(() => {});
  await server.createTransportInt();
  const http2 = server.transportInt?.serverInt;
  if (!http2) {
    throw new Error(
      "@fails-components/webtransport did not expose its HTTP/2 server (transportInt.serverInt); the adapter in main/moq/transport/fails-adapter needs updating for this version",
    );
  }
  serveSessions(server, opts, "webtransport-h2");
  return {
    http2,
    stop: () => stopQuietly(server),
  };
}

function stopQuietly(server: FailsHttpServer): void {
  try {
    server.stopServer();
  } catch {
    // never started, or already stopped
  }
}

function serveSessions(server: FailsHttpServer, opts: ServeOptions, kind: WebTransportKind): void {
  server.setRequestCallback(async ({ header }) => {
    const offered = header["wt-available-protocols"];
    const protocol = opts.selectProtocol(Array.isArray(offered) ? offered.map(String) : undefined);
    if (protocol === undefined) return { status: 400, path: SESSION_PATH };
    return {
      status: 200,
      path: SESSION_PATH,
      ...(protocol ? { selectedProtocol: protocol } : {}),
      userData: { protocol },
    };
  });
  void pump(server, opts, kind);
}

async function pump(server: FailsHttpServer, opts: ServeOptions, kind: WebTransportKind): Promise<void> {
  const reader = server.sessionStream(SESSION_PATH, { noAutoPaths: true }).getReader();
  for (;;) {
    const { value: session, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
    if (done || !session) return;
    try {
      opts.onSession(adaptSession(session, session, kind), requestOf(session));
    } catch (err) {
      session.close({ closeCode: 0, reason: "internal error" });
      try {
        opts.onError(err);
      } catch {
        // a failing reporter must not stop the sessions that come after
      }
    }
  }
}

function requestOf(session: FailsServerSession): ServedRequest {
  const header = session.header ?? {};
  const authority = String(header[":authority"] ?? header["host"] ?? "localhost");
  const url = new URL(String(header[":path"] ?? "/"), `https://${authority}`);
  const protocol = typeof session.userData?.["protocol"] === "string" ? session.userData["protocol"] : "";
  return { url, remote: session.peerAddress ?? "", protocol };
}
