// Summarise a V8 .cpuprofile (from `npm run bench -- --profile DIR`): the functions with the most
// self time, and the project functions with the most inclusive time.
//
//   npx tsx test/bench/profile-summary.ts DIR/<run>.sub.cpuprofile [--top 25] [--callers NAME]
//
// Each file covers one process's main thread during the measured interval only.

import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

function nameOf(n: ProfileNode): string {
  const f = n.callFrame;
  const url = f.url
    .replace(/^file:\/\//, "")
    .replace(/^.*?\/node_modules\//, "node_modules/")
    .replace(/^\/work\/main\//, "");
  return `${f.functionName || "(anonymous)"} ${url ? `${url}:${f.lineNumber + 1}` : ""}`.trim();
}

function summarise(path: string, top: number, callersOf: string | undefined): void {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Sample time per node (µs), from the sample list when present, else from hit counts.
  const selfUs = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i]!;
      selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
    }
  } else {
    const per =
      (profile.endTime - profile.startTime) /
      Math.max(
        1,
        profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0),
      );
    for (const n of profile.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * per);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const selfByName = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const name = nameOf(byId.get(id)!);
    selfByName.set(name, (selfByName.get(name) ?? 0) + us);
  }

  // Inclusive time: each node's subtree, counted once per function name per stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = nameOf(byId.get(cur)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }

  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(`\n${path}: ${(total / 1e6).toFixed(2)} s sampled`);
  console.log(`\nself time, top ${top}:`);
  for (const [name, us] of [...selfByName].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)}  ${name}`);
  console.log(`\ninclusive time of project and moq functions, top ${top}:`);
  const ours = [...inclusive].filter(([name]) => /\bmain\/moq\/|test\/bench\/|@moq\//.test(name));
  for (const [name, us] of ours.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${name}`);

  if (callersOf) {
    // Where the self time of matching functions comes from: the nearest few frames above them.
    const stacks = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const node = byId.get(id)!;
      if (!nameOf(node).includes(callersOf)) continue;
      const frames: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && frames.length < 4; cur = parent.get(cur))
        frames.push(nameOf(byId.get(cur)!));
      const key = `${nameOf(node)}  <-  ${frames.join("  <-  ")}`;
      stacks.set(key, (stacks.get(key) ?? 0) + us);
    }
    console.log(`\ncallers of "${callersOf}", top ${top}:`);
    for (const [key, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${key}`);
  }
}

const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
const callersAt = args.indexOf("--callers");
const callersOf = callersAt >= 0 ? args.splice(callersAt, 2)[1] : undefined;
if (args.length === 0) {
  console.error("usage: tsx test/bench/profile-summary.ts FILE.cpuprofile... [--top N]");
  process.exit(2);
}
for (const file of args) summarise(file, top, callersOf);
