// CPU and resident memory of processes read from Linux's /proc, so the measured processes run
// unchanged (no agent inside them). CPU is user + system time in clock ticks (USER_HZ, 100 on
// Linux); a set of processes (Chromium's browser and its renderers) is summed over the ones alive
// at each reading.

import { readFileSync, readdirSync } from "node:fs";

const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface ProcStat {
  ppid: number;
  cpuSeconds: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // gone
  }
  // The command name may hold spaces and parentheses: fields start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // Fields from 3 (state) on: ppid is field 4, utime 14, stime 15, rss 24 (man 5 proc).
  const at = (n: number) => Number(fields[n - 3]);
  return { ppid: at(4), cpuSeconds: (at(14) + at(15)) / TICKS_PER_SECOND, rssBytes: at(24) * PAGE_BYTES };
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const next = stack.pop()!;
    tree.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return tree;
}

export interface UsageReading {
  /** CPU used since the previous reading over the wall time between them, in % of one core. */
  cpuPercent: number;
  rssBytes: number;
}

/** Processes below `root` whose command name matches (Chromium's browser, renderers, GPU and utility processes). */
export function descendantsNamed(root: number, name: RegExp): number[] {
  return processTree(root).filter((pid) => {
    if (pid === root) return false;
    try {
      return name.test(readFileSync(`/proc/${pid}/comm`, "utf8"));
    } catch {
      return false;
    }
  });
}

/** CPU % between readings and the current RSS of one process, or summed over a changing set. */
export class ProcessUsage {
  readonly #pids: () => number[];
  /** CPU seconds per pid at the last reading: processes that appear later count from zero. */
  #last = new Map<number, number>();
  #lastAt = performance.now();
  #first = true;

  constructor(pids: number | (() => number[])) {
    this.#pids = typeof pids === "number" ? () => [pids] : pids;
    this.read();
  }

  read(): UsageReading {
    const now = performance.now();
    const next = new Map<number, number>();
    let cpu = 0;
    let rss = 0;
    for (const pid of this.#pids()) {
      const stat = readStat(pid);
      if (!stat) continue;
      next.set(pid, stat.cpuSeconds);
      cpu += stat.cpuSeconds - (this.#last.get(pid) ?? (this.#first ? stat.cpuSeconds : 0));
      rss += stat.rssBytes;
    }
    const seconds = (now - this.#lastAt) / 1000;
    this.#first = false;
    this.#last = next;
    this.#lastAt = now;
    return { cpuPercent: seconds > 0 ? (cpu / seconds) * 100 : 0, rssBytes: rss };
  }
}
