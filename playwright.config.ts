// End-to-end tests of the UI: `moqscope ui` serves the built renderer, Debian's Chromium drives it
// (Playwright's own browser download does not work on these machines). `npm test` builds first.

import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

/**
 * Which Chromium drives the tests: MOQSCOPE_CHROMIUM if set, else Debian's (CI installs it), else
 * Playwright's own (`npx playwright install chromium`, for machines where that download works).
 */
const CHROMIUM =
  process.env["MOQSCOPE_CHROMIUM"] ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "test/e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/playwright",
  // The machine has 2 cores shared with the relay and the host each test starts.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // The Publish view's camera: Chromium's synthetic camera, permission granted without a prompt.
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
      ],
    },
  },
});
