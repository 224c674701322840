// Client side of WebSocket + QMux: dial ws:// or wss:// with our own socket (TLS checked before the
// upgrade request, which may carry a ?jwt=, is sent), offer qmux-0N.<version> subprotocols, and wrap
// the result as a Transport.

import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import WebSocket from "ws";
import { appProtocolOf, clientSubprotocols, describeVersions, type ProtocolOffer } from "./alpn.ts";
import { dialTcp, dialTls, hostPort, verificationOf, type TlsVerification } from "./dial.ts";
import { describeBody } from "./excerpt.ts";
import { requireQmuxBuiltins } from "./polyfill.ts";
import { qmuxTransport } from "./qmux-transport.ts";
import { DEFAULT_TIMEOUT_MS, withTimeout } from "./timeout.ts";
import type { Transport, TransportInfo } from "./types.ts";
import { endpointOf, redactUrl, withScheme } from "./url.ts";

export interface WebSocketConnectOptions extends ProtocolOffer {
  /** Pin the server certificate by SHA-256 (hex) for wss://. */
  fingerprint?: string;
  /** Skip certificate verification for wss://. */
  insecure?: boolean;
  /** Deadline for each step (TCP/TLS, upgrade, QMux ready). Default 10 s. */
  timeoutMs?: number;
}

/** Open a WebSocket carrying QMux. http(s):// URLs map to ws(s)://. */
export async function connectWebSocket(url: URL, opts: WebSocketConnectOptions): Promise<Transport> {
  requireQmuxBuiltins();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secure = url.protocol === "wss:" || url.protocol === "https:";
  if (!secure && url.protocol !== "ws:" && url.protocol !== "http:") {
    throw new Error(`cannot open a WebSocket to ${redactUrl(url)}: expected a ws://, wss://, http:// or https:// URL`);
  }
  const wsUrl = withScheme(url, secure ? "wss:" : "ws:");
  const { host, port } = endpointOf(wsUrl);
  const offered = clientSubprotocols(opts);
  if (offered.length === 0) throw new Error("no moq version to offer over WebSocket");

  let verification: TlsVerification | undefined;
  let fingerprint: string | undefined;
  let socket: Socket;
  if (secure) {
    verification = verificationOf(opts);
    const dialed = await dialTls({ host, port, verification, alpn: ["http/1.1"], timeoutMs });
    socket = dialed.socket;
    fingerprint = dialed.fingerprint;
  } else {
    socket = await dialTcp(host, port, timeoutMs);
  }

  const ws = new WebSocket(wsUrl, offered, {
    perMessageDeflate: false,
    handshakeTimeout: timeoutMs,
    // The connection is already open and verified; `ws` just speaks HTTP over it.
    createConnection: (() => socket) as never,
  });
  const info: TransportInfo = {
    kind: "websocket",
    url: redactUrl(wsUrl),
    negotiated: "",
    ...(verification ? { tls: { verification: verification.mode, fingerprint } } : {}),
  };
  // Attach QMux before the upgrade completes so the server's first frame is not dropped.
  const transport = qmuxTransport(ws, "client", info);
  const fail = (err: unknown) => {
    transport.dispose();
    ws.terminate();
    socket.destroy();
    return err;
  };
  try {
    await withTimeout(opened(ws, wsUrl, offered, opts), timeoutMs, `WebSocket upgrade at ${redactUrl(wsUrl)}`);
    info.negotiated = ws.protocol;
    await withTimeout(Promise.resolve(transport.session.ready), timeoutMs, `QMux session with ${hostPort(host, port)}`);
  } catch (err) {
    throw fail(err);
  }
  if (opts.versions.length > 0 && !opts.legacy && appProtocolOf(ws.protocol) === "") {
    // Only reachable if a server ignores our offer; without a version we cannot talk.
    throw fail(refused(wsUrl, offered, opts, `it chose "${ws.protocol}"`));
  }
  return transport;
}

/** Wait for the upgrade; translate each way it can fail into an actionable error. */
function opened(ws: WebSocket, url: URL, offered: string[], offer: ProtocolOffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onOpen = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      if (/subprotocol/i.test(err.message)) fail(refused(url, offered, offer, err.message));
      else fail(new Error(`WebSocket to ${redactUrl(url)} failed: ${err.message}`, { cause: err }));
    };
    const onUnexpected = (_req: unknown, res: IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 500) body += chunk;
      });
      res.on("end", () => fail(httpRefusal(url, res.statusCode ?? 0, body, offered, offer)));
      res.on("error", () => fail(httpRefusal(url, res.statusCode ?? 0, body, offered, offer)));
    };
    const cleanup = () => {
      ws.removeListener("open", onOpen);
      ws.removeListener("error", onError);
      ws.removeListener("unexpected-response", onUnexpected);
      ws.on("error", () => {}); // late errors after we gave up must not crash the process
    };
    ws.once("open", onOpen);
    ws.once("error", onError);
    ws.once("unexpected-response", onUnexpected);
  });
}

function refused(url: URL, offered: string[], offer: ProtocolOffer, detail: string): Error {
  const err = new Error(
    `server at ${redactUrl(url)} does not speak ${describeVersions(offer.versions, offer.legacy)} over WebSocket ` +
      `(offered ${offered.join(", ")}; ${detail})`,
  );
  (err as { code?: string }).code = "PROTOCOL_REFUSED";
  return err;
}

/** The server answered the upgrade with a plain HTTP response: one line, its body only as a short excerpt. */
function httpRefusal(url: URL, status: number, body: string, offered: string[], offer: ProtocolOffer): Error {
  const excerpt = describeBody(body);
  const detail = excerpt ? `: ${excerpt}` : "";
  if (status === 401 || status === 403) {
    const err = new Error(
      `server at ${redactUrl(url)} refused the session with HTTP ${status}${detail}. Check the ?jwt= token and the path it grants`,
    );
    (err as { code?: string }).code = "UNAUTHORIZED";
    return err;
  }
  if (status === 400 && /protocol/i.test(body)) return refused(url, offered, offer, `HTTP 400${detail}`);
  if (status === 404) return new Error(`no WebSocket endpoint at ${redactUrl(url)} (HTTP 404${detail})`);
  return new Error(
    `WebSocket upgrade at ${redactUrl(url)} was answered with HTTP ${status}${detail}; is a moq-lite relay listening there?`,
  );
}
