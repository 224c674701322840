// Child processes the end-to-end tests drive: `moqscope ui` (the page's host), an external
// `moqscope relay --demo` that a test can stop and start again on the same port, and publishers.
// Each waits for what the process prints, never for a fixed time.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../../..");
const CLI = join(ROOT, "out/main/cli.js");
const STARTUP_MS = 30_000;

export interface Running {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function run(command: string, args: string[]): Running {
  const child = spawn(command, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return {
    child,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Resolves with the first match of `pattern` in what the process prints. */
function waitForOutput(running: Running, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const check = (): boolean => {
      const match = running.output().match(pattern);
      if (match) {
        cleanup();
        resolvePromise(match);
        return true;
      }
      return false;
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`${what}: the process exited first. It printed:\n${running.output()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: not printed within ${STARTUP_MS} ms. It printed:\n${running.output()}`));
    }, STARTUP_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      running.child.stdout!.off("data", check);
      running.child.stderr!.off("data", check);
      running.child.off("exit", onExit);
    };
    running.child.stdout!.on("data", check);
    running.child.stderr!.on("data", check);
    running.child.once("exit", onExit);
    check();
  });
}

export interface UiHost extends Running {
  url: string;
  configDir: string;
}

/** `moqscope ui --port 0` with a fresh config folder; `args` adds e.g. `--url`. */
export async function startUi(args: string[] = []): Promise<UiHost> {
  const configDir = await mkdtemp(join(tmpdir(), "moqscope-e2e-"));
  const running = run(process.execPath, [CLI, "ui", "--no-open", "--port", "0", "--config-dir", configDir, ...args]);
  const [url] = await waitForOutput(running, /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/, "moqscope ui's URL");
  return {
    ...running,
    url,
    configDir,
    stop: async () => {
      await running.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** `moqscope relay --demo` on a given port, ready once it says so. */
export async function startRelay(port: number): Promise<Running> {
  const running = run(process.execPath, [CLI, "relay", "--demo", "--bind", `127.0.0.1:${port}`]);
  await waitForOutput(running, /demo broadcasts:/, "the relay's demo");
  return running;
}

/** A publisher that skips one group sequence in every `every`, so subscribers see gaps. */
export async function startGappyPublisher(url: string, broadcast: string): Promise<Running> {
  const running = run(process.execPath, [
    join(ROOT, "node_modules/tsx/dist/cli.mjs"),
    join(ROOT, "test/e2e/helpers/gappy-publisher.ts"),
    url,
    broadcast,
  ]);
  await waitForOutput(running, /publishing/, "the gappy publisher");
  return running;
}
