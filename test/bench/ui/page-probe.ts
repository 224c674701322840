/// <reference lib="dom" />
// What the benchmark measures inside the page. `installProbe` runs before the app's own scripts
// (Playwright's addInitScript): it counts animation frames, and wraps the WebSocket class so the
// app's socket to `moqscope ui` counts every message main sends (by view, from the watch ids the
// app itself sends) and is reachable for the benchmark's own requests. Counting costs a regex on
// a message's first bytes and a UTF-8 length; nothing is parsed twice.

/** Cumulative counters, read and differenced by the benchmark. */
export interface ProbeCounters {
  /** performance.now() at the reading. */
  at: number;
  frames: number;
  /** Longest gap between two animation frames since the last reading, ms. */
  longestFrameMs: number;
  received: number;
  receivedBytes: number;
  sent: number;
  sentBytes: number;
  /** Messages and bytes received per view name ("timeline", …; "result" and "other" too). */
  byView: Record<string, { messages: number; bytes: number; snapshots: number }>;
}

interface ProbeState {
  socket: WebSocket | null;
  frames: number;
  lastFrameAt: number;
  longestFrameMs: number;
  received: number;
  receivedBytes: number;
  sent: number;
  sentBytes: number;
  views: Map<number, string>;
  byView: Record<string, { messages: number; bytes: number; snapshots: number }>;
}

declare global {
  interface Window {
    __uiBench?: ProbeState;
  }
}

/** Runs in the page before the app. Self-contained: Playwright sends its source text. */
export function installProbe(): void {
  const encoder = new TextEncoder();
  const state: ProbeState = {
    socket: null,
    frames: 0,
    lastFrameAt: performance.now(),
    longestFrameMs: 0,
    received: 0,
    receivedBytes: 0,
    sent: 0,
    sentBytes: 0,
    views: new Map(),
    byView: {},
  };
  window.__uiBench = state;

  const frame = (now: number): void => {
    state.frames++;
    state.longestFrameMs = Math.max(state.longestFrameMs, now - state.lastFrameAt);
    state.lastFrameAt = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  const sizeOf = (data: unknown): number =>
    typeof data === "string"
      ? encoder.encode(data).length
      : data instanceof ArrayBuffer
        ? data.byteLength
        : data instanceof Blob
          ? data.size
          : 0;
  const tally = (view: string, bytes: number, snapshot: boolean): void => {
    const entry = (state.byView[view] ??= { messages: 0, bytes: 0, snapshots: 0 });
    entry.messages++;
    entry.bytes += bytes;
    if (snapshot) entry.snapshots++;
  };

  const Native = window.WebSocket;
  class CountingWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (!String(url).includes("/api")) return;
      state.socket = this;
      this.addEventListener("message", (event: MessageEvent) => {
        const bytes = sizeOf(event.data);
        state.received++;
        state.receivedBytes += bytes;
        const head = typeof event.data === "string" ? event.data.slice(0, 120) : "";
        const update = /^\{"type":"update","watchId":(\d+),"update":\{"seq":\d+,"kind":"(\w+)"/.exec(head);
        if (update) tally(state.views.get(Number(update[1])) ?? "unknown", bytes, update[2] === "snapshot");
        else tally(/^\{"type":"(\w[\w-]*)"/.exec(head)?.[1] ?? "other", bytes, false);
      });
    }

    override send(data: Parameters<WebSocket["send"]>[0]): void {
      state.sent++;
      state.sentBytes += sizeOf(data);
      // The app's watch requests say which view each watch id carries.
      if (typeof data === "string" && data.startsWith('{"type":"watch"')) {
        try {
          const m = JSON.parse(data) as { watchId: number; view: string };
          state.views.set(m.watchId, m.view);
        } catch {
          // not a watch after all
        }
      }
      super.send(data);
    }
  }
  window.WebSocket = CountingWebSocket;
}

/** Runs in the page: the counters now, and the longest-frame gap starts over. */
export function readCounters(): ProbeCounters {
  const s = window.__uiBench;
  if (!s) throw new Error("the benchmark's probe is not in the page");
  const reading: ProbeCounters = {
    at: performance.now(),
    frames: s.frames,
    longestFrameMs: s.longestFrameMs,
    received: s.received,
    receivedBytes: s.receivedBytes,
    sent: s.sent,
    sentBytes: s.sentBytes,
    byView: structuredClone(s.byView),
  };
  s.longestFrameMs = 0;
  return reading;
}

/**
 * Runs in the page: `track:subscribe` for every track, sent on the app's own socket with request
 * ids far above the app's (the app ignores results it did not ask for). Resolves with the errors.
 */
export async function subscribeAll(request: {
  connectionId: string;
  broadcast: string;
  tracks: string[];
}): Promise<string[]> {
  const socket = window.__uiBench?.socket;
  if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error("the app's WebSocket is not open");
  const FIRST_ID = 1_000_000_000;
  const waiting = new Map<number, string>();
  const errors: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${waiting.size} subscribe requests`)), 30_000);
    const onMessage = (event: MessageEvent): void => {
      if (typeof event.data !== "string" || !event.data.startsWith('{"type":"result"')) return;
      const m = JSON.parse(event.data) as { id: number; ok: boolean; error?: string };
      const track = waiting.get(m.id);
      if (track === undefined) return;
      waiting.delete(m.id);
      if (!m.ok) errors.push(`${track}: ${m.error}`);
      if (waiting.size === 0) {
        clearTimeout(timer);
        socket.removeEventListener("message", onMessage);
        resolve();
      }
    };
    socket.addEventListener("message", onMessage);
  });
  request.tracks.forEach((track, i) => {
    waiting.set(FIRST_ID + i, track);
    const args = [{ connectionId: request.connectionId, broadcast: request.broadcast, track }];
    socket.send(JSON.stringify({ type: "invoke", id: FIRST_ID + i, channel: "track:subscribe", args }));
  });
  await done;
  return errors;
}
