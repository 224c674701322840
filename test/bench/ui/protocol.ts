// Messages between `npm run bench:ui` and its publisher child.

export interface PublisherConfig {
  /** The relay's URL (ws://127.0.0.1:P/). */
  url: string;
  broadcast: string;
  tracks: number;
  /** Groups per second on every track. */
  groupsPerSecond: number;
  /** Bytes of the one frame in each group. */
  frameBytes: number;
}

export type ToPublisher = { type: "count" } | { type: "exit" };

export type FromPublisher =
  | { type: "publishing"; trackNames: string[] }
  /** Groups written so far over all tracks, and the ticks that came late (the publisher fell behind). */
  | { type: "count"; groups: number; lateTicks: number }
  | { type: "error"; message: string };

/** "t00", "t01", …: names sort in the order they were made, as the UI sorts its lanes. */
export function trackName(index: number, total: number): string {
  return `t${String(index).padStart(String(total - 1).length, "0")}`;
}
