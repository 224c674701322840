// What `pub` publishes from: a clock, a file, or standard input. A source puts its broadcast on
// the mux before the session exists (a relay asks for announcements at once), then runs.

import type { Session, TrackMux } from "../../moq/node.ts";
import { sleep } from "../signals.ts";
import type { Output } from "../output.ts";
import type { DeliveryTracker } from "../../studio/observe/delivery.ts";

export interface PubSettings {
  broadcast: string;
  track: string;
  frameBytes: number;
  groupFrames: number;
  /** Each frame a group of its own, in a QUIC datagram where the subscriber's session can. */
  datagrams: boolean;
  fps?: number;
  /** What TRACK_INFO (05+) says besides the timescale: the retention window and publisher priority. */
  trackInfo: { maxAgeMs?: number; publisherPriority?: number };
}

export interface PubContext {
  session: Session;
  tracker: DeliveryTracker;
  out: Output;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** For messages (already redacted). */
  url: string;
}

export interface PubTally {
  frames: number;
  bytes: number;
  groups: number;
}

/** "interrupted": Ctrl-C; "done": the source finished its job (file delivered, input sent). */
export type PubOutcome =
  | { kind: "interrupted" | "done"; tally: PubTally }
  | { kind: "failed"; message: string; code?: number; tally: PubTally };

export interface PubSource {
  register(mux: TrackMux): void;
  run(ctx: PubContext): Promise<PubOutcome>;
}

/** Frames one subscriber may have queued ahead of what the transport took (bounded memory). */
export function windowFrames(frameBytes: number): number {
  return Math.max(4, Math.ceil((2 * 1024 * 1024) / frameBytes));
}

/**
 * After our last FIN, give the data time to be read before the session closes: closing drops
 * whatever the peer's transport still holds unread, and moq-lite has no acknowledgement to wait
 * for instead. A few round trips, at least half a second, at most two seconds.
 */
export async function linger(session: Session, signal?: AbortSignal): Promise<void> {
  const rtt = session.stats().rttMs ?? 50;
  await sleep(Math.min(2000, Math.max(500, 4 * rtt)), signal);
}
