// The recordings in a folder, newest first, as the "Open recording" list shows them.

import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { RecordingFile } from "../../ipc/contract.ts";
import { RECORDING_SUFFIX } from "./format.ts";

/** Files named `*.moqrec.jsonl` in `dir` (not below it), newest modification first; a missing folder has none. */
export async function listRecordings(dir: string): Promise<RecordingFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return [];
    throw new Error(
      `Recordings cannot be listed: ${dir} ${code === "ENOTDIR" ? "is not a folder" : `cannot be read (${code})`}`,
      {
        cause: error,
      },
    );
  }
  const files: RecordingFile[] = [];
  for (const name of names) {
    if (!name.endsWith(RECORDING_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      const info = await stat(path);
      if (info.isFile()) files.push({ name, path, bytes: info.size, modifiedAt: info.mtimeMs });
    } catch {
      // Deleted while listing: it is simply not there.
    }
  }
  // Names start with the start time, so they break ties between files modified in the same instant.
  return files.sort((a, b) => b.modifiedAt - a.modifiedAt || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}
