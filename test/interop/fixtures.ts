// Shared pieces of the interop tests: deterministic binary payloads, a poll helper, and a console
// filter for @moq/lite, which logs every announce, subscribe and close.

import { onTestFailed, vi } from "vitest";
import type { LiteVersion } from "./lite-peer.ts";

export const VERSIONS: LiteVersion[] = ["moq-lite-03", "moq-lite-04"];

/** Frame sizes used in every group: empty, tiny, medium, 64 KiB, and a trailing small one. */
export const FRAME_SIZES = [0, 1, 300, 64 * 1024, 7];
export const GROUPS = 4;

/** A payload that differs for every (group, frame, byte), so a swapped or torn frame shows. */
export function payload(group: number, frame: number, size = FRAME_SIZES[frame]!): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (group * 131 + frame * 17 + i * 7 + (i >> 8)) & 0xff;
  return out;
}

/** Every group's frames as we send them: expected[g][f]. */
export function expectedGroups(groups = GROUPS): Uint8Array[][] {
  return Array.from({ length: groups }, (_, g) => FRAME_SIZES.map((_, f) => payload(g, f)));
}

/** Groups as "size:checksum" lists, so a failing comparison names sizes instead of dumping 64 KiB. */
export function shape(groups: (Uint8Array[] | undefined)[]): string[] {
  return groups.map((frames) => (frames ? frames.map((f) => `${f.length}:${checksum(f)}`).join(",") : "missing"));
}

function checksum(b: Uint8Array): number {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}

/** Poll `check` until it returns true (or a value), failing after `ms` with `what`. */
export async function until<T>(check: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Keep @moq/lite's chatter (console.debug/info/log, and the "fatal error running connection"
 * it prints on every close) out of the test output; show it only if the test fails.
 */
export function captureConsole(): void {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (...args: unknown[]) => {
      lines.push(
        `[${level}] ${args.map((a) => (a instanceof Error ? a.message : typeof a === "string" ? a : safeJson(a))).join(" ")}`,
      );
    };
  for (const level of ["debug", "info", "log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation(keep(level));
  }
  onTestFailed(() => {
    vi.restoreAllMocks();
    if (lines.length > 0)
      process.stderr.write(`@moq/lite console during the failed test:\n${lines.slice(-200).join("\n")}\n`);
  });
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
