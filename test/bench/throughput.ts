// Throughput benchmark (a script that prints numbers, not a test): frames move publisher →
// subscriber over loopback, each side in its own child process, over WebSocket/QMux and
// WebTransport over HTTP/2. It measures the raw transport (one stream) as the baseline, our
// library on both sides, and @moq/lite 0.2.2 on either or both sides as the reference.
//
//   npm run bench -- --help

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { USAGE, defaultMbytes, parseOptions, type BenchOptions } from "./options.ts";
import type { BenchVersion, Impl, RunConfig } from "./protocol.ts";
import { frameLabel, metricsOf, runTable, summarize, summaryTable, verdicts, type Metrics } from "./report.ts";
import { runOnce, type RunResult } from "./runner.ts";

// @fails-components' HTTP/2 streams resolve write() before the chunk has been consumed, and
// @moq/lite reuses one small scratch buffer for every varint it writes, so its streams arrive
// corrupted (a 20-write check read back 20 copies of the last byte). Not a fair measurement.
const LITE_OVER_WEBTRANSPORT =
  "note: @moq/lite and @moq/net pairs run over WebSocket only: over WebTransport/HTTP/2 in Node their reused\n" +
  "      write buffers are overwritten before @fails-components sends them, so streams arrive corrupted\n" +
  "      (see BENCHMARKS.md); over WebSocket @moq/net's writes are copied first (net-peer.ts)\n";

/** Every measurement of one pass, raw baseline first. */
/**
 * Whether a side runs at `version`: @moq/lite 0.2.2 speaks 03/04 only, @moq/net 0.3.4 up to 05
 * (its 06 is another, unfinished wire format), and the raw baseline has no version (listed once,
 * under 04).
 */
function speaks(impl: Impl, version: BenchVersion): boolean {
  if (impl === "ours") return true;
  if (impl === "net") return version !== "moq-lite-06";
  return version === "moq-lite-04";
}

function plan(o: BenchOptions): RunConfig[] {
  const configs: RunConfig[] = [];
  for (const transport of o.transports) {
    for (const frameBytes of o.frameSizes) {
      const mbytes = o.mbytes ?? defaultMbytes(frameBytes);
      const totalFrames = Math.max(1, Math.round((mbytes * 1e6) / frameBytes));
      const groupBytes = frameBytes * o.groupFrames;
      const windowGroups = Math.max(2, Math.min(o.maxWindowGroups, Math.floor(o.windowBytes / groupBytes)));
      const base = { transport, frameBytes, totalFrames, groupFrames: o.groupFrames, windowGroups };
      const pairs: [Impl, Impl][] = o.raw ? [["raw", "raw"]] : [];
      if (o.pairs) pairs.push(...o.pairs);
      else for (const p of o.publishers) for (const s of o.subscribers) pairs.push([p, s]);
      for (const [publisher, subscriber] of pairs) {
        const reference = (impl: Impl) => impl === "lite" || impl === "net";
        if (transport !== "websocket" && (reference(publisher) || reference(subscriber))) continue;
        for (const version of o.versions) {
          if (speaks(publisher, version) && speaks(subscriber, version))
            configs.push({ ...base, publisher, subscriber, version });
        }
      }
    }
  }
  return configs;
}

/** Which library code was measured: the commit, and whether main/moq differed from it. */
function revisionText(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const head = git("rev-parse", "--short", "HEAD");
    const dirty = git("status", "--porcelain", "--", "main/moq") !== "";
    return `${head}${dirty ? " with uncommitted changes in main/moq" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** Other work on the machine skews everything; print it so readers can judge. */
function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");
}

function describe(c: RunConfig): string {
  const who =
    c.publisher === "raw" ? "raw transport" : `${c.publisher} → ${c.subscriber}, ${c.version.replace("moq-lite-", "")}`;
  const mb = ((c.totalFrames * c.frameBytes) / 1e6).toFixed(0);
  return `${c.transport}, ${who}, ${frameLabel(c.frameBytes)} frames, ${mb} MB`;
}

async function main(): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const o = options;
  if (o.profileDir) mkdirSync(o.profileDir, { recursive: true });

  console.log(`# moq-lite throughput, ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}`);
  console.log(`library revision: ${revisionText()}`);
  console.log(`load average before: ${loadText()}`);
  console.log(
    `groups of ${o.groupFrames} frames; the publisher stays ≤ ${o.windowBytes / 2 ** 20} MiB and ≤ ${o.maxWindowGroups} groups ` +
      `(but ≥ 2 groups) ahead of the subscriber; MB = 10^6 B, GB = 10^9 B of payload\n`,
  );

  const configs = plan(o);
  const reference = (impl: Impl) => impl === "lite" || impl === "net";
  const usesLite = o.pairs
    ? o.pairs.some((p) => p.some(reference))
    : o.publishers.some(reference) || o.subscribers.some(reference);
  if (o.transports.some((t) => t !== "websocket") && usesLite) {
    console.log(LITE_OVER_WEBTRANSPORT);
  }
  const metrics: Metrics[] = [];
  const results: RunResult[] = [];
  const failures: string[] = [];
  // Repeats go round the whole plan, so slow spells on a shared machine spread over all pairs.
  for (let pass = 1; pass <= o.repeat; pass++) {
    for (const config of configs) {
      const label = `${config.transport}-${config.publisher}-${config.subscriber}-${config.frameBytes}-${pass}`;
      process.stderr.write(`run ${pass}/${o.repeat}: ${describe(config)} … `);
      try {
        const result = await runOnce(config, {
          timeoutMs: o.timeoutMs,
          profileDir: o.profileDir,
          label,
          nodeArgs: o.nodeArgs,
        });
        const m = metricsOf(result);
        results.push(result);
        metrics.push(m);
        process.stderr.write(`${m.mbPerSecond.toFixed(1)} MB/s\n`);
      } catch (err) {
        const why = (err as Error).message;
        failures.push(`${describe(config)}: ${why}`);
        process.stderr.write(`FAILED: ${why}\n`);
      }
    }
  }

  console.log("## Every run\n");
  console.log(runTable(metrics));
  if (o.repeat > 1) {
    console.log("\n## Medians\n");
    console.log(summaryTable(summarize(metrics)));
  } else {
    console.log("");
    console.log(summaryTable(summarize(metrics)));
  }
  const lines = verdicts(summarize(metrics));
  if (lines.length > 0) {
    console.log("\n## Targets\n");
    for (const line of lines) console.log(line);
  }
  if (failures.length > 0) {
    console.log("\n## Failed runs\n");
    for (const f of failures) console.log(`- ${f}`);
  }
  console.log(`\nload average after: ${loadText()}`);
  if (o.jsonPath) writeFileSync(o.jsonPath, JSON.stringify({ options: o, results, metrics }, null, 2));
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
