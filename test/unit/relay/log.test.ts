// Every relay log entry keeps its fields, gets its level and time, reads as one exact line, and
// survives JSON; and a real relay writes exactly the records of what happened to it.

import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { formatLogEntry, logEntry } from "../../../main/moq/relay/log.ts";
import type { RelayLogEntry, RelayLogEvent, RelayLogLevel } from "../../../main/moq/relay/log.ts";
import { rootOf } from "../../../main/moq/relay/grant.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import { within } from "../../helpers/wait.ts";
import { T, startTestRelay } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

const CASES: [RelayLogEvent, RelayLogLevel, string][] = [
  [
    {
      type: "listening",
      urls: ["http://127.0.0.1:4443/", "ws://127.0.0.1:4443/"],
      fingerprint: "ab:cd",
      http3: false,
      hop: 9,
    },
    "info",
    "listening on http://127.0.0.1:4443/ ws://127.0.0.1:4443/ (certificate sha256 ab:cd; hop id 9)",
  ],
  [
    { type: "listening", urls: ["https://127.0.0.1:4443/"], fingerprint: "ab", http3: true, hop: 12 },
    "info",
    "listening on https://127.0.0.1:4443/ (certificate sha256 ab, http/3 on udp; hop id 12)",
  ],
  [
    {
      type: "listening",
      urls: ["https://127.0.0.1:4443/"],
      fingerprint: "ab",
      http3: false,
      http3Off: "turned off by MOQSCOPE_HTTP3=0",
      hop: 12,
    },
    "info",
    "listening on https://127.0.0.1:4443/ (certificate sha256 ab, no http/3: turned off by MOQSCOPE_HTTP3=0; hop id 12)",
  ],
  [
    {
      type: "session-opened",
      session: 1,
      remote: "127.0.0.1:5000",
      root: "anon",
      version: "moq-lite-04",
      transport: "websocket",
      publish: ["**"],
      subscribe: ["**"],
    },
    "info",
    'session #1 opened from 127.0.0.1:5000: root "/anon", moq-lite-04 over websocket; may publish and subscribe **',
  ],
  [
    {
      type: "session-opened",
      session: 2,
      remote: "127.0.0.1:5001",
      root: "pid",
      version: "moq-lite-06",
      transport: "webtransport-h3",
      publish: ["**"],
      subscribe: ["**"],
      mounts: { ".svc": ".svc/pid" },
      tier: "gold",
    },
    "info",
    'session #2 opened from 127.0.0.1:5001: root "/pid", moq-lite-06 over webtransport-h3; may publish and subscribe **; mounts .svc → /.svc/pid; tier gold',
  ],
  [
    { type: "session-refused", remote: "127.0.0.1:5000", path: "x", reason: "bad token" },
    "warn",
    'session from 127.0.0.1:5000 to "/x" refused: bad token',
  ],
  [
    {
      type: "session-closed",
      session: 1,
      remote: "127.0.0.1:5000",
      root: "",
      code: 15,
      reason: "garbage",
      by: "local",
    },
    "info",
    "session #1 from 127.0.0.1:5000 closed by the relay (code 15: garbage)",
  ],
  [
    { type: "session-closed", session: 4, remote: "127.0.0.1:5001", root: "room", code: 0, reason: "", by: "remote" },
    "info",
    "session #4 from 127.0.0.1:5001 closed by the peer (code 0)",
  ],
  [
    {
      type: "session-closed",
      session: 5,
      remote: "127.0.0.1:5002",
      root: "",
      code: 0,
      reason: "",
      by: "remote",
      dropped: true,
    },
    "info",
    "session #5 from 127.0.0.1:5002 lost its connection (code 0)",
  ],
  [{ type: "announce", session: 1, path: "a/b", hops: [7, 8] }, "info", 'session #1 announced "/a/b" (hops 2)'],
  [
    { type: "unannounce", session: 1, path: "a/b", reason: "publisher disconnected" },
    "info",
    'session #1 ended "/a/b": publisher disconnected',
  ],
  [
    { type: "loop-dropped", session: 1, path: "a/b", hops: [9] },
    "warn",
    'session #1 announced "/a/b", which already passed through this relay; ignored',
  ],
  [
    { type: "subscribe", session: 2, broadcast: "a/b", track: "video", dedup: "hit", subscribers: 3 },
    "info",
    'session #2 subscribed to "/a/b" track "video" (shared upstream, 3 subscribers)',
  ],
  [
    { type: "subscribe", session: 5, broadcast: "a/b", track: "audio", dedup: "miss", subscribers: 1 },
    "info",
    'session #5 subscribed to "/a/b" track "audio" (new upstream, 1 subscriber)',
  ],
  [
    { type: "unsubscribe", session: 2, broadcast: "a/b", track: "video" },
    "info",
    'session #2 unsubscribed from "/a/b" track "video"',
  ],
  [
    { type: "upstream-closed", broadcast: "a/b", track: "video", reason: "ended" },
    "info",
    'upstream "/a/b" track "video" closed: ended',
  ],
  [
    {
      type: "session-revoked",
      session: 4,
      remote: "127.0.0.1:5004",
      reason: "grant narrowed",
      message: "grant narrowed on re-check: no longer publish a/**",
    },
    "warn",
    "session #4 from 127.0.0.1:5004 closed by its authorization (grant narrowed): grant narrowed on re-check: no longer publish a/**",
  ],
  [
    { type: "auth-outage", session: 4, message: "auth server unavailable: connection refused", retryMs: 1250 },
    "warn",
    "session #4: re-check failed, grant stands, retrying in 1.3 s: auth server unavailable: connection refused",
  ],
  [
    { type: "error", session: 3, message: "announce stream failed", code: 15 },
    "error",
    "session #3: announce stream failed (code 15)",
  ],
  [
    { type: "error", message: "session from 127.0.0.1:5002 failed to start" },
    "error",
    "session from 127.0.0.1:5002 failed to start",
  ],
];

describe("relay log entries", () => {
  it.each(CASES)("$type: level, fields, time and line", (event, level, line) => {
    const before = Date.now();
    const entry = logEntry(event);
    const after = Date.now();
    expect(entry).toEqual({ ...event, level, at: entry.at });
    expect(entry.at).toBeGreaterThanOrEqual(before);
    expect(entry.at).toBeLessThanOrEqual(after);
    expect(formatLogEntry(entry)).toBe(line);
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  it("covers every event type", () => {
    // The compiler insists on every type here, so a new event cannot go untested.
    const ALL = {
      listening: true,
      "session-opened": true,
      "session-refused": true,
      "session-closed": true,
      "session-revoked": true,
      "auth-outage": true,
      announce: true,
      unannounce: true,
      "loop-dropped": true,
      subscribe: true,
      unsubscribe: true,
      "upstream-closed": true,
      error: true,
    } satisfies Record<RelayLogEvent["type"], true>;
    expect(new Set(CASES.map(([event]) => event.type))).toEqual(new Set(Object.keys(ALL)));
  });
});

describe("a relay's log", () => {
  let r: TestRelay | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  /** Run `act`, wait for the relay's next `count` records and return them (ordered by type, as
   * one action may log several records in either order). */
  async function recordsOf(relay: TestRelay, count: number, act: () => unknown): Promise<RelayLogEntry[]> {
    const from = relay.log.length;
    await act();
    await relay.logged((e) => relay.log.indexOf(e) >= from + count - 1, `${count} record(s)`);
    return relay.log.slice(from).sort((a, b) => a.type.localeCompare(b.type));
  }

  const remote = expect.stringMatching(/^127\.0\.0\.1:\d+$/);
  const at = expect.any(Number);
  const lines = (entries: RelayLogEntry[]) => entries.map(formatLogEntry);
  const address = (entry: RelayLogEntry | undefined) => (entry && "remote" in entry ? entry.remote : "");

  it("writes one exact record for each thing that happens, and nothing else", async () => {
    r = await startTestRelay({
      hop: 77,
      authorize: (req) =>
        rootOf(req.url) === "secret"
          ? new Error("no token for /secret")
          : { root: rootOf(req.url), publish: ["**"], subscribe: ["**"] },
    });
    const relay = r;
    const port = relay.relay.port;

    const [listening] = relay.log;
    expect(relay.log).toHaveLength(1);
    expect(listening).toEqual({
      type: "listening",
      urls: relay.relay.urls,
      fingerprint: relay.relay.fingerprint,
      http3: false,
      http3Off: "turned off",
      hop: 77,
      level: "info",
      at,
    });
    expect(relay.relay.urls).toContain(`ws://127.0.0.1:${port}/`);
    expect(formatLogEntry(listening!)).toBe(
      `listening on ${relay.relay.urls.join(" ")} (certificate sha256 ${relay.relay.fingerprint}, no http/3: turned off; hop id 77)`,
    );

    let pub: Session | undefined;
    const opened = await recordsOf(relay, 1, async () => {
      pub = await relay.client("", { versions: ["moq-lite-04"] });
    });
    expect(opened).toEqual([
      {
        type: "session-opened",
        session: 1,
        remote,
        root: "",
        version: "moq-lite-04",
        transport: "websocket",
        publish: ["**"],
        subscribe: ["**"],
        level: "info",
        at,
      },
    ]);
    const pubAddress = address(opened[0]);
    expect(lines(opened)).toEqual([
      `session #1 opened from ${pubAddress}: root "/", moq-lite-04 over websocket; may publish and subscribe **`,
    ]);

    const broadcast = new BroadcastProducer();
    broadcast.createTrack("video");
    const announced = await recordsOf(relay, 2, () => {
      pub!.mux.publishBroadcast("looped", new BroadcastProducer(), [5, 77]);
      pub!.mux.publishBroadcast("cam", broadcast);
    });
    expect(announced).toEqual([
      { type: "announce", session: 1, path: "cam", hops: [], level: "info", at },
      { type: "loop-dropped", session: 1, path: "looped", hops: [5, 77], level: "warn", at },
    ]);
    expect(lines(announced)).toEqual([
      'session #1 announced "/cam" (hops 0)',
      'session #1 announced "/looped", which already passed through this relay; ignored',
    ]);

    const refused = await recordsOf(relay, 1, async () => {
      const client = await relay.client("secret");
      await within(client.closed, T, "the refusal");
    });
    expect(refused).toEqual([
      { type: "session-refused", remote, path: "secret", reason: "no token for /secret", level: "warn", at },
    ]);
    expect(lines(refused)).toEqual([`session from ${address(refused[0])} to "/secret" refused: no token for /secret`]);

    let viewer: Session | undefined;
    const viewerOpened = await recordsOf(relay, 1, async () => {
      viewer = await relay.client("", { versions: ["moq-lite-03"] });
    });
    // The refused session used number 2.
    expect(viewerOpened).toEqual([
      {
        type: "session-opened",
        session: 3,
        remote,
        root: "",
        version: "moq-lite-03",
        transport: "websocket",
        publish: ["**"],
        subscribe: ["**"],
        level: "info",
        at,
      },
    ]);
    const viewerAddress = address(viewerOpened[0]);

    const sub = viewer!.subscribe("cam", "video");
    const subscribed = await recordsOf(relay, 1, () => within(sub.ok, T, "SUBSCRIBE_OK"));
    expect(subscribed).toEqual([
      {
        type: "subscribe",
        session: 3,
        broadcast: "cam",
        track: "video",
        dedup: "miss",
        subscribers: 1,
        level: "info",
        at,
      },
    ]);
    expect(lines(subscribed)).toEqual(['session #3 subscribed to "/cam" track "video" (new upstream, 1 subscriber)']);

    const unsubscribed = await recordsOf(relay, 2, () => sub.close());
    expect(unsubscribed).toEqual([
      { type: "unsubscribe", session: 3, broadcast: "cam", track: "video", level: "info", at },
      { type: "upstream-closed", broadcast: "cam", track: "video", reason: "ended", level: "info", at },
    ]);
    expect(lines(unsubscribed)).toEqual([
      'session #3 unsubscribed from "/cam" track "video"',
      'upstream "/cam" track "video" closed: ended',
    ]);

    const viewerClosed = await recordsOf(relay, 1, () => viewer!.closeWithError(0, "bye"));
    expect(viewerClosed).toEqual([
      {
        type: "session-closed",
        session: 3,
        remote: viewerAddress,
        root: "",
        code: 0,
        reason: "bye",
        by: "remote",
        level: "info",
        at,
      },
    ]);
    expect(lines(viewerClosed)).toEqual([`session #3 from ${viewerAddress} closed by the peer (code 0: bye)`]);

    const ended = await recordsOf(relay, 1, () => broadcast.close());
    expect(ended).toEqual([
      { type: "unannounce", session: 1, path: "cam", reason: "publisher ended the broadcast", level: "info", at },
    ]);
    expect(lines(ended)).toEqual(['session #1 ended "/cam": publisher ended the broadcast']);

    const stopped = await recordsOf(relay, 1, () => relay.close());
    expect(stopped).toEqual([
      {
        type: "session-closed",
        session: 1,
        remote: pubAddress,
        root: "",
        code: 0,
        reason: "relay shutting down",
        by: "local",
        level: "info",
        at,
      },
    ]);
    expect(lines(stopped)).toEqual([`session #1 from ${pubAddress} closed by the relay (code 0: relay shutting down)`]);

    // Nothing else was written: every record above was taken from the log in turn.
    expect(relay.log).toHaveLength(1 + 1 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1);
    expect(relay.log.filter((e) => e.level === "error")).toEqual([]);
  });
});
