// Running the real `moqscope` command as a child process (through tsx, so no build is needed)
// against our own moq-lite server on 127.0.0.1, started in the test process.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { Session } from "../../../main/moq/lite/session/session.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { listen } from "../../../main/moq/transport/listener.ts";
import type { Listener } from "../../../main/moq/transport/listener.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ENTRY = "main/cli/index.ts";

export interface CliServer {
  /** The development URL (http://, the certificate fingerprint is fetched from it). */
  url: string;
  ws: string;
  mux: TrackMux;
  listener: Listener;
  /** Resolves with the next server-side session (one per CLI process). */
  nextSession(): Promise<Session>;
  close(): Promise<void>;
}

export async function startCliServer(): Promise<CliServer> {
  const mux = new TrackMux();
  const sessions: Session[] = [];
  const ready: Session[] = [];
  const waiting: ((s: Session) => void)[] = [];
  const listener = await listen({
    versions: ["moq-lite-05", "moq-lite-04", "moq-lite-03"],
    legacy: true,
    http3: false,
    onSession: (transport) => {
      Session.establish(transport, "server", { mux }).then(
        (s) => {
          sessions.push(s);
          const w = waiting.shift();
          if (w) w(s);
          else ready.push(s);
        },
        () => {},
      );
    },
  });
  return {
    url: `http://127.0.0.1:${listener.port}/`,
    ws: `ws://127.0.0.1:${listener.port}/`,
    mux,
    listener,
    nextSession: () => {
      const s = ready.shift();
      return s ? Promise.resolve(s) : new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const s of sessions) s.close();
      await listener.close();
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first stdout line matching `test`. */
  line(test: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits. */
  exited: Promise<CliResult>;
}

const running = new Set<ChildProcess>();

/** Start `moqscope ARGS…`; stdin is a pipe the test may write to. */
export function startCli(args: string[], options: { stdin?: Uint8Array | string } = {}): RunningCli {
  // node --import tsx: one process, so signals reach the CLI itself.
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    stdout += chunk;
    for (const fn of [...listeners]) fn();
  });
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  child.stdin!.on("error", () => {}); // the CLI may exit before reading everything
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);

  const exited = new Promise<CliResult>((resolve) => {
    child.once("close", (code, signal) => {
      running.delete(child);
      for (const fn of [...listeners]) fn();
      resolve({ code, signal, stdout, stderr });
    });
  });

  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    line(test, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = stdout.split("\n").find((l) => l.length > 0 && test(l));
          if (found !== undefined) done(() => resolve(found));
          else if (child.exitCode !== null || child.signalCode !== null) {
            done(() =>
              reject(new Error(`moqscope exited before printing ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
            );
          }
        };
        const timer = setTimeout(
          () =>
            done(() => reject(new Error(`no ${what} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))),
          timeoutMs,
        );
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Run to completion (killed after `timeoutMs`, which then fails the test with the output so far). */
export async function runCli(
  args: string[],
  options: { stdin?: Uint8Array | string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const cli = startCli(args, options);
  const timeoutMs = options.timeoutMs ?? 45_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.child.kill("SIGKILL");
      reject(
        new Error(
          `moqscope ${args.join(" ")} did not exit within ${timeoutMs} ms\nstdout:\n${cli.stdout}\nstderr:\n${cli.stderr}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([cli.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ServerProcess {
  child: ChildProcess;
  ws: string;
  url: string;
}

/** Our server in a child process (test/unit/cli/server-process.ts), for killing it outright. */
export async function startServerProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/unit/cli/server-process.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("close", () => running.delete(child));
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("close", () => reject(new Error(`the server process exited before listening\n${stderr}`)));
  });
  return { child, ws: `ws://127.0.0.1:${port}/`, url: `http://127.0.0.1:${port}/` };
}

/** Kill whatever a failed test left running. */
export function killAll(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/** Parse --json output: one object per non-empty line. */
export function jsonLines(stdout: string): Array<Record<string, unknown> & { event: string }> {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown> & { event: string };
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
}

/** A TCP port on 127.0.0.1 that nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Concatenate frames. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
