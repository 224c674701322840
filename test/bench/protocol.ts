// What the benchmark's three processes say to each other over Node's IPC channel. The orchestrator
// forks one publisher and one subscriber per measurement and relays the subscriber's acks, so each
// side's CPU is measured in a process that does nothing else.

/** Where the benchmark track lives: broadcast "bench", track "data". */
export const BENCH_BROADCAST = "bench";
export const BENCH_TRACK = "data";

/**
 * Which implementation runs a side. "raw" is the bare transport: one stream, no moq-lite; "lite"
 * is @moq/lite 0.2.2 and "net" @moq/net 0.3.4, the reference implementations.
 */
export type Impl = "raw" | "ours" | "lite" | "net";

/** "webtransport" is WebTransport over HTTP/2 (the name older BENCHMARKS.md entries use); -h3 is over QUIC. */
export type TransportName = "websocket" | "webtransport" | "webtransport-h3";

/** The moq-lite versions the benchmark can compare (ours-ours; @moq/lite speaks 04 here). */
export type BenchVersion = "moq-lite-04" | "moq-lite-05" | "moq-lite-06";

export interface RunConfig {
  transport: TransportName;
  /** The moq-lite version both sides speak. */
  version: BenchVersion;
  publisher: Impl;
  subscriber: Impl;
  frameBytes: number;
  /** Frames (raw: writes) to move in total. */
  totalFrames: number;
  /** Frames per group (unused by raw). */
  groupFrames: number;
  /** Groups the publisher may have open that the subscriber has not finished reading. */
  windowGroups: number;
  /** Where this side writes a CPU profile of the measured interval, if profiling. */
  profileFile?: string;
}

/** CPU and memory of one process over the measured interval. */
export interface CpuSample {
  userSeconds: number;
  systemSeconds: number;
  wallSeconds: number;
  /** Peak resident set size of the process so far (MB). */
  maxRssMb: number;
}

export interface SubscriberResult {
  bytes: number;
  frames: number;
  groups: number;
  cpu: CpuSample;
}

export type ToPublisher = { type: "go" } | { type: "ack"; groups: number } | { type: "stop" } | { type: "exit" };

export type FromPublisher =
  { type: "listening"; url: string } | { type: "stopped"; cpu: CpuSample } | { type: "error"; message: string };

export type ToSubscriber = { type: "go" } | { type: "exit" };

export type FromSubscriber =
  | { type: "connected" }
  | { type: "ack"; groups: number }
  | { type: "done"; result: SubscriberResult }
  | { type: "error"; message: string };
