// A grant's read-only mounts (moq-auth's `mounts`, honoured as moq-relay 0.17 does): a subtree of
// the session's namespace read from elsewhere in the relay. `{".svc": ".svc/pid"}` on a session
// rooted at `pid` shows what is published at `.svc/pid/x` as `.svc/x`, hides whatever sits at
// `pid/.svc` itself, and lets the session publish nothing at or beneath `.svc`.

import { PathError, hasPrefix, joinPath, stripPrefix, toPath, type Path } from "../model/path.ts";
import { MAX_PATTERN_SEGMENTS } from "./pattern.ts";

export interface Mount {
  /** The mount point, relative to the session's root. */
  at: Path;
  /** Where the subtree is read from, as an absolute relay path. */
  target: Path;
}

/**
 * The mounts of a grant rooted at `root`, checked as moq-net checks them: a mount point is a
 * literal path (no `*`), and no mount point overlaps (is at, above or below) any mount point or
 * target, its own included, so mounts never chain. Targets may overlap each other. Throws a
 * PathError that says which mount is wrong.
 */
export function parseMounts(mounts: Readonly<Record<string, string>>, root: Path): Mount[] {
  const out: Mount[] = [];
  for (const [key, value] of Object.entries(mounts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (typeof value !== "string") throw new PathError(`mount ${JSON.stringify(key)} must map to a path`);
    const at = toPath(key, "mount point");
    if (at.includes("*"))
      throw new PathError(`mount point ${JSON.stringify(key)} must be a literal path, not a pattern`);
    const target = toPath(value, "mount target");
    // As moq-net: no pattern could name a path deeper than this, under the mount or at its target.
    for (const [what, path] of [
      ["mount point", joinPath(root, at)],
      ["mount target", target],
    ] as const) {
      if (path.split("/").length > MAX_PATTERN_SEGMENTS)
        throw new PathError(`${what} "/${path}" is deeper than ${MAX_PATTERN_SEGMENTS} segments`);
    }
    out.push({ at, target });
  }
  const overlap = (a: Path, b: Path) => hasPrefix(a, b) || hasPrefix(b, a);
  for (const [i, mount] of out.entries()) {
    const point = joinPath(root, mount.at);
    const clash = out.find((other, j) => {
      const otherPoint = joinPath(root, other.at);
      return (i !== j && overlap(point, otherPoint)) || overlap(point, other.target);
    });
    if (clash) {
      throw new PathError(
        `mount ${show(mount)} overlaps ${clash === mount ? "its own target" : show(clash)}: mounts may not chain`,
      );
    }
  }
  return out;
}

function show(mount: Mount): string {
  return `"${mount.at}" → "/${mount.target}"`;
}

/** Whether a session-relative path is at or beneath a mount point: read-only there. */
export function underMount(mounts: readonly Mount[], relative: Path): boolean {
  return mounts.some((m) => hasPrefix(m.at, relative));
}

/**
 * The names (relative to `root`) a session sees the relay path `path` under: its own, unless a
 * mount shadows it, and one more for every mount whose target holds it.
 */
export function namesOf(mounts: readonly Mount[], root: Path, path: Path): Path[] {
  const names: Path[] = [];
  const own = stripPrefix(root, path);
  if (own !== undefined && !underMount(mounts, own)) names.push(own);
  for (const mount of mounts) {
    const rest = stripPrefix(mount.target, path);
    if (rest !== undefined) names.push(joinPath(mount.at, rest));
  }
  return names;
}
