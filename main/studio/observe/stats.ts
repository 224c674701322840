// One sample a second of a connection's counters, for the graphs: RTT, bytes and bitrates, the
// goodput of received frame payloads, the probe's estimate, and the running counts.

import type { StatsSample } from "../../ipc/contract.ts";
import { LiveCollection } from "../live/collection.ts";
import type { RecordOf } from "./records.ts";

/** Samples kept: ten minutes at one a second. */
export const STATS_CAPACITY = 600;

export class StatsHistory {
  readonly view = new LiveCollection<StatsSample>(STATS_CAPACITY);
  streams = 0;
  resets = 0;
  #payloadBytes = 0;
  #lastAt: number | null = null;

  /** Payload bytes of a received frame, for the goodput of the next sample. */
  addPayload(bytes: number): void {
    this.#payloadBytes += bytes;
  }

  /** The session changed: goodput starts over with it. */
  restart(): void {
    this.#payloadBytes = 0;
    this.#lastAt = null;
  }

  sample(record: RecordOf<"stats">, messages: number): StatsSample {
    const elapsed = this.#lastAt === null ? 1000 : Math.max(1, record.at - this.#lastAt);
    const goodput = Math.round((this.#payloadBytes * 8 * 1000) / elapsed);
    this.#payloadBytes = 0;
    this.#lastAt = record.at;
    const sample: StatsSample = {
      key: String(record.at),
      at: record.at,
      rttMs: record.rttMs,
      rttLatestMs: record.rttLatestMs,
      bytesSent: record.bytesSent,
      bytesReceived: record.bytesReceived,
      sendBitrate: record.sendBitrate,
      recvBitrate: record.recvBitrate,
      goodput,
      probeBitrate: record.probeBitrate,
      streams: this.streams,
      resets: this.resets,
      messages,
    };
    this.view.set(sample);
    return sample;
  }
}
