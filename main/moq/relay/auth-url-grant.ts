// The auth server's answer read as moq-auth reads it: 2xx with a Grant admits, 401/403 refuse,
// anything else is an outage. A grant is checked once here: patterns must parse, an empty one is
// a refusal, and one asking to be revalidated must say when it expires.

import type { AuthReply } from "./auth-url-http.ts";
import { Pattern, PatternError } from "./pattern.ts";

/** A Grant as the auth server wrote it, checked. */
export interface ServerGrant {
  /** Patterns relative to the root. */
  publish: string[];
  subscribe: string[];
  /** Replaces the dialed path as the session's root. */
  root?: string;
  /** Unix seconds: the session closes then. */
  expires?: number;
  /** Seconds between re-checks. */
  revalidate?: number;
  /** Read-only mounts: mount point relative to the root → absolute path (see mounts.ts). */
  mounts?: Record<string, string>;
  /** A stats label; this relay has no stats buckets, so it only shows it in the session's log line. */
  tier?: string;
  /** The cluster-peer flag: read so a grant carrying it is accepted; this relay has no cluster. */
  peer?: boolean;
}

export type ReplyVerdict = { grant: ServerGrant } | { refused: string } | { invalid: string } | { unavailable: string };

/**
 * Printable and bounded: the server's text ends up in a close reason and a log line. Unlike
 * transport/excerpt.ts's describeBody it stays unquoted: it is the reason itself, not a quote.
 */
function excerpt(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

/** Classify a reply; `nowMs` decides whether `expires` already passed. */
export function readReply(reply: AuthReply, nowMs: number): ReplyVerdict {
  const { status } = reply;
  if (status === 401 || status === 403) {
    const why = excerpt(reply.body);
    return { refused: why || `the auth server answered ${status}` };
  }
  if (status < 200 || status > 299)
    return { unavailable: `the auth server answered ${status}${reply.statusText ? ` ${reply.statusText}` : ""}` };
  let json: unknown;
  try {
    json = JSON.parse(reply.body);
  } catch {
    return { unavailable: `the auth server's reply is not JSON: ${excerpt(reply.body) || "(empty)"}` };
  }
  const parsed = parseGrant(json);
  if (typeof parsed === "string") return { unavailable: `the auth server's grant is malformed: ${parsed}` };
  return checkGrant(parsed, nowMs);
}

/** The grant's fields, or what is wrong with them. Unknown fields are ignored. */
function parseGrant(json: unknown): ServerGrant | string {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return "expected a JSON object";
  const o = json as Record<string, unknown>;
  const grant: ServerGrant = { publish: [], subscribe: [] };
  for (const side of ["publish", "subscribe"] as const) {
    const list = o[side];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((p) => typeof p === "string"))
      return `${side} must be a list of pattern strings`;
    try {
      grant[side] = list.map((p: string) => String(Pattern.parse(p)));
    } catch (err) {
      if (err instanceof PatternError) return `${side}: ${err.message}`;
      throw err;
    }
  }
  if (o.root !== undefined) {
    if (typeof o.root !== "string") return "root must be a string";
    grant.root = o.root;
  }
  for (const key of ["expires", "revalidate"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) return `${key} must be a whole number of seconds`;
    grant[key] = v;
  }
  if (o.mounts !== undefined) {
    const m = o.mounts;
    if (
      typeof m !== "object" ||
      m === null ||
      Array.isArray(m) ||
      !Object.values(m).every((v) => typeof v === "string")
    )
      return "mounts must be an object of paths";
    grant.mounts = m as Record<string, string>;
  }
  if (o.tier !== undefined) {
    if (typeof o.tier !== "string") return "tier must be a string";
    grant.tier = o.tier;
  }
  if (o.peer !== undefined) {
    if (typeof o.peer !== "boolean") return "peer must be true or false";
    grant.peer = o.peer;
  }
  return grant;
}

/** moq-auth's Grant::validate, with an empty grant read as a refusal. */
function checkGrant(grant: ServerGrant, nowMs: number): ReplyVerdict {
  if (grant.publish.length === 0 && grant.subscribe.length === 0)
    return { refused: "the auth server granted nothing (no publish or subscribe patterns)" };
  if (grant.revalidate !== undefined && grant.expires === undefined)
    return { invalid: "the grant asks to be revalidated but has no expires" };
  if (grant.revalidate === 0) return { invalid: "the grant's revalidate is 0" };
  if (grant.expires !== undefined && grant.expires * 1000 <= nowMs)
    return { invalid: `the grant expired at ${new Date(grant.expires * 1000).toISOString()}` };
  return { grant };
}
