/// <reference lib="dom" />
// What the tests read off the page: screenshots for a person to look at, painted canvas pixels,
// numbers shown in the views.

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, type Locator, type Page } from "@playwright/test";

const SHOTS = resolve(import.meta.dirname, "../../../test-results/screenshots");
mkdirSync(SHOTS, { recursive: true });

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Pixels of a canvas that are not transparent (what has been painted on it). */
export async function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
    if (!data) return 0;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return painted;
  });
}

/** The timeline's group colours (Okabe–Ito, see renderer/charts/group-style.ts). */
export const GROUP_COLORS: [number, number, number][] = [
  [0x00, 0x72, 0xb2],
  [0x56, 0xb4, 0xe9],
  [0xd5, 0x5e, 0x00],
  [0x99, 0x99, 0x99],
  [0xe6, 0x9f, 0x00],
];

/** Pixels painted in a group colour: how much of the timeline its bars cover. */
export async function barPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((element, colors) => {
    const c = element as HTMLCanvasElement;
    const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
    if (!data) return 0;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] < 200) continue;
      for (const [r, g, b] of colors) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) {
          painted++;
          break;
        }
      }
    }
    return painted;
  }, GROUP_COLORS);
}

/**
 * Where on the canvas (CSS pixels) a bar of the given colour is painted, in its first lane:
 * scans the row just above the lane's bottom edge, from the newest end back.
 */
export async function barPoint(
  canvas: Locator,
  rgb: [number, number, number],
): Promise<{ x: number; y: number } | null> {
  return canvas.evaluate((element, color) => {
    const c = element as HTMLCanvasElement;
    const ratio = c.width / c.getBoundingClientRect().width;
    const ctx = c.getContext("2d");
    if (!ctx) return null;
    // Lane 0 ends at AXIS_HEIGHT + LANE_HEIGHT = 22 + 34; bars end 4 px above that.
    const y = Math.round((22 + 34 - 6) * ratio);
    const row = ctx.getImageData(0, y, c.width, 1).data;
    for (let x = c.width - 1; x >= 0; x--) {
      const i = x * 4;
      const near = Math.abs(row[i] - color[0]) + Math.abs(row[i + 1] - color[1]) + Math.abs(row[i + 2] - color[2]) < 40;
      if (near && row[i + 3] > 200) return { x: x / ratio, y: y / ratio };
    }
    return null;
  }, rgb);
}

/** The number a locator's text starts with ("1,234" → 1234). */
export async function numberIn(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? "";
  return Number(text.replace(/,/g, "").match(/-?[\d.]+/)?.[0] ?? Number.NaN);
}

/** Waits until the number shown rises above `than`, and returns it. */
export async function risesAbove(locator: Locator, than: number, what: string): Promise<number> {
  let seen = Number.NaN;
  await expect
    .poll(async () => (seen = await numberIn(locator)), { message: `${what} to rise above ${than}`, timeout: 30_000 })
    .toBeGreaterThan(than);
  return seen;
}
