// Report and summary lines of `moqscope bench`, as JSON records and as text for people.

import { formatDuration, plural } from "../format.ts";
import type { Output } from "../output.ts";
import type { Figures } from "./tally.ts";

function ms(n: number | undefined): string {
  return n === undefined ? "-" : n < 10 ? n.toFixed(2) : n.toFixed(1);
}

function describe(f: Figures): string {
  const l = f.latencyMs;
  return (
    `sent ${f.sentMbps.toFixed(2)} Mbit/s ${f.sentFps.toFixed(0)} frames/s · ` +
    `received ${f.recvMbps.toFixed(2)} Mbit/s ${f.recvFps.toFixed(0)} frames/s · ` +
    `groups ${f.groupsReceived} received ${f.groupsLost} lost · ` +
    `latency p50 ${ms(l.p50)} p90 ${ms(l.p90)} p99 ${ms(l.p99)} ms`
  );
}

function fields(f: Figures): Record<string, unknown> {
  return {
    durationMs: f.durationMs,
    sentMbps: f.sentMbps,
    sentFps: f.sentFps,
    sentFrames: f.sentFrames,
    sentBytes: f.sentBytes,
    recvMbps: f.recvMbps,
    recvFps: f.recvFps,
    recvFrames: f.recvFrames,
    recvBytes: f.recvBytes,
    groupsReceived: f.groupsReceived,
    groupsLost: f.groupsLost,
    latencyMs: {
      p50: f.latencyMs.p50 ?? null,
      p90: f.latencyMs.p90 ?? null,
      p99: f.latencyMs.p99 ?? null,
      samples: f.latencyMs.samples,
    },
  };
}

export function printReport(
  out: Output,
  f: Figures,
  elapsedMs: number,
  connectionsUp: number,
  connections: number,
  subscriptions: number,
): void {
  out.record(
    { event: "report", elapsedMs: Math.round(elapsedMs), ...fields(f), connections: connectionsUp, subscriptions },
    `${formatDuration(elapsedMs).padStart(7)}  ${describe(f)} · ${connectionsUp}/${connections} connections up`,
  );
}

export interface RunFacts {
  runId: string;
  prefix: string;
  connections: number;
  broadcasts: number;
  reason: "duration" | "interrupted" | "failed";
}

export function printSummary(out: Output, f: Figures, facts: RunFacts): void {
  out.record(
    { event: "summary", ...facts, ...fields(f) },
    `bench ${facts.runId}: ${plural(facts.connections, "connection")}, ${plural(facts.broadcasts, "broadcast")} over ${formatDuration(f.durationMs)} ` +
      `(${facts.reason}): ${describe(f)}`,
  );
}
