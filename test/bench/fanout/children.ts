// Forking the benchmark's child processes (TypeScript through tsx, like `npm run bench:fanout`)
// and waiting for their messages with a deadline, so a stuck child fails the step instead of
// hanging the run.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { expectMessageBy } from "../runner.ts";

const TSX = import.meta.resolve("tsx");
/** Lines children print that say nothing about the benchmark. */
const NOISE = [/^http3 loader: /];

export function forkChild(script: string, config: object, label: string): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, [JSON.stringify(config)], {
    execArgv: ["--import", TSX],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (!NOISE.some((re) => re.test(line))) process.stderr.write(`[${label}] ${line}\n`);
    });
  }
  return child;
}

/** The next message of `type` from `child`; rejects on its error report, its exit or the timeout. */
export function expectMessage<M extends { type: string }, K extends M["type"]>(
  child: ChildProcess,
  type: K,
  timeoutMs: number,
  what: string,
): Promise<Extract<M, { type: K }>> {
  return expectMessageBy<M, K>(child, type, Date.now() + timeoutMs, what);
}

/** Ask a child to exit; kill it if it has not after a few seconds. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.connected) child.send({ type: "exit" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
