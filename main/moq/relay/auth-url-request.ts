// The JSON body the relay POSTs to the auth server (moq-auth's Request): the same fields for
// every event of a session, absent values omitted rather than null.

import { randomBytes } from "node:crypto";
import type { SessionRequest } from "../transport/listener.ts";
import type { LeaseEnd } from "./grant.ts";

export type AuthEvent = "connect" | "revalidate" | "end";

/** What the auth server learns about a session; fixed for its lifetime. */
export interface SessionFields {
  /** 32 hex characters, random per session: the key all of its events share. */
  id: string;
  node: string;
  /** "quic" (WebTransport counts as QUIC, as in moq-relay) or "websocket". */
  transport: "quic" | "websocket";
  remote?: string;
  local?: string;
  /** The host the client addressed (lower-cased, without port): we see no SNI apart from it. */
  server_name?: string;
  /** The negotiated protocol: the ALPN, or the WebSocket subprotocol. */
  alpn?: string;
  /** The path exactly as dialed; the root is "/". */
  path: string;
  /** The raw query, without "?". */
  query?: string;
}

/** The fields of a session dialed as `request`, with a fresh id. */
export function sessionFields(request: SessionRequest, node: string): SessionFields {
  const { url } = request;
  const websocket = request.kind ? request.kind === "websocket" : url.protocol === "ws:" || url.protocol === "wss:";
  const fields: SessionFields = {
    id: randomBytes(16).toString("hex"),
    node,
    transport: websocket ? "websocket" : "quic",
    path: url.pathname || "/",
  };
  if (request.remote) fields.remote = request.remote;
  if (request.local) fields.local = request.local;
  if (url.hostname) fields.server_name = url.hostname.toLowerCase();
  if (request.protocol) fields.alpn = request.protocol;
  if (url.search.length > 1) fields.query = url.search.slice(1);
  return fields;
}

/** The body for one event, in moq-auth's field order; `end` adds reason, duration and bytes. */
export function eventBody(fields: SessionFields, event: AuthEvent, end?: LeaseEnd): Record<string, unknown> {
  const { id, ...rest } = fields;
  const body: Record<string, unknown> = { id, event };
  if (event === "end" && end) {
    body.reason = end.reason;
    body.duration = end.duration;
    body.bytes = { sent: end.bytes.sent, received: end.bytes.received };
  }
  return Object.assign(body, rest);
}
