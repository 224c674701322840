// One TCP port for everything, like moq-relay's development setup. The first byte of each
// connection decides: 0x16 (a TLS ClientHello) goes to TLS, where ALPN "h2" means WebTransport over
// HTTP/2 and anything else is HTTP/1.1 (wss:// upgrades); other bytes are plain HTTP/1.1, which
// serves GET /certificate.sha256 and ws:// upgrades. HTTP/3 joins on UDP of the same port number
// only where the native part of @fails-components loaded.

import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import type { ProtocolOffer } from "./alpn.ts";
import { certificateFromPem, generateCertificate } from "./certificate.ts";
import { createQmuxUpgradeHandler } from "./qmux-server.ts";
import type { Transport, TransportKind } from "./types.ts";
import { withTimeout } from "./timeout.ts";
import { createWebTransportServer, startHttp3Server } from "./webtransport-server.ts";
import { messageOf } from "../errors.ts";

export interface SessionRequest {
  /** The URL the client asked for: scheme of the transport, path and query (?jwt=) as sent. */
  url: URL;
  /** "address:port" of the peer. */
  remote: string;
  /** "address:port" the session arrived on, where the transport tells (WebSocket). */
  local?: string;
  /** Which transport carries the session. */
  kind?: TransportKind;
  /** The negotiated protocol (ALPN or WebSocket subprotocol), when one was agreed. */
  protocol?: string;
}

export interface ListenOptions extends ProtocolOffer {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Certificate and key (PEM). Default: a fresh self-signed one for localhost/127.0.0.1/::1 and `host`. */
  certificate?: { certPem: string; keyPem: string };
  /** Also try WebTransport over HTTP/3 on UDP when available. Default true. */
  http3?: boolean;
  onSession(transport: Transport, request: SessionRequest): void;
  /**
   * Failures that do not stop the listener: one connection or session lost, or HTTP/3 not started.
   * The library never prints; pass this to log them. Default: ignored.
   */
  onError?(error: ListenerError): void;
}

/** A failure that concerns one connection, one session or an optional part; the listener keeps serving. */
export interface ListenerError {
  /**
   * "accept": the TCP server failed to accept a connection (e.g. out of file descriptors);
   * "http3": WebTransport over HTTP/3 could not start on UDP although its native part is installed;
   * "webtransport-session": an established WebTransport session could not be handed to onSession
   * (it threw, or the request was malformed); that session has been closed.
   */
  source: "accept" | "http3" | "webtransport-session";
  /** One line saying what failed, ready for a log. */
  message: string;
  cause: unknown;
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /** URLs a client can dial, the http:// development form first. */
  readonly urls: string[];
  /** SHA-256 (hex) of the certificate, also served at /certificate.sha256. */
  readonly fingerprint: string;
  readonly certificate: { certPem: string; keyPem: string; fingerprintHex: string };
  /** Whether WebTransport over HTTP/3 is being served on UDP as well. */
  readonly http3: boolean;
  /** Why not, when it is not (turned off, no native part here, the UDP port taken…). */
  readonly http3Off?: string;
  /**
   * Stop accepting, close every session handed out, let the connections wind down for a moment, then
   * drop what is left. Always resolves, within a few seconds at worst; later calls share the first.
   */
  close(): Promise<void>;
}

const TLS_HANDSHAKE = 0x16;
const SNIFF_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 1_000;

export async function listen(opts: ListenOptions): Promise<Listener> {
  const host = opts.host ?? "127.0.0.1";
  const cert = opts.certificate
    ? certificateFromPem(opts.certificate.certPem, opts.certificate.keyPem)
    : generateCertificate(certificateNames(host));
  const offer: ProtocolOffer = { versions: opts.versions, legacy: opts.legacy };
  const report = (source: ListenerError["source"], message: string, cause: unknown) => {
    opts.onError?.({ source, message, cause });
  };
  const sessionFailed = (err: unknown) =>
    report("webtransport-session", `WebTransport session setup failed: ${messageOf(err)}`, err);

  const transports = new Set<Transport>();
  let shuttingDown = false;
  const deliver = (transport: Transport, request: SessionRequest) => {
    if (shuttingDown) {
      // A handshake that finished after close() began: end it instead of handing it out.
      endTransport(transport);
      return;
    }
    transports.add(transport);
    const forget = () => {
      transports.delete(transport);
      transport.dispose();
    };
    Promise.resolve(transport.session.closed).then(forget, forget);
    // Every adapter knows its kind and protocol; the auth server may want both.
    const { kind, negotiated } = transport.info;
    opts.onSession(transport, { ...request, kind, ...(negotiated ? { protocol: negotiated } : {}) });
  };

  const qmux = createQmuxUpgradeHandler(offer, deliver);
  const webTransport = await createWebTransportServer({
    ...offer,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    onSession: deliver,
    onError: sessionFailed,
  });

  const plain = http.createServer((req, res) => answerHttp(req, res, cert.fingerprintHex));
  plain.on("upgrade", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (String(req.headers.upgrade).toLowerCase() !== "websocket") {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (qmux.handleUpgrade(req, socket, head)) carrying(socket);
  });
  plain.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });

  const secure = tls.createServer({ key: cert.keyPem, cert: cert.certPem, ALPNProtocols: ["h2", "http/1.1"] });
  secure.on("secureConnection", (socket: tls.TLSSocket) => {
    if (socket.alpnProtocol === "h2") {
      carrying(socket);
      webTransport.handleSecureSocket(socket);
    } else {
      plain.emit("connection", socket);
    }
  });
  secure.on("tlsClientError", () => {}); // a failed handshake only concerns that client

  // Every TCP connection, and the subset that carries a session (HTTP/2 or an upgraded WebSocket,
  // as the object that owns it: a TLS socket or the TCP socket itself) that close() lets wind down.
  const sockets = new Set<net.Socket>();
  const carriers = new Set<net.Socket>();
  const carrying = (socket: net.Socket) => {
    carriers.add(socket);
    socket.once("close", () => carriers.delete(socket));
  };
  const server = net.createServer((socket) => {
    if (shuttingDown) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // resets are normal; the protocol layers report what matters
    socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
    socket.once("data", (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) {
        // The TLS socket takes over the handle and drains what we put back.
        secure.emit("connection", socket);
      } else {
        plain.emit("connection", socket);
        socket.resume();
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.removeListener("error", reject);
        resolve();
      });
    });
  } catch (err) {
    qmux.close();
    webTransport.close();
    throw describeListenError(err, host, opts.port ?? 0);
  }
  const port = (server.address() as net.AddressInfo).port;
  // Accept failures (e.g. out of file descriptors) must not take the whole relay down.
  server.on("error", (err) => report("accept", `listener on ${displayHost(host)}:${port}: ${err.message}`, err));

  let h3: { close(): Promise<void> } | undefined;
  let http3Off: string | undefined = opts.http3 === false ? "turned off" : undefined;
  if (opts.http3 !== false) {
    try {
      const started = await startHttp3Server({
        ...offer,
        certPem: cert.certPem,
        keyPem: cert.keyPem,
        onSession: deliver,
        onError: sessionFailed,
        host,
        port,
      });
      if ("unavailable" in started) http3Off = started.unavailable;
      else h3 = started;
    } catch (err) {
      http3Off = `udp ${port}: ${messageOf(err)}`;
      report("http3", `WebTransport over HTTP/3 not started on udp ${port}: ${messageOf(err)}`, err);
    }
  }

  let closing: Promise<void> | undefined;
  const shown = displayHost(host);
  return {
    host,
    port,
    urls: ["http", "https", "ws", "wss"].map((scheme) => `${scheme}://${shown}:${port}/`),
    fingerprint: cert.fingerprintHex,
    certificate: { certPem: cert.certPem, keyPem: cert.keyPem, fingerprintHex: cert.fingerprintHex },
    http3: h3 !== undefined,
    ...(http3Off !== undefined ? { http3Off } : {}),
    close: () => (closing ??= shutdown()),
  };

  /**
   * Order matters: first the sessions (their close capsules/frames must go out while the connections
   * still stand), then the HTTP/2 connections gracefully (GOAWAY, streams finish flushing), then
   * whatever socket is left. Each wait is bounded, so close() always resolves.
   */
  async function shutdown(): Promise<void> {
    shuttingDown = true;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const t of transports) endTransport(t);
    transports.clear();
    await Promise.all([
      webTransport.drain(CLOSE_GRACE_MS),
      withTimeout(untilEmpty(carriers), CLOSE_GRACE_MS, "connections to close").catch(() => {}),
    ]);
    for (const s of carriers) s.destroy();
    for (const s of sockets) s.destroy();
    qmux.close();
    webTransport.close();
    await h3?.close();
    await withTimeout(stopped, CLOSE_GRACE_MS, "listener to stop").catch(() => {});
  }
}

/** Close a session we handed out (or were about to), never throwing. */
function endTransport(t: Transport): void {
  try {
    t.session.close({ closeCode: 0, reason: "server shutting down" });
  } catch {
    // already closed
  }
  t.dispose();
}

/** Resolves once every socket in `set` has closed (the set shrinks on each "close"). */
function untilEmpty(set: Set<net.Socket>): Promise<void> {
  return Promise.all([...set].map((s) => (s.destroyed ? undefined : new Promise((r) => s.once("close", r))))).then(
    () => {},
  );
}

function describeListenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = displayHost(host) + ":" + port;
  if (code === "EADDRINUSE") {
    return new Error(
      `cannot listen on ${where}: the port is already in use (another relay running?); pick another port or 0 for a free one`,
      { cause: err },
    );
  }
  if (code === "EACCES") {
    return new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`, { cause: err });
  }
  if (code === "EADDRNOTAVAIL") {
    return new Error(`cannot listen on ${where}: this machine has no such address`, { cause: err });
  }
  return new Error(`cannot listen on ${where}: ${(err as Error).message}`, { cause: err });
}

function answerHttp(req: http.IncomingMessage, res: http.ServerResponse, fingerprint: string): void {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/certificate.sha256" && (req.method === "GET" || req.method === "HEAD")) {
    // Browsers fetch this from other origins (moq-relay does the same).
    res.writeHead(200, {
      "Content-Type": "text/plain; charset=utf-8",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : fingerprint);
    return;
  }
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(
    "not found: this is a moq-lite endpoint. Connect with WebTransport (https://) or WebSocket " +
      "(ws://, wss://); GET /certificate.sha256 returns the certificate fingerprint.\n",
  );
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

function certificateNames(host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = ["localhost"];
  const ipAddresses = ["127.0.0.1", "::1"];
  if (!isWildcard(host)) {
    if (net.isIP(host)) {
      if (!ipAddresses.includes(host)) ipAddresses.push(host);
    } else if (!dnsNames.includes(host)) {
      dnsNames.push(host);
    }
  }
  return { dnsNames, ipAddresses };
}

function displayHost(host: string): string {
  if (isWildcard(host)) return "localhost";
  return net.isIPv6(host) ? `[${host}]` : host;
}
