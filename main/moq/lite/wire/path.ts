import type { BytesReader } from "../../coding/bytes-reader.ts";
import type { Writer } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";

// Broadcast paths, prefixes and suffixes (spec §3.4). Matching is on "/" segment boundaries, as
// both reference implementations do, not byte-by-byte as the drafts say.

/** Drop leading/trailing "/" and collapse runs of "/" (i.e. remove empty segments). */
export function normalizePath(s: string): string {
  // Fast path: most paths on the wire are already normalised.
  if (!s.startsWith("/") && !s.endsWith("/") && !s.includes("//")) return s;
  return s
    .split("/")
    .filter((seg) => seg !== "")
    .join("/");
}

/** Prefix `p` matches `x` when `x == p` or `x` starts with `p + "/"`; "" matches everything. */
export function hasPrefix(prefix: string, path: string): boolean {
  const p = normalizePath(prefix);
  const x = normalizePath(path);
  if (p === "") return true;
  if (!x.startsWith(p)) return false;
  return x.length === p.length || x.charCodeAt(p.length) === 0x2f;
}

/** The part of `path` below `prefix`, or undefined if the prefix does not match. */
export function stripPrefix(prefix: string, path: string): string | undefined {
  const p = normalizePath(prefix);
  const x = normalizePath(path);
  if (p === "") return x;
  if (x === p) return "";
  if (x.startsWith(p) && x.charCodeAt(p.length) === 0x2f) return x.slice(p.length + 1);
  return undefined;
}

/** prefix + "/" + suffix, or whichever side is non-empty. */
export function joinPath(prefix: string, suffix: string): string {
  const p = normalizePath(prefix);
  const s = normalizePath(suffix);
  if (p === "") return s;
  if (s === "") return p;
  return `${p}/${s}`;
}

// C0 controls and DEL have no business in a name and would garble logs and the UI.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Index of the first control character, or -1. */
function controlIndex(s: string): number {
  const m = CONTROL.exec(s);
  return m ? m.index : -1;
}

/** Read `(s)`, reject control characters, return it normalised. */
export function decodePath(r: BytesReader, what: string): string {
  const s = r.string(what);
  const i = controlIndex(s);
  if (i >= 0) throw new DecodeError(`${what} contains control character 0x${s.charCodeAt(i).toString(16).padStart(2, "0")} at ${i}`);
  return normalizePath(s);
}

/** Write a path as `(s)`, normalised; control characters are a bug on our side. */
export function writePath(w: Writer, path: string, what: string): void {
  if (typeof path !== "string") throw new RangeError(`${what} must be a string`);
  const i = controlIndex(path);
  if (i >= 0) throw new RangeError(`${what} contains control character 0x${path.charCodeAt(i).toString(16).padStart(2, "0")} at ${i}`);
  w.string(normalizePath(path));
}
