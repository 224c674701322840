// Which live sessions an operator means: moq-relay 0.17's filter for `GET /sessions` and
// `POST /sessions/revalidate`, read from a query string. Every given field must match; an empty
// filter is every session. `query` and `token` are not fields (they carry credentials).

import { BlockList, isIPv4, isIPv6 } from "node:net";
import type { SessionFields } from "./auth-url-request.ts";
import { Pattern, PatternError } from "./pattern.ts";

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterError";
  }
}

export interface SessionFilter {
  id?: string;
  node?: string;
  transport?: string;
  /** The peer's IP, or a network it must be in. */
  remote?: BlockList;
  /** The relay's socket, exact with its port. */
  local?: string;
  server_name?: string;
  alpn?: string;
  /** Matched against the dialed path. */
  path?: Pattern;
  /** A session's declared role, or a client certificate field: this relay knows neither, so these never match. */
  unknowable?: string;
}

// moq-relay's transports; only the first two reach this relay, the rest just never match.
const TRANSPORTS = new Set(["quic", "websocket", "iroh", "tcp", "unix", "http"]);

/** The filter a query string (without "?") asks for; throws a FilterError naming a bad field. */
export function parseSessionFilter(query: string): SessionFilter {
  const filter: SessionFilter = {};
  for (const [key, value] of new URLSearchParams(query)) {
    switch (key) {
      case "id":
      case "node":
      case "server_name":
      case "alpn":
        filter[key] = value;
        break;
      case "transport":
        if (!TRANSPORTS.has(value)) throw new FilterError(`invalid transport: ${value}`);
        filter.transport = value;
        break;
      case "remote":
        filter.remote = remoteList(value);
        break;
      case "local":
        if (!/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/.test(value))
          throw new FilterError(`invalid local: ${value}`);
        filter.local = value;
        break;
      case "path":
        try {
          filter.path = Pattern.parse(value);
        } catch (err) {
          if (err instanceof PatternError) throw new FilterError(`invalid path: ${value}`);
          throw err;
        }
        break;
      case "role":
        if (value !== "publisher" && value !== "subscriber") throw new FilterError(`invalid role: ${value}`);
        filter.unknowable = key;
        break;
      case "tls.name":
      case "tls.fingerprint":
      case "tls.issuer":
        filter.unknowable = key;
        break;
      default:
        throw new FilterError(`unknown filter field: ${key}`);
    }
  }
  return filter;
}

/** An IP or CIDR as a BlockList; IPv4-mapped IPv6 folds to IPv4, as moq-relay folds it. */
function remoteList(text: string): BlockList {
  const list = new BlockList();
  const [address = "", prefixText] = text.split("/", 2);
  const folded = foldMapped(address);
  const family = isIPv4(folded) ? "ipv4" : isIPv6(folded) ? "ipv6" : undefined;
  if (!family) throw new FilterError(`invalid remote address: ${text}`);
  if (prefixText === undefined) {
    list.addAddress(folded, family);
    return list;
  }
  let prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  // A mapped network names IPv4 bits after the 96-bit mapping prefix.
  if (folded !== address) prefix = prefix >= 96 ? prefix - 96 : NaN;
  if (!(prefix >= 0 && prefix <= (family === "ipv4" ? 32 : 128))) throw new FilterError(`invalid remote CIDR: ${text}`);
  list.addSubnet(folded, prefix, family);
  return list;
}

function foldMapped(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}

/** Whether a session with these fields is one the filter means. */
export function matchesFilter(filter: SessionFilter, fields: SessionFields): boolean {
  if (filter.unknowable !== undefined) return false;
  if (filter.id !== undefined && filter.id !== fields.id) return false;
  if (filter.node !== undefined && filter.node !== fields.node) return false;
  if (filter.transport !== undefined && filter.transport !== fields.transport) return false;
  if (filter.local !== undefined && filter.local !== fields.local) return false;
  if (filter.server_name !== undefined && filter.server_name !== fields.server_name) return false;
  if (filter.alpn !== undefined && filter.alpn !== fields.alpn) return false;
  if (filter.path && !filter.path.matches(fields.path.replace(/^\/+/, ""))) return false;
  if (filter.remote) {
    const ip = fields.remote === undefined ? undefined : ipOf(fields.remote);
    if (ip === undefined) return false;
    const folded = foldMapped(ip);
    if (!filter.remote.check(folded, isIPv4(folded) ? "ipv4" : "ipv6")) return false;
  }
  return true;
}

/** "127.0.0.1:5000" → "127.0.0.1", "[::1]:5000" → "::1". */
function ipOf(address: string): string | undefined {
  const m = /^\[(.+)\]:\d+$/.exec(address) ?? /^([^:]+):\d+$/.exec(address);
  return m?.[1];
}
