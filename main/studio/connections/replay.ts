// A recording opened for browsing: its records fed into a fresh observation, which then serves
// the same views a live connection does. Nothing can be subscribed or changed.

import type { ConnectionSummary } from "../../ipc/contract.ts";
import { Observation } from "../observe/observation.ts";
import { fromStored, RECORD_TYPES } from "../observe/records.ts";

export class Replay {
  readonly id: string;
  readonly label: string;
  readonly profileId = null;
  readonly readOnly = true;
  readonly observation = new Observation();
  readonly #url: string;
  readonly #path: string;
  #loaded = false;
  #problem: string | null = null;

  constructor(id: string, header: { label: string; url: string }, path: string) {
    this.id = id;
    this.label = header.label;
    this.#url = header.url;
    this.#path = path;
  }

  /**
   * Feed every record; types this version does not know (and the file layer's own) are skipped.
   * A file cut short (a crash mid-write) or with a bad line keeps what came before it, with the
   * problem shown as the tab's error; a file with nothing readable is refused.
   */
  async load(records: AsyncIterable<{ t: string; at: number }>): Promise<void> {
    let applied = 0;
    try {
      for await (const stored of records) {
        if (!RECORD_TYPES.has(stored.t)) continue;
        this.observation.apply(fromStored(stored));
        applied++;
      }
    } catch (err) {
      if (applied === 0) throw err;
      const why = err instanceof Error ? err.message : String(err);
      this.#problem = `showing the ${applied} records before a problem: ${why}`;
    }
    this.#loaded = true;
  }

  summary(): ConnectionSummary {
    const s = this.observation.state;
    return {
      key: this.id,
      connectionId: this.id,
      profileId: null,
      label: this.label,
      status: "closed",
      url: this.#url,
      version: s.version,
      transport: s.transport,
      fallback: s.fallback,
      rttMs: s.rttMs,
      rttLatestMs: s.rttLatestMs,
      error: this.#loaded ? this.#problem : `still reading ${this.#path}`,
      reconnect: null,
      since: s.since,
      connectedAt: s.connectedAt,
      readOnly: true,
      recording: null,
      probe: s.probe,
      peer: s.peer,
    };
  }

  close(): void {}
}
