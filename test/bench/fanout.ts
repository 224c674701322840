// Relay fan-out benchmark (`npm run bench:fanout`): one publisher through the embedded relay to
// 1, 10 and 100 subscribers at 1 Mbit/s each, with our subscribers and then with @moq/lite's.
// Per step: delivered bit rate, groups lost, per-frame delivery latency and the relay process's
// CPU and memory. It prints numbers; it asserts nothing (exit 1 only if a step failed to run).
//
//   --counts 1,10,100      subscriber counts          --kinds ours,lite   subscriber implementations
//   --seconds 10           measured window per step   --warmup-s 2        before the window
//   --per-process 50       subscriber sessions per process
//   --json FILE            every step's rows as JSON

import { cpus, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { SubscriberKind } from "./fanout/protocol.ts";
import { markdownTable, rowOf, stepHolds, type StepRow } from "./fanout/report.ts";
import { runStep } from "./fanout/step.ts";

const FPS = 30;
const GROUP_FRAMES = 30;
/** 30 fps × 4167 B × 8 = 1.0 Mbit/s per subscriber. */
const FRAME_BYTES = 4167;
const P99_BOUND_MS = 50;

const { values } = parseArgs({
  options: {
    counts: { type: "string", default: "1,10,100" },
    kinds: { type: "string", default: "ours,lite" },
    seconds: { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "2" },
    "per-process": { type: "string", default: "50" },
    json: { type: "string" },
  },
});
const counts = values.counts.split(",").map(Number);
const kinds = values.kinds.split(",") as SubscriberKind[];

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, load average before: ${load()}`,
);
console.log(
  `track: ${FPS} fps × ${FRAME_BYTES} B frames, ${GROUP_FRAMES} frames per group = ${((FPS * FRAME_BYTES * 8) / 1e6).toFixed(2)} Mbit/s per subscriber; ` +
    `window ${values.seconds} s after ${values["warmup-s"]} s warm-up; WebSocket/QMux, moq-lite-04`,
);

const rows: StepRow[] = [];
const failures: string[] = [];
for (const kind of kinds) {
  for (const count of counts) {
    const label = `${count} × ${kind}`;
    try {
      const step = await runStep({
        count,
        kind,
        perProcess: Number(values["per-process"]),
        fps: FPS,
        frameBytes: FRAME_BYTES,
        groupFrames: GROUP_FRAMES,
        warmupMs: Number(values["warmup-s"]) * 1000,
        measureMs: Number(values.seconds) * 1000,
        graceMs: 1000,
      });
      const row = rowOf(step);
      rows.push(row);
      console.log(
        `\n${label}: relay saw ${step.relay.sessions} sessions, ${step.relay.downstreamSubscriptions} downstream subscriptions`,
      );
      console.log(markdownTable([row]));
    } catch (err) {
      failures.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
      console.log(`\n${label}: FAILED ${failures[failures.length - 1]}`);
    }
  }
}

console.log(`\nAll steps (load average after: ${load()}):\n`);
console.log(markdownTable(rows));
for (const kind of kinds) {
  const held = rows.filter((r) => r.kind === kind && stepHolds(r, P99_BOUND_MS));
  const largest = held.length ? Math.max(...held.map((r) => r.subscribers)) : 0;
  console.log(`${kind}: largest fan-out with zero loss and p99 < ${P99_BOUND_MS} ms: ${largest || "none"}`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
if (failures.length) {
  console.log(`\nFailed steps:\n${failures.join("\n")}`);
  process.exit(1);
}
process.exit(0);
