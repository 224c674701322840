// The same first steps in the desktop app, through Playwright's Electron launcher. Electron's
// binary is downloaded on first use and cannot be on build machines: there this is skipped, and
// says why.

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { _electron as electron, expect, test } from "@playwright/test";
import { screenshot } from "./helpers/page.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** The installed binary, found as the electron package does but without its download-on-require. */
function electronBinary(): string | null {
  const pkg = join(ROOT, "node_modules/electron");
  const pathFile = join(pkg, "path.txt");
  if (!existsSync(pathFile)) return null;
  const binary = join(pkg, "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (!binary)
  console.log("electron.spec: skipped: the Electron binary is not installed here (its download is not possible)");

test("the desktop window shows the demo broadcasts and opens the video catalog", async () => {
  test.skip(!binary, "the Electron binary is not installed here (its download is not possible)");
  const app = await electron.launch({
    executablePath: binary!,
    args: [resolve(ROOT, "out/main/index.js"), "--no-sandbox", "--disable-gpu"],
    cwd: ROOT,
  });
  try {
    const page = await app.firstWindow();
    const tree = page.getByTestId("tree");
    await expect(tree.locator('[data-key="demo/video.hang"]')).toBeVisible({ timeout: 30_000 });
    await tree.locator('[data-key="demo/video.hang"]').dblclick();
    await expect(page.getByTestId("renditions")).toBeVisible();
    await screenshot(page, "20-electron");
  } finally {
    await app.close();
  }
});
