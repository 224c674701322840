// The relay's operator endpoints, on their own plain-HTTP listener as moq-relay's
// `--internal-listen` serves them: `GET /health`, `GET /sessions` (the live sessions a filter
// selects) and `POST /sessions/revalidate` (ask the auth server again about them now). Nothing
// here is authenticated, so it belongs on loopback or a private network, never the public port.

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
  const server = createServer((req, res) => answer(relay, req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
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

function answer(relay: Relay, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://ops");
  const route = `${req.method} ${url.pathname}`;
  // The request body, if any, is not used: drain it so the connection can be reused.
  req.resume();
  if (route === "GET /health") return send(res, 200, "ok\n");
  if (url.pathname !== "/sessions" && url.pathname !== "/sessions/revalidate")
    return send(res, 404, `no ${url.pathname} here: try /health, /sessions or /sessions/revalidate\n`);
  let filter: SessionFilter;
  try {
    filter = parseSessionFilter(url.search.slice(1));
  } catch (err) {
    if (err instanceof FilterError) return send(res, 400, `${err.message}\n`);
    throw err;
  }
  if (route === "GET /sessions") return sendJson(res, 200, { sessions: relay.liveSessions(filter) });
  if (route === "POST /sessions/revalidate") {
    const ids = relay.revalidate(filter);
    // 202: the re-checks run in the background; their verdicts reach the sessions, not this reply.
    return sendJson(res, ids.length > 0 ? 202 : 200, { ids });
  }
  res.setHeader("Allow", url.pathname === "/sessions" ? "GET" : "POST");
  send(res, 405, `${req.method} is not allowed on ${url.pathname}\n`);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
