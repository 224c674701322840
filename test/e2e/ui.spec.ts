// The app as a person meets it: `moqscope ui` with its embedded demo relay, in Chromium.

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, test, type Page } from "@playwright/test";
import { barPixels, barPoint, numberIn, paintedPixels, risesAbove, screenshot } from "./helpers/page.ts";
import { startUi, type UiHost } from "./helpers/processes.ts";

test.describe.configure({ mode: "serial" });

let host: UiHost;
let page: Page;

test.beforeAll(async ({ browser }) => {
  host = await startUi();
  page = await browser.newPage();
  try {
    await page.goto(host.url);
  } catch (err) {
    // afterEach does not run for a failed beforeAll: say here what the host printed.
    throw new Error(`${(err as Error).message}\n${hostStory()}`, { cause: err });
  }
});

/** How the page's host ended (if it did) and what it printed last. */
function hostStory(): string {
  const { exitCode, signalCode } = host.child;
  const ended =
    exitCode !== null || signalCode !== null ? `exited (code ${exitCode}, signal ${signalCode})` : "running";
  return `moqscope ui ${ended}; its last output:\n${host.output().slice(-3000)}`;
}

// When a test fails, what the page's host printed (and how it ended) is usually the story.
// Playwright insists on a destructuring pattern for the fixtures argument, even an empty one.
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus || !host) return;
  await testInfo.attach("moqscope ui output", { body: hostStory(), contentType: "text/plain" });
  console.log(hostStory());
});

test.afterAll(async () => {
  await page?.close();
  await host?.stop();
});

test("the first screen shows the demo broadcasts and a connected status", async () => {
  const tree = page.getByTestId("tree");
  await expect(tree.locator('[data-key="demo/clock"]')).toBeVisible();
  await expect(tree.locator('[data-key="demo/video.hang"]')).toBeVisible();
  await expect(page.getByTestId("status-pill")).toHaveAttribute("data-status", "connected");
  await expect(page.getByTestId("status-pill")).toContainText(/moq-lite-0\d · \S+ · [\d.]+ ms/);
  // The graphs are the first view: they move before anything is subscribed.
  await expect
    .poll(() => paintedPixels(page.getByTestId("chart-rtt")), { message: "the RTT graph" })
    .toBeGreaterThan(1000);
  await screenshot(page, "01-first-screen");
});

test("opening demo/video.hang shows its catalog", async () => {
  await page.getByTestId("tree").locator('[data-key="demo/video.hang"]').dblclick();
  const renditions = page.getByTestId("renditions");
  await expect(renditions).toBeVisible();
  await expect(renditions.locator("tbody tr").first()).toContainText(/video|audio/);
  await screenshot(page, "02-catalog");
});

test("subscribing draws the track's groups on the timeline while the count rises", async () => {
  const firstRendition = page.getByTestId("renditions").locator("tbody tr").first();
  await firstRendition.getByRole("button", { name: "Subscribe" }).click();
  await expect(page.getByRole("tab", { name: "Timeline", selected: true })).toBeVisible();
  await page.getByRole("tab", { name: "Tracks" }).click();
  const groups = page.getByTestId("group-count").first();
  const before = await risesAbove(groups, 0, "the group count");
  await risesAbove(groups, before, "the group count");
  // The relay's TRACK_INFO for the demo video: microsecond timestamps, the default 5 s window.
  await expect(page.getByTestId("track-info").first()).toHaveText("µs clock · max age 5 s · priority 0");
  await screenshot(page, "03-tracks");

  await page.getByRole("tab", { name: "Timeline" }).click();
  const canvas = page.getByTestId("timeline-canvas");
  await expect(canvas).toBeVisible();
  const painted = await barPixels(canvas);
  await expect
    .poll(() => barPixels(canvas), { message: "more bar pixels painted as groups arrive" })
    .toBeGreaterThan(painted);
  await screenshot(page, "04-timeline");
});

test("a group opens in the inspector and a frame shows its bytes", async () => {
  const canvas = page.getByTestId("timeline-canvas");
  // A complete group is drawn in the palette's blue (#0072B2).
  let point: { x: number; y: number } | null = null;
  await expect
    .poll(async () => (point = await barPoint(canvas, [0x00, 0x72, 0xb2])), { message: "a complete group bar" })
    .not.toBeNull();
  // Hovering shows the group's numbers; a click opens it.
  await canvas.hover({ position: point! });
  await expect(page.getByRole("tooltip")).toContainText(/group \d+ · (complete|arriving)/);
  await expect(page.getByRole("tooltip")).toContainText(/frames · [\d.]+ (KiB|MiB)/);
  // On 06 the frames carry wire timestamps: the demo video stamps µs, so the span reads in µs.
  await expect(page.getByRole("tooltip")).toContainText(/media time [\d.]+ s( \+ [\d.]+ ms)?/);
  await expect(page.getByRole("tooltip")).toContainText(/\d+(–\d+)? @ µs/);
  await screenshot(page, "04b-timeline-hover");
  await canvas.click({ position: point! });
  const inspector = page.getByTestId("inspector");
  await expect(inspector).toBeVisible();
  const frames = inspector.getByTestId("frames").locator("button:not([disabled])");
  await expect(frames.first()).toBeVisible();
  await frames.first().click();
  await expect(inspector.getByTestId("payload-view")).toContainText(/00000000 /);
  await screenshot(page, "05-inspector");
  // The bar links to its rows in the message log.
  await inspector.getByRole("button", { name: "Show this group's messages" }).click();
  await expect(page.getByRole("tab", { name: "Messages", selected: true })).toBeVisible();
  await expect(page.getByTestId("messages").locator("button.line.focus").first()).toBeVisible();
  await screenshot(page, "05b-group-messages");
  await expect(page.getByTestId("inspector")).toBeHidden();
  await page.getByRole("button", { name: /^group \d+ ×$/ }).click();
  await page.getByRole("textbox", { name: "Broadcast", exact: true }).fill("");
  await page.getByRole("textbox", { name: "Track", exact: true }).fill("");
});

test("the Connection view graphs a loopback RTT under 5 ms and a bitrate", async () => {
  await page.getByRole("tab", { name: "Connection" }).click();
  const rtt = page.getByTestId("rtt");
  await expect.poll(() => numberIn(rtt), { message: "an RTT" }).toBeGreaterThan(0);
  await expect(rtt).toContainText("ms");
  expect(await numberIn(rtt)).toBeLessThan(5);
  await expect
    .poll(() => numberIn(page.getByTestId("recv-bitrate")), { message: "a receive bitrate" })
    .toBeGreaterThan(0);
  for (const id of ["chart-rtt", "chart-bitrate", "chart-probe"]) {
    await expect.poll(() => paintedPixels(page.getByTestId(id)), { message: `${id} drawn` }).toBeGreaterThan(1000);
  }
  // Which transport carries the session, by name (HTTP/3 where its native part is built).
  await expect(page.getByTestId("transport")).toContainText(/WebTransport over HTTP\/[23]|WebSocket/);
  await screenshot(page, "06-connection");
});

test("the Messages view lists control messages and opens one", async () => {
  await page.getByRole("tab", { name: "Messages" }).click();
  const rows = page.getByTestId("messages").locator("button.line");
  await expect(rows.first()).toBeVisible();
  await page.getByRole("textbox", { name: "Types" }).fill("SUBSCRIBE");
  await expect(rows.first()).toContainText("SUBSCRIBE");
  await rows.first().click();
  await expect(page.getByTestId("message-detail")).toBeVisible();
  await screenshot(page, "07-messages");
  await page.getByRole("textbox", { name: "Types" }).fill("");
});

test("Hold freezes the view while the group counter keeps rising; Resume goes live", async () => {
  await page.getByRole("tab", { name: "Tracks" }).click();
  const groups = page.getByTestId("group-count").first();
  await risesAbove(groups, 0, "the group count");
  await page.locator("body").press("Space");
  await expect(page.getByTestId("held")).toBeVisible();
  const frozen = await numberIn(groups);
  await risesAbove(page.getByTestId("held-new-groups"), 1, "the groups counted behind the Hold");
  expect(await numberIn(groups)).toBe(frozen);
  await screenshot(page, "08-held");
  await page.getByTestId("hold").click();
  await expect(page.getByTestId("held")).toBeHidden();
  await risesAbove(groups, frozen, "the live group count after Resume");
});

test("a recording saves what was observed and opens read-only in its own tab", async () => {
  await page.keyboard.press("Control+s");
  const record = page.getByTestId("record");
  await expect(record).toContainText("Stop recording");
  // Record while a couple of groups arrive, so the recording has some to show.
  const groups = page.getByTestId("group-count").first();
  await risesAbove(groups, (await numberIn(groups)) + 1, "the group count while recording");
  await expect
    .poll(async () => /[1-9]/.test((await record.textContent()) ?? ""), { message: "bytes recorded" })
    .toBe(true);
  await page.keyboard.press("Control+s");
  await expect(record).toContainText("Record");
  await page.keyboard.press("Control+o");
  const list = page.getByTestId("recordings");
  await expect(list.getByRole("button").first()).toBeVisible();
  await screenshot(page, "09-recordings");
  await list.getByRole("button").first().click();
  await expect(page.getByTestId("tab")).toHaveCount(2);
  await expect(page.getByTestId("status-pill")).toContainText("read-only");
  await expect(page.getByTestId("tree").locator('[data-key="demo/clock"]')).toBeVisible();
  await page.getByRole("tab", { name: "Tracks" }).click();
  await expect
    .poll(() => numberIn(page.getByTestId("group-count").first()), { message: "groups replayed" })
    .toBeGreaterThan(0);
  await screenshot(page, "10-recording-open");
  await page.getByTestId("tab").first().click();
});

test("a bad URL shows the same message the CLI prints", async () => {
  const cli = resolve(import.meta.dirname, "../../out/main/cli.js");
  const failure = await promisify(execFile)(process.execPath, [cli, "inspect", "ftp://nowhere/"]).catch(
    (error: { stderr: string }) => error,
  );
  const said = ("stderr" in failure ? failure.stderr : "").split("\n")[0].replace(/^moqscope:\s*/, "");
  expect(said, "the CLI explains a bad URL").toMatch(/ftp/);
  const url = page.getByTestId("url");
  await page.keyboard.press("Control+l");
  await expect(url).toBeFocused();
  await url.fill("ftp://nowhere/");
  await url.press("Enter");
  const shown = page.getByTestId("notice").or(page.getByTestId("status-pill").filter({ hasText: "failed" }));
  await expect(shown.first()).toContainText(said.slice(0, 40));
  await screenshot(page, "11-bad-url");
});

test("the keyboard walks the tree: / filters, arrows select, Enter opens", async () => {
  await page.getByTestId("broadcast").getByRole("button", { name: "Close the broadcast" }).click();
  await page.locator("body").click({ position: { x: 700, y: 600 } });
  await page.keyboard.press("/");
  await expect(page.getByTestId("tree-filter")).toBeFocused();
  await page.keyboard.type("clock");
  const tree = page.getByTestId("tree");
  await expect(tree.locator('[data-key="demo/video.hang"]')).toBeHidden();
  await tree.focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(tree.locator('[data-key="demo/clock"]')).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("broadcast")).toContainText("demo/clock");
  await page.getByTestId("tree-filter").fill("");
});

test("the dark theme follows the system", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const [r, g, b] = background.match(/\d+/g)!.map(Number);
  expect(r + g + b, `a dark background (${background})`).toBeLessThan(150);
  await page.getByRole("tab", { name: "Timeline" }).click();
  await screenshot(page, "14-dark-timeline");
  await page.getByRole("tab", { name: "Connection" }).click();
  await screenshot(page, "15-dark-connection");
  await page.emulateMedia({ colorScheme: "light" });
});

test("the Publish view sends the test video and the camera, and counts who subscribes", async () => {
  await page.getByRole("tab", { name: "Publish" }).click();
  await expect(page.getByText("Nothing is published from this connection yet")).toBeVisible();
  await screenshot(page, "19-publish-empty");
  const form = page.getByRole("form", { name: "Publish" });
  await form.getByLabel("Broadcast name").fill("e2e/test.hang");
  await form.getByRole("button", { name: "Start" }).click();
  const table = page.getByTestId("publications");
  const testRow = table.locator("tr", { hasText: "e2e/test.hang" });
  await expect(testRow.getByTestId("publication-status")).toHaveText("live");
  await risesAbove(testRow.getByTestId("publication-groups"), 0, "the test video's groups");

  // Open it as any subscriber would: its catalog, then a subscription the Publish view counts.
  await testRow.getByRole("button", { name: "Open" }).click();
  const renditions = page.getByTestId("renditions");
  await expect(renditions.locator("tbody tr").first()).toContainText("video/synthetic");
  await renditions.locator("tbody tr").first().getByRole("button", { name: "Subscribe" }).click();
  await page.getByRole("tab", { name: "Publish" }).click();
  await expect.poll(() => numberIn(testRow.getByTestId("publication-subscribers"))).toBeGreaterThan(0);

  // The camera (Chromium's synthetic one), encoded in the page and published as hang.
  await form.getByText("Camera", { exact: true }).click();
  // A name typed by hand stays when the kind changes.
  await expect(form.getByLabel("Broadcast name")).toHaveValue("e2e/test.hang");
  await form.getByLabel("Broadcast name").fill("moqscope/camera.hang");
  await form.getByRole("button", { name: "Start" }).click();
  const camera = page.getByRole("region", { name: "Camera" });
  await expect(camera).toContainText(/(avc1|vp8|vp09)\S* · \d+×\d+ · \d+ fps/);
  const cameraRow = table.locator("tr", { hasText: "moqscope/camera.hang" });
  await expect(cameraRow.getByTestId("publication-status")).toHaveText("live");
  await risesAbove(cameraRow.getByTestId("publication-groups"), 0, "the camera's groups");
  await screenshot(page, "20-publish");
  await cameraRow.getByRole("button", { name: "Open" }).click();
  await expect(page.getByTestId("renditions").locator("tbody tr").first()).toContainText(/video\/hd.*(avc1|vp8|vp09)/);
  await page.getByRole("tab", { name: "Publish" }).click();
  await cameraRow.getByRole("button", { name: "Stop" }).click();
  await expect(cameraRow.getByTestId("publication-status")).toHaveText("ended");
  await expect(camera).toBeHidden();
  await page.getByTestId("broadcast").getByRole("button", { name: "Close the broadcast" }).click();
});

test("profiles are saved with a token the page can set but never read back", async () => {
  await page.getByRole("combobox", { name: "Profile" }).selectOption({ label: "Edit profiles…" });
  const dialog = page.getByRole("dialog", { name: "Profiles" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "+ New profile" }).click();
  await dialog.getByLabel("Name").fill("Second relay");
  await dialog.getByLabel("URL").fill("http://127.0.0.1:4443/anon");
  await dialog.getByLabel("Token (JWT)").fill("secret-token-value");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("button", { name: "Second relay" })).toBeVisible();
  const token = dialog.getByLabel("Token (JWT)");
  await expect(token).toHaveValue("");
  await expect(token).toHaveAttribute("placeholder", /a token is set/);
  expect(await page.content()).not.toContain("secret-token-value");
  await screenshot(page, "16-profiles");
  await dialog.getByRole("button", { name: "Close" }).click();
});

test("a second connection opens in its own tab beside the first", async () => {
  const tabs = page.getByTestId("tab");
  const before = await tabs.count();
  await page.getByRole("button", { name: "+ Connection" }).click();
  const form = page.getByTestId("new-connection");
  await form.getByLabel("Profile").selectOption({ label: "Local demo" });
  await form.getByRole("button", { name: "Open" }).click();
  await expect(tabs).toHaveCount(before + 1);
  await expect(page.getByTestId("status-pill")).toHaveAttribute("data-status", "connected");
  await expect(page.getByTestId("tree").locator('[data-key="demo/clock"]')).toBeVisible();
  await screenshot(page, "17-second-tab");
});

test("losing the moqscope ui host is shown, not hidden", async () => {
  await host.stop();
  await expect(page.getByTestId("link-banner")).toContainText("Lost the moqscope app");
  // The pill no longer claims a live connection: it shows the last state main reported, as such.
  await expect(page.getByTestId("status-pill")).toHaveAttribute("data-stale", "true");
  await expect(page.getByTestId("status-pill")).toContainText("last known:");
  await screenshot(page, "18-host-gone");
});
