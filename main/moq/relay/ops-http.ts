// The relay's operator endpoints, on their own plain-HTTP listener as moq-relay's
// `--internal-listen` serves them: `GET /health`, `GET /metrics` (Prometheus text), `GET /sessions`
// (the live sessions a filter selects) and `POST /sessions/revalidate` (ask the auth server again
// about them now). Nothing here is authenticated, so it belongs on loopback or a private network,
// never the public port.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIPv6 } from "node:net";
import type { Relay } from "./relay.ts";
import { FilterError, parseSessionFilter, type SessionFilter } from "./session-filter.ts";

export interface OpsServer {
  /** "http://127.0.0.1:9101" */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listen on `host:port` (0 = any free port); rejects when the address cannot be bound. */
export function startOpsServer(relay: Relay, host: string, port: number): Promise<OpsServer> {
  const server = createServer((req, res) => {
    try {
      answer(relay, req, res);
    } catch (err) {
      // One odd request must not take the relay down with it.
      if (!res.headersSent) send(res, 500, `${err instanceof Error ? err.message : String(err)}\n`);
      else res.destroy();
    }
  });
  // A client that resets mid-request is its own problem, not the relay's.
  server.on("clientError", (_err, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.on("error", () => {});
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      resolve({
        url: `http://${isIPv6(host) ? `[${host}]` : host}:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Each path, the one method it answers. */
const ROUTES: Record<string, string> = {
  "/health": "GET",
  "/metrics": "GET",
  "/sessions": "GET",
  "/sessions/revalidate": "POST",
};

function answer(relay: Relay, req: IncomingMessage, res: ServerResponse): void {
  // The request body, if any, is not used: drain it so the connection can be reused.
  req.resume();
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://ops");
  } catch {
    return send(res, 400, `not a request target: ${JSON.stringify(req.url)}\n`);
  }
  const method = ROUTES[url.pathname];
  if (method === undefined)
    return send(
      res,
      404,
      `no ${url.pathname} here: the endpoints are /health, /metrics, /sessions and /sessions/revalidate\n`,
    );
  if (req.method !== method && !(method === "GET" && req.method === "HEAD")) {
    res.setHeader("Allow", method === "GET" ? "GET, HEAD" : method);
    return send(res, 405, `${url.pathname} answers ${method}, not ${req.method}\n`);
  }
  if (url.pathname === "/health") return send(res, 200, "ok\n");
  if (url.pathname === "/metrics") {
    relay.metrics().then(
      ({ text, contentType }) => res.writeHead(200, { "Content-Type": contentType }).end(text),
      (err: unknown) => send(res, 500, `${err instanceof Error ? err.message : String(err)}\n`),
    );
    return;
  }
  let filter: SessionFilter;
  try {
    filter = parseSessionFilter(url.search.slice(1));
  } catch (err) {
    if (err instanceof FilterError) return send(res, 400, `${err.message}\n`);
    throw err;
  }
  if (url.pathname === "/sessions") return sendJson(res, 200, { sessions: relay.liveSessions(filter) });
  const ids = relay.revalidate(filter);
  // 202: the re-checks run in the background; their verdicts reach the sessions, not this reply.
  sendJson(res, ids.length > 0 ? 202 : 200, { ids });
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
