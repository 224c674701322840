// UI benchmark (`npm run bench:ui`, issue 7): a relay, a publisher of 50 tracks at 30 groups/s
// each, and `moqscope ui --url <relay>` driven by Debian's Chromium with every track subscribed
// and the Timeline shown. Every 5 s it samples the renderer's frame rate (an animation-frame
// counter in the page), the messages and bytes main sends the renderer (counted on the page's
// WebSocket), the renderer's busy time and JS heap (CDP), and the main process's CPU and RSS
// (/proc) and heap (a probe preloaded into it). It prints a table and a summary against the
// issue's targets; it asserts nothing.
//
//   --seconds 300      how long to sample after subscribing (the 5 minutes)
//   --tracks 50        tracks published and subscribed      --rate 30    groups/s per track
//   --frame-bytes 256  the one frame of each group           --every 5    seconds between samples
//   --json FILE        the samples as JSON                    --screenshot FILE  the timeline at the end
//   --profile-seconds 10  after the samples, a CPU profile of the renderer (0: none)
//   --heap-snapshot FILE  after the samples, a V8 heap snapshot of the main process
//   --transport auto   the app connects to http://… (WebTransport, else WebSocket); websocket: ws://…

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { chromium, type Browser, type CDPSession, type Page } from "@playwright/test";
import { GROUPS_PER_TRACK } from "../../main/studio/observe/tracks.ts";
import { expectMessage, forkChild, stopChild } from "./fanout/children.ts";
import type { FromRelay } from "./fanout/protocol.ts";
import { installProbe, readCounters, subscribeAll } from "./ui/page-probe.ts";
import { ProcessUsage, descendantsNamed } from "./ui/proc.ts";
import { profileRenderer } from "./ui/renderer-profile.ts";
import type { FromPublisher } from "./ui/protocol.ts";
import { samplesTable, summary, trafficTable, type Sample } from "./ui/report.ts";
import { startUiHost, type UiHost } from "./ui/ui-host.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const BROADCAST = "bench/ui";
const MB = 2 ** 20;

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "300" },
    tracks: { type: "string", default: "50" },
    rate: { type: "string", default: "30" },
    "frame-bytes": { type: "string", default: "256" },
    every: { type: "string", default: "5" },
    json: { type: "string" },
    screenshot: { type: "string", default: "test-results/bench-ui-timeline.png" },
    "profile-seconds": { type: "string", default: "10" },
    "heap-snapshot": { type: "string" },
    transport: { type: "string", default: "auto" },
  },
});
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number (got ${JSON.stringify(text)})`);
  return n;
};
const seconds = positive("seconds", values.seconds);
const trackCount = Math.round(positive("tracks", values.tracks));
const rate = positive("rate", values.rate);
const frameBytes = Math.max(8, Math.round(positive("frame-bytes", values["frame-bytes"])));
const every = positive("every", values.every);
if (values.transport !== "auto" && values.transport !== "websocket") {
  throw new Error(`--transport wants auto or websocket (got ${JSON.stringify(values.transport)})`);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `load average before: ${load()}`,
);
console.log(
  `${trackCount} tracks × ${rate} groups/s (one ${frameBytes} B frame each) = ${trackCount * rate} groups/s; ` +
    `sampling every ${every} s for ${seconds} s; Chromium ${CHROMIUM} headless ${CHROMIUM_ARGS.join(" ")}`,
);

const relay = forkChild("./relay-proc.ts", {}, "relay");
let publisher: ReturnType<typeof forkChild> | undefined;
let ui: UiHost | undefined;
let browser: Browser | undefined;
try {
  const { port } = await expectMessage<FromRelay, "listening">(relay, "listening", 30_000, "the relay");
  const relayUrl = `${values.transport === "websocket" ? "ws" : "http"}://127.0.0.1:${port}/`;
  publisher = forkChild(
    "../ui/publisher.ts",
    { url: `ws://127.0.0.1:${port}/`, broadcast: BROADCAST, tracks: trackCount, groupsPerSecond: rate, frameBytes },
    "publisher",
  );
  const { trackNames } = await expectMessage<FromPublisher, "publishing">(
    publisher,
    "publishing",
    30_000,
    "the publisher",
  );
  ui = await startUiHost(relayUrl);
  console.log(`relay ${relayUrl}; moqscope ui pid ${ui.pid}`);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: "light" });
  const page = await context.newPage();
  // Errors in the page would explain a stalled view: keep the first few.
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") pageErrors.push(message.text());
  });
  // tsx keeps function names with a helper the page does not have; the probe's source needs it.
  await page.addInitScript("globalThis.__name ??= (f) => f;");
  await page.addInitScript(installProbe);
  await page.goto(ui.url);
  await page.getByTestId("status-pill").and(page.locator('[data-status="connected"]')).waitFor({ timeout: 30_000 });
  await page.getByTestId("tree").locator(`[data-key="${BROADCAST}"]`).waitFor({ timeout: 30_000 });
  console.log(`connected: ${(await page.getByTestId("status-pill").textContent())?.trim()}`);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");

  // Usage meters start now; the first reading below covers the idle page.
  const usage = {
    main: new ProcessUsage(ui.pid),
    chromium: new ProcessUsage(() => descendantsNamed(process.pid, /chrom/i)),
    relay: new ProcessUsage(relay.pid!),
    publisher: new ProcessUsage(publisher.pid!),
  };
  const baselineFrom = await page.evaluate(readCounters);
  await new Promise((r) => setTimeout(r, every * 1000));
  const baselineTo = await page.evaluate(readCounters);
  const idleFps = ((baselineTo.frames - baselineFrom.frames) / (baselineTo.at - baselineFrom.at)) * 1000;
  const idleMsgs = ((baselineTo.received - baselineFrom.received) / (baselineTo.at - baselineFrom.at)) * 1000;
  console.log(
    `before subscribing (Connection graphs view, nothing subscribed): ${idleFps.toFixed(1)} fps, ${idleMsgs.toFixed(1)} msgs/s`,
  );

  const errors = await page.evaluate(subscribeAll, {
    connectionId: "default",
    broadcast: BROADCAST,
    tracks: trackNames,
  });
  if (errors.length > 0) throw new Error(`track:subscribe failed:\n${errors.join("\n")}`);
  await page.getByRole("tab", { name: "Timeline" }).click();
  await page.getByTestId("timeline-canvas").waitFor({ timeout: 30_000 });
  console.log(`subscribed to ${trackNames.length} tracks through the page's API; Timeline shown`);

  const samples: Sample[] = [];
  const start = performance.now();
  const publisherCounts = () =>
    new Promise<Extract<FromPublisher, { type: "count" }>>((done, fail) => {
      const p = publisher!;
      expectMessage<FromPublisher, "count">(p, "count", 10_000, "the publisher's count").then(done, fail);
      p.send({ type: "count" });
    });
  let lastCounters = await page.evaluate(readCounters);
  const firstCounters = lastCounters;
  let lastMetrics = await metrics(cdp);
  let lastPublished = await publisherCounts();
  const firstPublished = lastPublished;
  for (const u of Object.values(usage)) u.read();
  console.log("");
  for (let k = 1; k * every <= seconds; k++) {
    const wait = start + k * every * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const counters = await page.evaluate(readCounters);
    const m = await metrics(cdp);
    const mainMemory = await ui.memory();
    const published = await publisherCounts();
    const main = usage.main.read();
    const browserUsage = usage.chromium.read();
    const pageSeconds = (counters.at - lastCounters.at) / 1000;
    const cdpSeconds = m.Timestamp - lastMetrics.Timestamp;
    samples.push({
      t: (performance.now() - start) / 1000,
      fps: (counters.frames - lastCounters.frames) / pageSeconds,
      longestFrameMs: counters.longestFrameMs,
      messagesPerSecond: (counters.received - lastCounters.received) / pageSeconds,
      bytesPerSecond: (counters.receivedBytes - lastCounters.receivedBytes) / pageSeconds,
      rendererBusyPercent: ((m.TaskDuration - lastMetrics.TaskDuration) / cdpSeconds) * 100,
      rendererScriptPercent: ((m.ScriptDuration - lastMetrics.ScriptDuration) / cdpSeconds) * 100,
      rendererHeapMb: m.JSHeapUsedSize / MB,
      mainCpuPercent: main.cpuPercent,
      mainRssMb: main.rssBytes / MB,
      mainHeapMb: mainMemory.heapUsed / MB,
      mainLoopP99Ms: mainMemory.loopDelayP99Ms,
      chromiumCpuPercent: browserUsage.cpuPercent,
      chromiumRssMb: browserUsage.rssBytes / MB,
      relayCpuPercent: usage.relay.read().cpuPercent,
      publisherCpuPercent: usage.publisher.read().cpuPercent,
      publishedGroupsPerSecond: (published.groups - lastPublished.groups) / pageSeconds,
    });
    const s = samples.at(-1)!;
    process.stderr.write(
      `  t=${s.t.toFixed(0)} s: ${s.fps.toFixed(1)} fps, ${s.messagesPerSecond.toFixed(1)} msgs/s, ` +
        `main ${s.mainCpuPercent.toFixed(0)}% CPU ${s.mainRssMb.toFixed(0)} MB RSS\n`,
    );
    lastCounters = counters;
    lastMetrics = m;
    lastPublished = published;
  }

  if (values["heap-snapshot"]) {
    await ui.heapSnapshot(resolve(values["heap-snapshot"]));
    console.log(`main process heap snapshot: ${values["heap-snapshot"]}`);
  }
  const rendererProfile =
    Number(values["profile-seconds"]) > 0 ? await profileRenderer(cdp, Number(values["profile-seconds"])) : null;
  mkdirSync(dirname(values.screenshot), { recursive: true });
  await page.screenshot({ path: values.screenshot });
  const received = await groupsShown(page);
  const lastCount = await publisherCounts();

  console.log("");
  console.log(samplesTable(samples));
  console.log("");
  console.log(
    `main → renderer traffic by view over the ${((lastCounters.at - firstCounters.at) / 1000).toFixed(0)} s:`,
  );
  console.log(trafficTable(firstCounters, lastCounters));
  console.log("");
  console.log(
    `groups published since subscribing ${lastCount.groups - firstPublished.groups} ` +
      `(publisher ticks that came late: ${lastCount.lateTicks - firstPublished.lateTicks}); ` +
      `groups the Tracks view counts at the end: ${received}; ` +
      `chromium RSS (sum over its processes) at the end ${samples.at(-1)?.chromiumRssMb.toFixed(0)} MB`,
  );
  console.log(
    summary(samples, {
      minFps: 50,
      maxMessagesPerSecond: 100,
      buffersFullAtS: Math.ceil(GROUPS_PER_TRACK / rate),
      flatTolerance: 0.05,
    }),
  );
  console.log(
    pageErrors.length === 0
      ? "no errors or warnings in the page's console"
      : `page errors and warnings (${pageErrors.length}, the first 5):\n  ${pageErrors.slice(0, 5).join("\n  ")}`,
  );
  if (rendererProfile) {
    console.log("");
    console.log(`renderer CPU profile over ${values["profile-seconds"]} s after the samples, Timeline shown:`);
    console.log(rendererProfile);
  }
  console.log(`load average after: ${load()}; timeline screenshot: ${values.screenshot}`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ samples, idleFps, idleMsgs }, null, 2));
} finally {
  await browser?.close().catch(() => {});
  await ui?.stop().catch(() => {});
  if (publisher) await stopChild(publisher);
  await stopChild(relay);
}

/** The CDP Performance metrics by name (durations in seconds, sizes in bytes). */
async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** Groups received over all tracks, as the Tracks view shows them (switches to it). */
async function groupsShown(page: Page): Promise<number> {
  await page.getByRole("tab", { name: "Tracks" }).click();
  const cells = page.getByTestId("group-count");
  await cells.first().waitFor({ timeout: 10_000 });
  const texts = await cells.allTextContents();
  return texts.reduce((sum, text) => sum + Number(text.replace(/[^\d]/g, "")), 0);
}
