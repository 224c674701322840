// What the fan-out benchmark's processes say to each other over Node's IPC channel. One relay
// process, one publisher process and one or more subscriber processes per step; the orchestrator
// (test/bench/fanout.ts) brackets the measured interval with "mark" and "stop".

/** Where the published track lives on the relay. */
export const FAN_BROADCAST = "fan";
export const FAN_TRACK = "data";

/** Which implementation runs the subscriber sessions. */
export type SubscriberKind = "ours" | "lite";

export interface CpuMemSample {
  /** User + system CPU seconds over the measured interval (all threads of the process). */
  cpuSeconds: number;
  wallSeconds: number;
  /** Highest RSS seen while measuring (sampled), MB = 2^20 bytes. */
  peakRssMb: number;
  /** V8 heap in use at the end, MB. */
  heapUsedMb: number;
}

export interface RelayReport {
  usage: CpuMemSample;
  sessions: number;
  downstreamSubscriptions: number;
}

export interface PublisherConfig {
  url: string;
  fps: number;
  frameBytes: number;
  groupFrames: number;
}

export interface SubscriberConfig {
  url: string;
  kind: SubscriberKind;
  /** Sessions this process hosts, each with one subscription. */
  sessions: number;
  frameBytes: number;
  groupFrames: number;
}

export interface SubscriberReport {
  sessions: number;
  /** Payload bytes received between "mark" and "stop" by all sessions of this process. */
  bytes: number;
  /** Groups of the window [fromGroup, toGroup] each session did not receive completely, summed. */
  lostGroups: number;
  /** Of those, groups that arrived but with frames missing (the rest never arrived at all). */
  partialGroups: number;
  /** Frames whose stamp did not match their position (a corrupt or misrouted frame). */
  badFrames: number;
  /** Delivery latency (arrival − send stamp) of every frame of the window, ms. */
  latenciesMs: number[];
  usage: CpuMemSample;
}

export type ToRelay = { type: "mark" } | { type: "stop" } | { type: "exit" };
export type FromRelay =
  { type: "listening"; port: number } | { type: "report"; report: RelayReport } | { type: "error"; message: string };

export type ToPublisher = { type: "mark" } | { type: "stop" } | { type: "exit" };
export type FromPublisher =
  | { type: "publishing" }
  /** The first group opened after "mark": the window starts there. */
  | { type: "marked"; fromGroup: number }
  /** The last group finished before "stop": the window ends there. */
  | { type: "stopped"; toGroup: number; groupsSent: number; usage: CpuMemSample }
  | { type: "error"; message: string };

export type ToSubscriber =
  { type: "mark"; fromGroup: number } | { type: "stop"; toGroup: number; graceMs: number } | { type: "exit" };
export type FromSubscriber =
  /** Every session has received at least one frame. */
  { type: "ready" } | { type: "report"; report: SubscriberReport } | { type: "error"; message: string };
