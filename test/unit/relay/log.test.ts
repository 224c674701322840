// Every relay log entry has a level, a time and a readable line, and survives JSON.

import { describe, expect, it } from "vitest";
import { formatLogEntry, logEntry } from "../../../main/moq/relay/log.ts";
import type { RelayLogEvent } from "../../../main/moq/relay/log.ts";

const EVENTS: RelayLogEvent[] = [
  { type: "listening", urls: ["http://127.0.0.1:4443/"], fingerprint: "ab", http3: false, hop: 9 },
  { type: "session-opened", session: 1, remote: "127.0.0.1:5000", root: "anon", version: "moq-lite-04", transport: "websocket", publish: [""], subscribe: [""] },
  { type: "session-refused", remote: "127.0.0.1:5000", path: "x", reason: "bad token" },
  { type: "session-closed", session: 1, remote: "127.0.0.1:5000", root: "", code: 15, reason: "garbage", by: "local" },
  { type: "announce", session: 1, path: "a/b", hops: [] },
  { type: "unannounce", session: 1, path: "a/b", reason: "publisher disconnected" },
  { type: "loop-dropped", session: 1, path: "a/b", hops: [9] },
  { type: "subscribe", session: 2, broadcast: "a/b", track: "video", dedup: "hit", subscribers: 3 },
  { type: "unsubscribe", session: 2, broadcast: "a/b", track: "video" },
  { type: "upstream-closed", broadcast: "a/b", track: "video", reason: "ended" },
  { type: "error", session: 3, message: "announce stream failed", code: 15 },
];

describe("relay log entries", () => {
  it.each(EVENTS)("formats $type", (event) => {
    const entry = logEntry(event);
    expect(entry.at).toBeGreaterThan(0);
    expect(["info", "warn", "error"]).toContain(entry.level);
    expect(formatLogEntry(entry).length).toBeGreaterThan(10);
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  it("marks refusals and loops as warnings and errors as errors", () => {
    expect(logEntry(EVENTS[2]!).level).toBe("warn");
    expect(logEntry(EVENTS[6]!).level).toBe("warn");
    expect(logEntry(EVENTS[10]!).level).toBe("error");
  });
});
