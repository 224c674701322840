// `moqscope ui`'s server: the built renderer (out/renderer, the same files Electron loads) over
// HTTP, and the contract over a WebSocket, on one local port.
//
// How the page reaches the API (renderer/api/ relies on this):
//   - the page is loaded from   http://HOST:PORT/?token=T        (the URL `moqscope ui` prints)
//   - it opens the WebSocket    ws://HOST:PORT/api?token=T       (same host and port as the page)
//   - each WebSocket text message is one ClientMessage or ServerMessage as JSON (contract.ts).
//   - a refused upgrade is answered with HTTP 403 and a one-line reason (the browser sees the
//     socket fail), except a wrong token from our own page (right Host and Origin): that socket
//     opens and closes at once with 4401, so a tab left open across a restart can say why; a
//     message over 256 KiB closes the socket with 1009; anything else invalid is answered
//     in-band ("result" with ok:false, "watch-error", or "error").
//
// What is checked, and why:
//   - Host header, on every request: it must name this server by an IP literal or "localhost"
//     with our port. A DNS-rebinding page reaches us under its own domain name, so its Host
//     gives it away.
//   - Origin, on the WebSocket: it must be this page's own origin (http://<Host>). Browsers
//     send Origin on every WebSocket; a page on another site cannot open ours.
//   - The token (24 random bytes, compared in constant time): required for the API and for the
//     page itself (so a person who opens the bare address is told to use the printed URL).
//     Static assets (scripts, styles) need no token: they are the app's public build output, the
//     browser fetches them without the page's query string, and the Host check still applies.
// The page is served with the renderer's Content-Security-Policy (read from its index.html) plus
// frame-ancestors 'none', and Referrer-Policy no-referrer so the token never leaves in a Referer.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP, type AddressInfo, type Socket } from "node:net";
import { extname, resolve, sep } from "node:path";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { AppServices } from "../studio/app-services.ts";
import type { HostHandlers, ServerMessage } from "./contract.ts";
import type { FeedOptions } from "./feed.ts";
import { serveClient, type ClientLink } from "./host.ts";

export const API_PATH = "/api";
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Past this much unsent data a client is not reading: its socket is closed. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const MAX_CLIENTS = 32;

/** The policy of renderer/index.html, used when the built page has none (it always should). */
const FALLBACK_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; object-src 'none'";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

export interface WebHostOptions {
  services: AppServices;
  /** The built renderer: out/renderer. */
  rendererDir: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free one). */
  port?: number;
  /** Default: 24 random bytes, base64url. */
  token?: string;
  /** Host-answered channels; the browser asks for the camera itself, so the default only acknowledges. */
  hostHandlers?: HostHandlers;
  feed?: FeedOptions;
}

export interface WebHost {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Close every client and stop listening (the services stay open: they are the caller's). */
  close(): Promise<void>;
}

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const bindHost = options.host ?? "127.0.0.1";
  const token = options.token ?? newToken();
  const rendererDir = resolve(options.rendererDir);
  const hostHandlers: HostHandlers = options.hostHandlers ?? { "camera:allow": () => {} };
  let port = 0;

  const server: Server = createServer((req, res) => {
    void serveHttp(req, res).catch(() => refuse(res, 500, "internal error"));
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const problem = checkHost(req.headers.host, bindHost, port);
    if (problem) return refuse(res, 403, problem);
    if (req.method !== "GET" && req.method !== "HEAD") return refuse(res, 405, "only GET and HEAD are served");
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === API_PATH) return refuse(res, 426, "this is the WebSocket endpoint");
    // The raw path, not url.pathname: the URL parser resolves "..", which should be refused, not followed.
    const rawPath = (req.url ?? "/").split("?")[0]!;
    const isPage = rawPath === "/" || rawPath === "/index.html";
    if (isPage && !tokenMatches(url.searchParams.get("token"), token)) {
      return refuse(res, 403, "missing or wrong token: open the URL that `moqscope ui` printed");
    }
    const file = staticFile(rendererDir, isPage ? "/index.html" : rawPath);
    if (file === undefined) return refuse(res, 403, "path outside the UI's files");
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) return refuse(res, 404, "not found");
      body = await readFile(file);
    } catch {
      if (isPage) return refuse(res, 500, `the UI is not built (no ${file}): run npm run build`);
      // Browsers ask for an icon on their own; without one, "nothing" is not an error worth logging.
      if (rawPath === "/favicon.ico") return void res.writeHead(204, securityHeaders()).end();
      return refuse(res, 404, "not found");
    }
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
    res.writeHead(200, {
      ...securityHeaders(),
      "Content-Type": type,
      "Content-Length": body.length,
      "Cache-Control": isPage ? "no-store" : "no-cache",
      ...(isPage ? { "Content-Security-Policy": `${pageCsp(body)}; frame-ancestors 'none'` } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const problem =
      checkUpgrade(req, bindHost, port) ?? (sockets.clients.size >= MAX_CLIENTS ? "too many clients" : undefined);
    if (problem) {
      socket.on("error", () => {});
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${problem}\n`,
      );
      return;
    }
    const tokenOk = tokenMatches(new URL(req.url ?? "/", "http://localhost").searchParams.get("token"), token);
    sockets.handleUpgrade(req, socket, head, (ws) => {
      // Our own page (right Host and Origin) with a token this server never issued: a tab left
      // open across a restart of `moqscope ui`. A 403 would look to it like a host still down;
      // a close code it can read lets it tell the person to open the new URL. Nothing is served.
      if (!tokenOk) return ws.close(TOKEN_REFUSED_CODE, "this moqscope ui does not accept the page's token");
      serveClient(options.services, socketLink(ws), { hostHandlers, feed: options.feed });
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = isIP(bindHost) === 6 ? `[${bindHost}]` : isWildcard(bindHost) ? "127.0.0.1" : bindHost;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.close(1001, "moqscope ui is shutting down");
      await new Promise<void>((done) => sockets.close(() => done()));
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

/** A ClientLink over one WebSocket: JSON text both ways. */
function socketLink(ws: WebSocket): ClientLink {
  let deliver: (message: unknown) => void = () => {};
  const send = (message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, "the page is not reading its messages");
      return;
    }
    ws.send(JSON.stringify(message));
  };
  ws.on("message", (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      send({ type: "error", error: "binary messages are not accepted: send JSON text" });
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      send({ type: "error", error: "message is not JSON" });
      return;
    }
    deliver(message);
  });
  ws.on("error", () => ws.terminate());
  return {
    send,
    onMessage: (listener) => void (deliver = listener),
    onClose: (listener) => void ws.on("close", listener),
  };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

/** WebSocket close code for a token this server did not issue (4000–4999 are the application's). */
export const TOKEN_REFUSED_CODE = 4401;

/** Why this upgrade is refused, or undefined when it may proceed. */
function checkUpgrade(req: IncomingMessage, bindHost: string, port: number): string | undefined {
  const hostProblem = checkHost(req.headers.host, bindHost, port);
  if (hostProblem) return hostProblem;
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname !== API_PATH) return `no WebSocket endpoint here (it is ${API_PATH})`;
  const origin = req.headers.origin;
  if (origin !== `http://${req.headers.host}`) return "Origin must be this page's own (no cross-site WebSocket)";
  // A present but wrong token is answered after the upgrade (see TOKEN_REFUSED_CODE).
  if (!url.searchParams.has("token")) return "missing or wrong token";
  return undefined;
}

/** Why this Host header is refused (DNS rebinding), or undefined when it names us. */
export function checkHost(header: string | undefined, bindHost: string, port: number): string | undefined {
  if (!header) return "missing Host header";
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d+)$/.exec(header);
  if (!m || Number(m[2]) !== port) return `Host must be this server's address with port ${port}`;
  const name = m[1]!.replace(/^\[|\]$/g, "").toLowerCase();
  const loopbackName = name === "localhost" || name === "::1" || (isIP(name) === 4 && name.startsWith("127."));
  if (loopbackName && isLoopbackOrWildcard(bindHost)) return undefined;
  if (name === bindHost.replace(/^\[|\]$/g, "").toLowerCase()) return undefined;
  if (isWildcard(bindHost) && isIP(name) !== 0) return undefined;
  return "Host must be an address of this server (DNS names other than localhost are refused)";
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

function isLoopbackOrWildcard(host: string): boolean {
  return isWildcard(host) || host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

/** Constant-time comparison (of digests, so the length leaks nothing either). */
function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** The file under `root` a URL path names, or undefined when it would leave `root`. */
function staticFile(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\") || decoded.split("/").includes("..")) return undefined;
  const file = resolve(root, `.${decoded}`);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  return file;
}

function pageCsp(html: Buffer): string {
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html.toString("utf8"));
  return (m?.[1] ?? FALLBACK_CSP).trim().replace(/;\s*$/, "");
}

function securityHeaders(): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...securityHeaders(),
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
  });
  res.end(`${reason}\n`);
}
