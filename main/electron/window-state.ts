// The window's place and size between runs, in <userData>/window-state.json. A missing, corrupt
// or off-screen record is ignored (the window opens at its default size); saving is best effort.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as z from "zod";

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

const SIZE = z.int().min(200).max(100_000);
const POSITION = z.int().min(-100_000).max(100_000);
const STATE = z.strictObject({
  bounds: z.strictObject({ x: POSITION, y: POSITION, width: SIZE, height: SIZE }),
  maximized: z.boolean(),
});

export const WINDOW_STATE_FILE = "window-state.json";

/** The saved state when it is readable and at least partly on one of `workAreas`; else undefined. */
export function loadWindowState(dir: string, workAreas: readonly Rectangle[]): WindowState | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), "utf8"));
  } catch {
    return undefined;
  }
  const parsed = STATE.safeParse(raw);
  if (!parsed.success) return undefined;
  const state = parsed.data;
  // A display that was unplugged would leave the window out of reach.
  return workAreas.some((area) => overlapsEnough(state.bounds, area)) ? state : undefined;
}

export function saveWindowState(dir: string, state: WindowState): void {
  const file = join(dir, WINDOW_STATE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(state)}\n`);
    renameSync(temporary, file);
  } catch {
    // A read-only profile folder only means the next window opens at the default place.
  }
}

/** At least 100×50 pixels of the window (its title bar, say) lie inside the area. */
function overlapsEnough(window: Rectangle, area: Rectangle): boolean {
  const width = Math.min(window.x + window.width, area.x + area.width) - Math.max(window.x, area.x);
  const height = Math.min(window.y + window.height, area.y + area.height) - Math.max(window.y, area.y);
  return width >= 100 && height >= 50;
}
