// A file we cannot use is moved out of the way under a new name, never deleted or overwritten,
// so a person can repair it: `profiles.json` → `profiles.json.corrupt-20261204T040244Z`.

import { copyFile, constants, link, unlink } from "node:fs/promises";

/** Moves `path` aside and returns the new path. Never replaces an existing file. */
export async function setAside(path: string, now = new Date()): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  for (let n = 1; n <= 100; n++) {
    const target = `${path}.corrupt-${stamp}${n === 1 ? "" : `-${n}`}`;
    if (await placeWithoutReplacing(path, target)) {
      await unlink(path);
      return target;
    }
  }
  throw new Error(`could not find a free name beside ${path} to keep it aside`);
}

/** Makes `target` hold `path`'s content unless `target` exists (then false). */
async function placeWithoutReplacing(path: string, target: string): Promise<boolean> {
  try {
    // A hard link is atomic and fails when the name is taken; rename would replace silently.
    await link(path, target);
    return true;
  } catch (error) {
    if (code(error) === "EEXIST") return false;
  }
  // Some file systems have no hard links: copy, refusing to replace (copyFile keeps the mode).
  try {
    await copyFile(path, target, constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if (code(error) === "EEXIST") return false;
    throw error;
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
