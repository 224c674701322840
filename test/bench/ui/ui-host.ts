// `moqscope ui --url <relay>` as a child process, run from the build (out/main/cli.js) exactly as
// shipped, plus memory-probe.mjs preloaded for the heap reading. Ready once it prints its URL.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "../../..");
const CLI = join(ROOT, "out/main/cli.js");
const PROBE = pathToFileURL(join(import.meta.dirname, "memory-probe.mjs")).href;
const STARTUP_MS = 30_000;

export interface MainMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface UiHost {
  child: ChildProcess;
  pid: number;
  url: string;
  memory(): Promise<MainMemory>;
  /** Writes a V8 heap snapshot of the app's process to `path` (slow: the process stops meanwhile). */
  heapSnapshot(path: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startUiHost(relayUrl: string): Promise<UiHost> {
  if (!existsSync(CLI) || !existsSync(join(ROOT, "out/renderer/index.html"))) {
    throw new Error("the app is not built (out/main/cli.js, out/renderer): run `npm run build` first");
  }
  const configDir = await mkdtemp(join(tmpdir(), "moqscope-bench-ui-"));
  const child = spawn(
    process.execPath,
    ["--import", PROBE, CLI, "ui", "--no-open", "--port", "0", "--config-dir", configDir, "--url", relayUrl],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe", "ipc"], env: { ...process.env, NO_COLOR: "1" } },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`moqscope ui printed no URL within ${STARTUP_MS} ms`)), STARTUP_MS);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(line);
        if (match) {
          clearTimeout(timer);
          done(match[0]);
        } else process.stderr.write(`[ui] ${line}\n`);
      });
    }
    child.once("exit", (code) => fail(new Error(`moqscope ui exited with code ${code} before printing its URL`)));
  });
  return {
    child,
    pid: child.pid!,
    url,
    memory: () =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error("moqscope ui did not report its memory")), 10_000);
        const onMessage = (m: { type?: string } & MainMemory) => {
          if (m.type !== "memory") return;
          clearTimeout(timer);
          child.off("message", onMessage);
          done(m);
        };
        child.on("message", onMessage);
        child.send({ type: "memory?" });
      }),
    heapSnapshot: (path: string) =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error("moqscope ui wrote no heap snapshot in 5 minutes")), 300_000);
        const onMessage = (m: { type?: string }) => {
          if (m.type !== "heap-snapshot") return;
          clearTimeout(timer);
          child.off("message", onMessage);
          done();
        };
        child.on("message", onMessage);
        child.send({ type: "heap-snapshot?", path });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(configDir, { recursive: true, force: true });
    },
  };
}
