// Where the auth server lives and how one JSON POST reaches it. node:http rather than fetch,
// because fetch cannot speak HTTP over a unix socket. URL rules as moq-auth's client: https://,
// unix://PATH (request target "/"), or http:// to a loopback host only.

import http from "node:http";
import https from "node:https";
import { isLoopback } from "../transport/url.ts";

/** A bad --auth-url: refused at startup, before any session depends on it. */
export class AuthUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthUrlError";
  }
}

/** Where to POST: a URL, or a unix socket path (then the request target is "/"). */
export type AuthTarget = { url: URL } | { socketPath: string };

/** What the auth server answered. */
export interface AuthReply {
  status: number;
  statusText: string;
  body: string;
}

// A grant is a few hundred bytes; anything this large is not one.
const MAX_REPLY_BYTES = 256 * 1024;

/** `url` without userinfo, query or fragment, any of which may carry a credential. */
export function shownAuthUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  copy.search = "";
  copy.hash = "";
  return copy.href;
}

/** Check an --auth-url; a clear AuthUrlError when it is not one the relay may use. */
export function authTarget(text: string): AuthTarget {
  const rule = "the auth URL must be https://, unix:///path/to.sock, or http:// to a loopback address";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: text that does not parse may still hold a credential.
    throw new AuthUrlError(`${rule}; the value given is not a URL`);
  }
  switch (url.protocol) {
    case "https:":
      return { url };
    case "http:":
      if (!isLoopback(url.hostname))
        throw new AuthUrlError(
          `${rule}: ${shownAuthUrl(url)} would send session details in the clear; use https:// or a loopback host`,
        );
      return { url };
    case "unix:": {
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        path = "";
      }
      if ((url.hostname !== "" && url.hostname !== "localhost") || path === "" || path === "/")
        throw new AuthUrlError(`${rule}: ${shownAuthUrl(url)} names no socket path (write unix:///run/auth.sock)`);
      return { socketPath: path };
    }
    default:
      throw new AuthUrlError(`${rule}; got ${url.protocol}// (${shownAuthUrl(url)})`);
  }
}

/**
 * POST `body` as JSON and read the reply. Rejects with an Error saying what failed (connection
 * refused, no answer in time, reply too large), never naming the URL.
 */
export function postJson(target: AuthTarget, body: unknown, timeoutMs: number): Promise<AuthReply> {
  const payload = Buffer.from(JSON.stringify(body));
  const headers = { "Content-Type": "application/json", "Content-Length": String(payload.length) };
  return new Promise<AuthReply>((resolve, reject) => {
    // No keep-alive: events are seconds apart, and an idle pooled socket would outlive the relay.
    const options: http.RequestOptions = { method: "POST", headers, agent: false };
    let req: http.ClientRequest;
    const onReply = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) req.destroy(new Error(`the reply is larger than ${MAX_REPLY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", reject);
    };
    if ("socketPath" in target) {
      req = http.request({ ...options, socketPath: target.socketPath, path: "/", host: "localhost" }, onReply);
    } else {
      const client = target.url.protocol === "https:" ? https : http;
      req = client.request(target.url, options, onReply);
    }
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 100) / 10} s`)),
      timeoutMs,
    );
    req.on("close", () => clearTimeout(timer));
    req.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(connectionProblem(err)));
    });
    req.end(payload);
  });
}

/** A connection failure in words, without the address (which may come from the URL). */
function connectionProblem(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection refused (is the auth server running?)";
    case "ENOENT":
      return "no socket at that path (is the auth server running?)";
    case "ENOTFOUND":
      return "its host name does not resolve";
    case "ECONNRESET":
      return "the connection was reset";
    default:
      return err.message;
  }
}
