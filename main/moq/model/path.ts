// Broadcast paths, prefixes and suffixes as a validated type. A `Path` is a string already in
// normal form (no leading, trailing or doubled "/", no control characters), so code that holds
// one never normalises again; only `toPath` makes one from arbitrary text.
//
// Matching is on "/" segment boundaries, as both reference implementations do (the drafts say
// byte-by-byte): prefix "demo" matches "demo" and "demo/room", never "demox".

declare const normalForm: unique symbol;

/** A path in normal form. Make one with `toPath`; any `Path` is also a plain string. */
export type Path = string & { readonly [normalForm]: true };

/** The empty path: the root, and the prefix that matches everything. */
export const ROOT = "" as Path;

/** Thrown by `toPath` for text that cannot be a path. */
export class PathError extends RangeError {
  override name = "PathError";
}

// C0 controls and DEL have no business in a name and would garble logs and the UI.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The position of the first control character in `s`, or -1. */
export function controlCharacterAt(s: string): number {
  const m = CONTROL.exec(s);
  return m ? m.index : -1;
}

/** `c` as it appears in an error message: 0x0a. */
export function hexCode(c: number): string {
  return `0x${c.toString(16).padStart(2, "0")}`;
}

/** Validate and normalise: drop leading/trailing "/" and empty segments; refuse control characters. */
export function toPath(s: string, what = "path"): Path {
  if (typeof s !== "string") throw new PathError(`${what} must be a string, not ${typeof s}`);
  const i = controlCharacterAt(s);
  if (i >= 0) throw new PathError(`${what} contains control character ${hexCode(s.charCodeAt(i))} at ${i}`);
  // Fast path: most paths are already in normal form.
  if (!s.startsWith("/") && !s.endsWith("/") && !s.includes("//")) return s as Path;
  return s
    .split("/")
    .filter((segment) => segment !== "")
    .join("/") as Path;
}

/** Prefix `p` matches `x` when `x == p` or `x` starts with `p + "/"`; the root matches everything. */
export function hasPrefix(prefix: Path, path: Path): boolean {
  if (prefix === "") return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 0x2f;
}

/** The part of `path` below `prefix`, or undefined where the prefix does not match. */
export function stripPrefix(prefix: Path, path: Path): Path | undefined {
  if (prefix === "") return path;
  if (path === prefix) return ROOT;
  if (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f) return path.slice(prefix.length + 1) as Path;
  return undefined;
}

/** prefix + "/" + suffix, or whichever side is not empty. */
export function joinPath(prefix: Path, suffix: Path): Path {
  if (prefix === "") return suffix;
  if (suffix === "") return prefix;
  return `${prefix}/${suffix}` as Path;
}
