// A relay on 127.0.0.1 for tests, with its log kept, plus the reading and writing helpers the
// relay tests share.

import { connect } from "../../../main/moq/connect.ts";
import type { ConnectOptions } from "../../../main/moq/connect.ts";
import type { TrackProducer } from "../../../main/moq/model/track.ts";
import { Relay } from "../../../main/moq/relay/relay.ts";
import type { RelayOptions } from "../../../main/moq/relay/relay.ts";
import type { RelayLogEntry } from "../../../main/moq/relay/log.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { TrackReader } from "../../../main/moq/model/types.ts";
import { within } from "../../helpers/wait.ts";

export const T = 15_000;

export interface TestRelay {
  relay: Relay;
  log: RelayLogEntry[];
  /** The first log entry, already written or still to come, that `match` accepts. */
  logged(match: (entry: RelayLogEntry) => boolean, what: string): Promise<RelayLogEntry>;
  ws(path?: string): string;
  /** Our client at `path` over WebSocket/QMux, closed by close(). */
  client(path?: string, options?: ConnectOptions): Promise<Session>;
  close(): Promise<void>;
}

export async function startTestRelay(options: RelayOptions = {}): Promise<TestRelay> {
  const log: RelayLogEntry[] = [];
  const watchers = new Set<(entry: RelayLogEntry) => void>();
  const onLog = (entry: RelayLogEntry) => {
    log.push(entry);
    for (const watch of [...watchers]) watch(entry);
  };
  const relay = await Relay.start({ http3: false, ...options, onLog });
  const sessions: Session[] = [];
  const ws = (path = "") => `ws://127.0.0.1:${relay.port}/${path}`;
  return {
    relay,
    log,
    logged(match, what) {
      const found = log.find(match);
      if (found) return Promise.resolve(found);
      let watch: ((entry: RelayLogEntry) => void) | undefined;
      const next = new Promise<RelayLogEntry>((resolve) => {
        watch = (entry) => {
          if (match(entry)) resolve(entry);
        };
        watchers.add(watch);
      });
      return within(next, T, `the relay to log ${what}`).finally(() => watchers.delete(watch!));
    },
    ws,
    async client(path = "", opts = {}) {
      const s = await connect(ws(path), { timeoutMs: 10_000, transport: "websocket", ...opts });
      sessions.push(s);
      return s;
    },
    async close() {
      for (const s of sessions) s.close();
      await relay.close();
    },
  };
}

/** Count SUBSCRIBE messages a session receives. */
export function countSubscribes(session: Session): { count: number } {
  const counter = { count: 0 };
  session.on((e) => {
    if (e.type === "message" && e.direction === "received" && e.name === "SUBSCRIBE") counter.count++;
  });
  return counter;
}

/** Write `groups` groups of frames "g.f" (f < frames) into a track. */
export function writeGroups(track: TrackProducer, groups: number, frames: number, first = 0): void {
  for (let g = first; g < first + groups; g++) {
    const group = track.openGroup(g);
    for (let f = 0; f < frames; f++) group.writeFrame(new TextEncoder().encode(`${g}.${f}`));
    group.close();
  }
}

/** Read a track until it ends: frames as strings, by group sequence. */
export async function readAll(reader: TrackReader, what: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (;;) {
    const group = await within(reader.nextGroup(), T, `${what}: next group`);
    if (!group) return out;
    const frames: string[] = [];
    for (let f; (f = await within(group.readFrame(), T, `${what}: frame of group ${group.sequence}`)) !== undefined;) {
      frames.push(new TextDecoder().decode(f));
    }
    out.set(group.sequence, frames);
  }
}

/** What writeGroups(…, groups, frames) writes. */
export function expected(groups: number, frames: number, first = 0): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (let g = first; g < first + groups; g++)
    out.set(
      g,
      Array.from({ length: frames }, (_, f) => `${g}.${f}`),
    );
  return out;
}
