import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WINDOW_STATE_FILE, loadWindowState, saveWindowState } from "../../../main/electron/window-state.ts";

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "moqscope-window-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("window state", () => {
  it("round-trips the bounds and the maximized flag", async () => {
    const state = { bounds: { x: 10, y: 20, width: 1280, height: 800 }, maximized: true };
    saveWindowState(dir, state);
    expect(loadWindowState(dir, screen)).toEqual(state);
    expect(JSON.parse(await readFile(join(dir, WINDOW_STATE_FILE), "utf8"))).toEqual(state);
  });

  it("ignores a missing, corrupt or malformed file", async () => {
    expect(loadWindowState(dir, screen)).toBeUndefined();
    for (const content of [
      "{not json",
      "null",
      '{"bounds":{"x":0,"y":0,"width":"wide","height":800},"maximized":false}',
      '{"bounds":{"x":0,"y":0,"width":10,"height":10},"maximized":false}',
      '{"bounds":{"x":0,"y":0,"width":1000,"height":800},"maximized":false,"__proto__":{}}',
    ]) {
      await writeFile(join(dir, WINDOW_STATE_FILE), content);
      expect(loadWindowState(dir, screen), content).toBeUndefined();
    }
  });

  it("ignores bounds on a display that is gone", () => {
    saveWindowState(dir, { bounds: { x: 3000, y: 0, width: 1280, height: 800 }, maximized: false });
    expect(loadWindowState(dir, screen)).toBeUndefined();
    expect(loadWindowState(dir, [...screen, { x: 1920, y: 0, width: 2560, height: 1440 }])).toBeDefined();
  });

  it("does not throw when the folder cannot be written", () => {
    expect(() =>
      saveWindowState(join(dir, "missing\0name"), {
        bounds: { x: 0, y: 0, width: 800, height: 600 },
        maximized: false,
      }),
    ).not.toThrow();
  });
});
