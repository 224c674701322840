// Forking the benchmark's child processes (TypeScript through tsx, like `npm run bench:fanout`)
// and waiting for their messages with a deadline, so a stuck child fails the step instead of
// hanging the run.

import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const TSX = import.meta.resolve("tsx");
/** Lines children print that say nothing about the benchmark. */
const NOISE = [/^http3 loader: /];

export function forkChild(script: string, config: object, label: string): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, [JSON.stringify(config)], { execArgv: ["--import", TSX], stdio: ["ignore", "pipe", "pipe", "ipc"] });
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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const onMessage = (m: M) => {
      if (m.type === type) finish(undefined, m as Extract<M, { type: K }>);
      else if (m.type === "error") finish(new Error(`${what}: ${(m as unknown as { message: string }).message}`));
    };
    const onExit = (code: number | null) => finish(new Error(`${what}: process exited with code ${code}`));
    const finish = (err?: Error, value?: Extract<M, { type: K }>) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(value!);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
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
