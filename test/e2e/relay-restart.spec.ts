// `moqscope ui --url` against an external relay the test controls: the app shows it is
// reconnecting when the relay stops and finds the tree again when it comes back; a trigger on a
// gap holds the view when a publisher loses groups.

import { expect, test, type Page } from "@playwright/test";
import { screenshot } from "./helpers/page.ts";
import { freePort, startGappyPublisher, startRelay, startUi, type Running, type UiHost } from "./helpers/processes.ts";

test.describe.configure({ mode: "serial" });

let port: number;
let relay: Running;
let host: UiHost;
let page: Page;

test.beforeAll(async ({ browser }) => {
  port = await freePort();
  relay = await startRelay(port);
  host = await startUi(["--url", `http://127.0.0.1:${port}/`]);
  page = await browser.newPage();
  await page.goto(host.url);
});

test.afterAll(async () => {
  await page?.close();
  await host?.stop();
  await relay?.stop();
});

test("a relay that stops shows reconnecting, and its tree comes back when it returns", async () => {
  const clock = page.getByTestId("tree").locator('[data-key="demo/clock"]');
  await expect(clock).toBeVisible();
  await relay.stop();
  const pill = page.getByTestId("status-pill");
  await expect(pill).toContainText("reconnecting");
  await expect(clock.locator(".dot:not(.active)"), "the clock greyed as ended").toBeVisible();
  await screenshot(page, "12-reconnecting");
  relay = await startRelay(port);
  await expect(pill).toHaveAttribute("data-status", "connected", { timeout: 45_000 });
  await expect(page.getByTestId("tree").locator('[data-key="demo/clock"] .dot.active')).toBeVisible();
});

test("a trigger armed on gaps holds the view when a group goes missing", async () => {
  const publisher = await startGappyPublisher(`http://127.0.0.1:${port}/`, "gappy");
  try {
    await page.getByTestId("trigger").selectOption("gap");
    await expect(page.getByTestId("trigger-state")).toContainText("armed");
    const node = page.getByTestId("tree").locator('[data-key="gappy"]');
    await expect(node).toBeVisible();
    await node.dblclick();
    await page.getByTestId("track-name").fill("feed");
    await page.getByTestId("track-name").press("Enter");
    await expect(page.getByTestId("trigger-state")).toContainText("triggered", { timeout: 30_000 });
    await expect(page.getByTestId("held")).toBeVisible();
    await page.getByRole("tab", { name: "Timeline" }).click();
    await page.getByRole("radio", { name: "5 s" }).click();
    await screenshot(page, "13-triggered");
    // The finding links to where it happened: the group opens in the inspector.
    await page
      .getByTestId("expert")
      .getByRole("button", { name: /^Expert/ })
      .click();
    await page.getByTestId("finding").filter({ hasText: "never arrived" }).first().click();
    await expect(page.getByTestId("inspector")).toBeVisible();
    await screenshot(page, "13b-expert-link");
  } finally {
    await publisher.stop();
  }
});
