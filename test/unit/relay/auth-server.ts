// A real HTTP server playing moq-relay's auth server (`moq auth serve`) for the --auth-url tests:
// it records every JSON body it receives and answers what the test says.

import http from "node:http";
import type { AddressInfo } from "node:net";
import { within } from "../../helpers/wait.ts";
import { T } from "./harness.ts";

export type AuthBody = Record<string, unknown>;

/** An answer: a status with a JSON object or raw text, or "hang" (never answer). */
export type AuthAnswer = { status: number; json?: unknown; text?: string } | "hang";

export interface TestAuthServer {
  /** http://127.0.0.1:PORT/ or unix://PATH */
  url: string;
  bodies: AuthBody[];
  /** The first body, received or still to come, that `match` accepts. */
  received(match: (body: AuthBody) => boolean, what: string): Promise<AuthBody>;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (or on the unix socket `socketPath`) and answer each POST with `answer`. */
export async function startAuthServer(
  answer: (body: AuthBody) => AuthAnswer,
  socketPath?: string,
): Promise<TestAuthServer> {
  const bodies: AuthBody[] = [];
  const watchers = new Set<(body: AuthBody) => void>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: AuthBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as AuthBody;
      } catch {
        res.writeHead(400).end("not JSON");
        return;
      }
      // What the relay must send: POST, JSON, to "/".
      body["#method"] = req.method;
      body["#type"] = req.headers["content-type"];
      body["#target"] = req.url;
      bodies.push(body);
      for (const w of [...watchers]) w(body);
      const a = answer(body);
      if (a === "hang") {
        hanging.add(res);
        return;
      }
      const text = a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? "");
      res.writeHead(a.status, { "Content-Type": a.json !== undefined ? "application/json" : "text/plain" });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) =>
    socketPath ? server.listen(socketPath, resolve) : server.listen(0, "127.0.0.1", resolve),
  );
  const url = socketPath ? `unix://${socketPath}` : `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    bodies,
    received(match, what) {
      const found = bodies.find(match);
      if (found) return Promise.resolve(found);
      let watch: ((b: AuthBody) => void) | undefined;
      const next = new Promise<AuthBody>((resolve) => {
        watch = (b) => {
          if (match(b)) resolve(b);
        };
        watchers.add(watch);
      });
      return within(next, T, `the auth server to receive ${what}`).finally(() => watchers.delete(watch!));
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Unix seconds `s` from now, whole as on the wire. */
export const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;
