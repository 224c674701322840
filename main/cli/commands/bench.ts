// moqscope bench URL: generate load with many connections that publish and subscribe to each
// other through a relay, and report throughput, lost groups and delivery latency.

import { randomBytes } from "node:crypto";
import { TrackMux, joinPath, toPath, redactUrl } from "../../moq/node.ts";
import type { Session } from "../../moq/node.ts";
import { BenchBroadcast } from "../bench/publisher.ts";
import { formatRange, parseRange, pick } from "../bench/range.ts";
import type { Range } from "../bench/range.ts";
import { printReport, printSummary } from "../bench/report.ts";
import type { RunFacts } from "../bench/report.ts";
import { BenchSubscriber } from "../bench/subscriber.ts";
import { BenchTally } from "../bench/tally.ts";
import type { CommandRun } from "../command.ts";
import { closeSession, openSession } from "../connection.ts";
import { explainClose } from "../errors.ts";
import { plural } from "../format.ts";
import {
  MAX_FRAME_BYTES,
  commonOptions,
  expectPositionals,
  parseCommand,
  positiveNumber,
  relayUrlArg,
} from "../options.ts";
import { Output } from "../output.ts";
import { whenAborted, withDeadline } from "../signals.ts";
import { commandHelp } from "../usage.ts";

const OPTIONS = {
  connections: { type: "string" },
  broadcasts: { type: "string" },
  subscribe: { type: "string" },
  fps: { type: "string" },
  "frame-bytes": { type: "string" },
  "group-frames": { type: "string" },
  duration: { type: "string" },
  report: { type: "string" },
  prefix: { type: "string" },
} as const;

/** Upper bounds that keep a typo from opening a million sockets. */
const MAX_CONNECTIONS = 1000;
const MAX_PER_CONNECTION = 1000;
const MAX_FPS = 1000;

export interface BenchSettings {
  connections: Range;
  broadcasts: Range;
  subscribe: Range;
  fps: Range;
  frameBytes: Range;
  groupFrames: Range;
  durationMs?: number;
  reportMs: number;
  /** Where to find broadcasts to subscribe to; undefined = this run's own. */
  prefix?: string;
}

/** The bench options, validated (UsageError naming the flag otherwise). */
export function benchSettings(values: Record<string, string | boolean | undefined>): BenchSettings {
  const str = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const count = (flag: string, fallback: number, min: number, max: number) =>
    parseRange("bench", `--${flag}`, str(flag), { min: fallback, max: fallback }, { min, max, integer: true });
  const duration = positiveNumber("bench", "--duration", str("duration"));
  const report = positiveNumber("bench", "--report", str("report")) ?? 1;
  const prefix = str("prefix");
  return {
    connections: count("connections", 1, 1, MAX_CONNECTIONS),
    broadcasts: count("broadcasts", 1, 0, MAX_PER_CONNECTION),
    subscribe: count("subscribe", 1, 0, MAX_PER_CONNECTION),
    fps: parseRange("bench", "--fps", str("fps"), { min: 30, max: 30 }, { min: 0.01, max: MAX_FPS, integer: false }),
    frameBytes: count("frame-bytes", 1000, 1, MAX_FRAME_BYTES),
    groupFrames: count("group-frames", 30, 1, 1_000_000),
    durationMs: duration === undefined ? undefined : duration * 1000,
    reportMs: report * 1000,
    prefix: prefix === undefined ? undefined : toPath(prefix),
  };
}

interface Connection {
  index: number;
  mux: TrackMux;
  broadcasts: BenchBroadcast[];
  session?: Session;
  subscriber?: BenchSubscriber;
  up: boolean;
}

export const runBench: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("bench", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("bench"));
    return 0;
  }
  const [url] = expectPositionals("bench", positionals, ["URL"]) as [string];
  relayUrlArg("bench", url);
  const settings = benchSettings(values);
  const common = commonOptions("bench", values);
  const out = (ctx.out = new Output(common));

  const runId = randomBytes(4).toString("hex");
  const root = toPath(`bench/${runId}`);
  const prefix = settings.prefix ?? root;

  // Everything is published before connecting: a relay asks for announcements as soon as a session is up.
  const connections: Connection[] = [];
  const count = pick(settings.connections, true);
  for (let index = 0; index < count; index++) {
    const mux = new TrackMux();
    const broadcasts: BenchBroadcast[] = [];
    const n = pick(settings.broadcasts, true);
    for (let b = 0; b < n; b++) {
      const plan = {
        path: joinPath(root, toPath(`${index}-${b}`)),
        fps: pick(settings.fps, false),
        groupFrames: pick(settings.groupFrames, true),
        frameBytes: settings.frameBytes,
      };
      broadcasts.push(new BenchBroadcast(plan, mux));
    }
    connections.push({ index, mux, broadcasts, up: false });
  }
  const broadcastCount = connections.reduce((n, c) => n + c.broadcasts.length, 0);
  out.info(
    {
      event: "bench",
      runId,
      prefix,
      connections: count,
      broadcasts: broadcastCount,
      subscribe: formatRange(settings.subscribe),
      fps: formatRange(settings.fps),
      frameBytes: formatRange(settings.frameBytes),
      groupFrames: formatRange(settings.groupFrames),
    },
    `bench ${runId}: ${plural(count, "connection")} publishing ${plural(broadcastCount, "broadcast")} under "${root}" on ${redactUrl(url)}, ` +
      `each subscribing to ${formatRange(settings.subscribe)} under "${prefix}"`,
  );

  const tally = new BenchTally();
  const started = performance.now();
  const facts = (reason: RunFacts["reason"]): RunFacts => ({
    runId,
    prefix,
    connections: count,
    broadcasts: broadcastCount,
    reason,
  });

  // Connect all at once; one failure ends the run (after closing what did connect).
  const opened = await Promise.allSettled(
    connections.map((c) => openSession(url, common, out, ctx.signal, { mux: c.mux })),
  );
  const failure = opened.find((r): r is PromiseRejectedResult => r.status === "rejected");
  const sessions = opened.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  if (failure || sessions.length < connections.length) {
    for (const c of connections) c.mux.close();
    await Promise.all(sessions.map((s) => closeSession(s)));
    if (failure) throw failure.reason;
    printSummary(out, tally.total(performance.now() - started), facts("interrupted"));
    return 0;
  }

  const stop = new AbortController();
  const deadline = withDeadline(ctx.signal, settings.durationMs);
  let lastFailure: string | undefined;
  const running: Promise<void>[] = [];
  connections.forEach((c, i) => {
    const session = sessions[i]!;
    c.session = session;
    c.up = true;
    void session.closed.then((info) => {
      c.up = false;
      if (stop.signal.aborted) return;
      lastFailure = `connection ${c.index} closed: ${explainClose(info)}`;
      out.warn(lastFailure);
      if (connections.every((x) => !x.up)) stop.abort("failed");
    });
    for (const b of c.broadcasts) running.push(b.run(tally, stop.signal));
    const want = pick(settings.subscribe, true);
    if (want > 0)
      c.subscriber = new BenchSubscriber(session, prefix, new Set(c.broadcasts.map((b) => b.plan.path)), want, tally);
  });

  let lastReport = performance.now();
  const report = () => {
    const now = performance.now();
    const up = connections.filter((c) => c.up).length;
    const subscriptions = connections.reduce((n, c) => n + (c.subscriber?.subscriptions ?? 0), 0);
    printReport(out, tally.interval(now - lastReport), now - started, up, connections.length, subscriptions);
    lastReport = now;
  };
  const timer = setInterval(report, settings.reportMs);

  await Promise.race([whenAborted(deadline.signal), whenAborted(stop.signal)]);
  const reason: RunFacts["reason"] = stop.signal.aborted ? "failed" : deadline.expired() ? "duration" : "interrupted";
  clearInterval(timer);
  deadline.dispose();
  // A last partial interval would skew the rates; the summary covers it.
  const durationMs = performance.now() - started;
  stop.abort("done");
  for (const c of connections) c.subscriber?.stop();
  await Promise.all(running);
  for (const c of connections) c.mux.close();
  await Promise.all(sessions.map((s) => closeSession(s)));
  out.endStatus();
  printSummary(out, tally.total(durationMs), facts(reason));
  if (reason === "failed") {
    out.error(`every connection closed${lastFailure ? ` (the last: ${lastFailure})` : ""}`);
    return 1;
  }
  return 0;
};
