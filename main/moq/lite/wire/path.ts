import type { BytesReader } from "../../coding/bytes-reader.ts";
import type { Writer } from "../../coding/writer.ts";
import { DecodeError } from "../../errors.ts";
import { PathError, toPath, type Path } from "../../model/path.ts";

// Paths on the wire are strings `(s)` (spec §3.4). Peers may send them unnormalised; we accept
// that and normalise once here, but a control character is malformed input.

/** Read `(s)` as a Path; a control character is a DecodeError. */
export function decodePath(r: BytesReader, what: string): Path {
  const s = r.string(what);
  try {
    return toPath(s, what);
  } catch (err) {
    if (err instanceof PathError) throw new DecodeError(err.message);
    throw err;
  }
}

/** Write a Path as `(s)`. */
export function writePath(w: Writer, path: Path): void {
  w.string(path);
}
