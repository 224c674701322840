// Preloaded into the `moqscope ui` process by `npm run bench:ui` (node --import): answers the
// benchmark's "memory?" over the IPC channel with the V8 heap (which /proc cannot see) and the
// event loop's delay since the last question; "heap-snapshot?" writes a V8 heap snapshot. Plain JavaScript so the app runs as shipped,
// without a TypeScript loader. Costs one histogram and an idle channel.

import { monitorEventLoopDelay } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";

if (process.send) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on("message", (message) => {
    if (message?.type === "heap-snapshot?") {
      process.send?.({ type: "heap-snapshot", path: writeHeapSnapshot(message.path) });
      return;
    }
    if (message?.type !== "memory?") return;
    const usage = process.memoryUsage();
    process.send?.({
      type: "memory",
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
    });
    delay.reset();
  });
  // The channel must not keep the app alive once it wants to exit.
  process.channel?.unref();
}
