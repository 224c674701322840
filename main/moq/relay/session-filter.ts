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
  /** The relay's socket: this address (however it is written) and this port. */
  local?: { address: BlockList; port: number };
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
      case "local": {
        const socket = socketOf(value);
        if (!socket) throw new FilterError(`invalid local: ${value}`);
        filter.local = { address: addressList(socket.ip), port: socket.port };
        break;
      }
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
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const folded = foldMapped(address);
  const family = familyOf(folded);
  if (!family) throw new FilterError(`invalid remote address: ${text}`);
  if (prefixText === undefined) return addressList(folded);
  const list = new BlockList();
  let prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  // A mapped network names IPv4 bits after the 96-bit mapping prefix.
  if (folded !== address) prefix = prefix >= 96 ? prefix - 96 : NaN;
  if (!(prefix >= 0 && prefix <= (family === "ipv4" ? 32 : 128))) throw new FilterError(`invalid remote CIDR: ${text}`);
  list.addSubnet(folded, prefix, family);
  return list;
}

/** "ipv4" or "ipv6" for a plain address (no zone id: moq-relay refuses those too), else undefined. */
function familyOf(address: string): "ipv4" | "ipv6" | undefined {
  if (address.includes("%")) return undefined;
  return isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
}

/** One address, matched however it is written ("::1" and "0:0::1" alike). */
function addressList(address: string): BlockList {
  const list = new BlockList();
  const folded = foldMapped(address);
  list.addAddress(folded, familyOf(folded) ?? "ipv4");
  return list;
}

/** "127.0.0.1:4443" or "[::1]:4443" as its address and port, or undefined when it is neither. */
function socketOf(text: string): { ip: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const ip = foldMapped(m[1]!);
  const port = Number(m[2]);
  if (!familyOf(ip) || port > 65535) return undefined;
  return { ip, port };
}

/** Whether the address list holds `ip`, whichever family it is written in. */
function holds(list: BlockList, ip: string): boolean {
  const folded = foldMapped(ip);
  const family = familyOf(folded);
  return family !== undefined && list.check(folded, family);
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
  if (filter.local) {
    const socket = fields.local === undefined ? undefined : socketOf(fields.local);
    if (!socket || socket.port !== filter.local.port || !holds(filter.local.address, socket.ip)) return false;
  }
  if (filter.server_name !== undefined && filter.server_name !== fields.server_name) return false;
  if (filter.alpn !== undefined && filter.alpn !== fields.alpn) return false;
  if (filter.path && !filter.path.matches(fields.path.replace(/^\/+/, ""))) return false;
  if (filter.remote) {
    const socket = fields.remote === undefined ? undefined : socketOf(fields.remote);
    if (!socket || !holds(filter.remote, socket.ip)) return false;
  }
  return true;
}
