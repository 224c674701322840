// Reading and writing `profiles.json`. Reading sorts every outcome into one of four kinds, so the
// store can act on each: absent (fine), usable, unusable (kept aside by the store), unreadable.

import { readFile, stat } from "node:fs/promises";
import { describeJsonSyntaxError, findJsonSyntaxError } from "../record/json-syntax.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { describeIssues, PROFILES_FORMAT, PROFILES_VERSION, profilesFileSchema, type DiskProfile } from "./schema.ts";

/** Far above what PROFILES_MAX profiles with tokens take; a bigger file is not ours. */
export const PROFILES_FILE_MAX_BYTES = 32 * 1024 * 1024;

export type ProfilesRead =
  | { kind: "missing" }
  | { kind: "ok"; profiles: DiskProfile[] }
  /** The content is wrong: the reason says where, in words, quoting nothing from the file. */
  | { kind: "invalid"; reason: string }
  /** The file system refused (permissions, a folder in the way): the file itself may be fine. */
  | { kind: "unreadable"; reason: string };

export async function readProfilesFile(path: string): Promise<ProfilesRead> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { kind: "unreadable", reason: "it is not a regular file" };
    if (info.size > PROFILES_FILE_MAX_BYTES) {
      return { kind: "invalid", reason: `it is ${info.size} bytes, more than a profiles file can be (32 MiB)` };
    }
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing" };
    return { kind: "unreadable", reason: code ?? String(error) };
  }
  return parseProfilesText(text);
}

export function parseProfilesText(text: string): ProfilesRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const where = findJsonSyntaxError(text);
    return {
      kind: "invalid",
      reason: `it is not valid JSON (${where ? describeJsonSyntaxError(where) : "syntax error"})`,
    };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { kind: "invalid", reason: "it is not a JSON object" };
  }
  const head = data as { format?: unknown; version?: unknown };
  if (head.format !== PROFILES_FORMAT) {
    return { kind: "invalid", reason: `it is not a moqscope profiles file (no "format": "${PROFILES_FORMAT}")` };
  }
  if (typeof head.version === "number" && Number.isInteger(head.version) && head.version > PROFILES_VERSION) {
    return {
      kind: "invalid",
      reason: `it was written by a newer moqscope (format version ${head.version}; this one reads version ${PROFILES_VERSION})`,
    };
  }
  const parsed = profilesFileSchema.safeParse(data);
  if (!parsed.success) return { kind: "invalid", reason: describeIssues(parsed.error) };
  return { kind: "ok", profiles: parsed.data.profiles };
}

export async function writeProfilesFile(path: string, profiles: readonly DiskProfile[]): Promise<void> {
  const file = { format: PROFILES_FORMAT, version: PROFILES_VERSION, profiles };
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + "\n", 0o600);
}
