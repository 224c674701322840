// Where the renderer's main thread spends its time: a CPU profile of the page over a few seconds
// (CDP Profiler, sampling every millisecond), reduced to the functions with the most samples,
// self and inclusive. Only for explaining the frame rate; it runs after the measured window
// because the profiler itself costs the page time.

import type { CDPSession } from "@playwright/test";
import { table } from "./report.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

export async function profileRenderer(cdp: CDPSession, seconds: number): Promise<string> {
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 1000 });
  await cdp.send("Profiler.start");
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
  await cdp.send("Profiler.disable");
  return summarize(profile);
}

function nameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split("/").pop() ?? "";
  if (!url) return functionName || "(anonymous)";
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
}

function summarize(profile: Profile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const samples = profile.samples ?? [];
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const special = new Map<string, number>();
  for (const id of samples) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    const leafName = nameOf(leaf);
    if (IDLE.has(leaf.callFrame.functionName)) {
      special.set(leaf.callFrame.functionName, (special.get(leaf.callFrame.functionName) ?? 0) + 1);
      continue;
    }
    self.set(leafName, (self.get(leafName) ?? 0) + 1);
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      if (IDLE.has(node.callFrame.functionName)) continue;
      seen.add(nameOf(node));
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
  const total = samples.length;
  const pct = (n: number) => `${((n / Math.max(1, total)) * 100).toFixed(1)}%`;
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const lines = [
    `${total} samples; idle ${pct(special.get("(idle)") ?? 0)}, garbage collector ${pct(special.get("(garbage collector)") ?? 0)}, ` +
      `program (outside JS: layout, paint, raster) ${pct(special.get("(program)") ?? 0)}`,
    "",
    "self time (top 12):",
    table(
      ["function", "% of samples"],
      top(self, 12).map(([name, n]) => [name, pct(n)]),
    ),
    "",
    "inclusive time (top 15):",
    table(
      ["function", "% of samples"],
      top(inclusive, 15).map(([name, n]) => [name, pct(n)]),
    ),
  ];
  return lines.join("\n");
}
