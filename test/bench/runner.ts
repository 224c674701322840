// Runs one measurement: fork the publisher, then the subscriber, start both at once, relay acks,
// collect each side's CPU, and tear both processes down.

import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type {
  CpuSample,
  FromPublisher,
  FromSubscriber,
  RunConfig,
  SubscriberResult,
  ToPublisher,
  ToSubscriber,
} from "./protocol.ts";

export interface RunResult {
  config: RunConfig;
  subscriber: SubscriberResult;
  publisher: CpuSample;
}

export interface RunnerOptions {
  timeoutMs: number;
  /** Directory for V8 CPU profiles, or undefined. */
  profileDir?: string;
  /** Label used in profile file names. */
  label: string;
  /** Extra Node flags for both children. */
  nodeArgs?: string[];
}

const PUBLISHER = fileURLToPath(new URL("./publisher.ts", import.meta.url));
const SUBSCRIBER = fileURLToPath(new URL("./subscriber.ts", import.meta.url));
// Children run TypeScript through the same loader as `npm run bench`.
const TSX = import.meta.resolve("tsx");

/** Lines a child prints that say nothing about the benchmark. */
const NOISE = [/^http3 loader: /];

function forward(stream: NodeJS.ReadableStream | null, prefix: string): void {
  if (!stream) return;
  createInterface({ input: stream }).on("line", (line) => {
    if (!NOISE.some((re) => re.test(line))) process.stderr.write(`${prefix} ${line}\n`);
  });
}

function start(script: string, config: object, side: string, opts: RunnerOptions): ChildProcess {
  const execArgv = ["--import", TSX, ...(opts.nodeArgs ?? [])];
  const profileFile = opts.profileDir ? join(opts.profileDir, `${opts.label}.${side}.cpuprofile`) : undefined;
  const child = fork(script, [JSON.stringify({ ...config, profileFile })], {
    execArgv,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  forward(child.stdout, `[${side}]`);
  forward(child.stderr, `[${side}]`);
  return child;
}

/** The next message of `type` from a child; rejects on its error report, exit or the deadline. */
export function expectMessageBy<M extends { type: string }, K extends M["type"]>(
  child: ChildProcess,
  type: K,
  deadline: number,
  what: string,
): Promise<Extract<M, { type: K }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`timed out waiting for ${what}`)),
      Math.max(0, deadline - Date.now()),
    );
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

async function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.connected) child.send({ type: "exit" });
  // Profiles are written at exit and can take a moment; then insist.
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function runOnce(config: RunConfig, opts: RunnerOptions): Promise<RunResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const publisher = start(PUBLISHER, config, "pub", opts);
  let subscriber: ChildProcess | undefined;
  try {
    const { url } = await expectMessageBy<FromPublisher, "listening">(
      publisher,
      "listening",
      deadline,
      "the publisher to listen",
    );
    subscriber = start(SUBSCRIBER, { ...config, url }, "sub", opts);
    await expectMessageBy<FromSubscriber, "connected">(subscriber, "connected", deadline, "the subscriber to connect");

    const sub = subscriber;
    const toPublisher = (m: ToPublisher) => publisher.connected && publisher.send(m);
    const relayAck = (m: FromSubscriber) => {
      if (m.type === "ack") toPublisher(m);
    };
    sub.on("message", relayAck);
    const done = expectMessageBy<FromSubscriber, "done">(sub, "done", deadline, "the last frame");
    const publisherStopped = expectMessageBy<FromPublisher, "stopped">(publisher, "stopped", deadline, "the publisher");
    publisherStopped.catch(() => {});
    toPublisher({ type: "go" });
    sub.send({ type: "go" } satisfies ToSubscriber);
    // A publisher that fails mid-run must end the wait too, not only the deadline.
    const { result } = await Promise.race([
      done,
      publisherStopped.then(() => Promise.reject(new Error("publisher stopped early"))),
    ]);
    sub.off("message", relayAck);

    toPublisher({ type: "stop" });
    const { cpu } = await publisherStopped;
    return { config, subscriber: result, publisher: cpu };
  } finally {
    await Promise.all([shutdown(publisher), subscriber ? shutdown(subscriber) : Promise.resolve()]);
  }
}
