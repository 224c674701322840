// Recording file names sort by time and say what was recorded: `20261204-040244-local-demo.moqrec.jsonl`.

import { RECORDING_SUFFIX } from "./format.ts";

const SLUG_MAX = 48;

/** "Local demo relay (127.0.0.1)" → "local-demo-relay-127-0-0-1"; "recording" when nothing is left. */
export function labelSlug(label: string): string {
  const slug = label
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, "");
  return slug === "" ? "recording" : slug;
}

/** The file name for a recording started at `startedAt` (local time, as a person reads a clock). */
export function recordingFileName(startedAt: number, label: string, attempt = 1): string {
  const d = new Date(startedAt);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp =
    `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-` +
    `${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  const unique = attempt === 1 ? "" : `-${attempt}`;
  return `${stamp}-${labelSlug(label)}${unique}${RECORDING_SUFFIX}`;
}
