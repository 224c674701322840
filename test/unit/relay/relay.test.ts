// The relay with our own clients over WebSocket/QMux on 127.0.0.1: routing between sessions,
// announcements, fan-out from one upstream subscription, late join, roots, and faults.

import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import type { TrackProducer } from "../../../main/moq/model/track.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { AnnouncementChange } from "../../../main/moq/mux.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import { within } from "../../helpers/wait.ts";
import { until } from "../../interop/fixtures.ts";
import { T, countSubscribes, expected, readAll, startTestRelay, writeGroups } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

let r: TestRelay | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** A client at `path` publishing broadcast `name` with one track "data". */
async function publisher(relay: TestRelay, name: string, path = "", versions?: Version[]) {
  const session = await relay.client(path, versions ? { versions } : {});
  const broadcast = new BroadcastProducer();
  // Tests write bursts faster than the publisher's session picks groups up: keep them all.
  const track = broadcast.createTrack("data", { maxPendingGroups: 64 });
  session.mux.publishBroadcast(name, broadcast);
  return { session, broadcast, track, subscribes: countSubscribes(session) };
}

async function nextChange(session: Session, prefix = ""): Promise<AnnouncementChange> {
  return within(
    session
      .announced(prefix)
      .next()
      .then((c) => c!),
    T,
    "an announcement",
  );
}

/** Wait until the publisher's track has a reader (the relay's upstream subscription arrived). */
const upstreamArrived = (track: TrackProducer) =>
  until(() => track.consumerCount > 0, T, "the relay's upstream subscription");

const PAIRS: [Version, Version][] = [
  ["moq-lite-04", "moq-lite-04"],
  ["moq-lite-03", "moq-lite-03"],
  ["moq-lite-03", "moq-lite-04"],
  ["moq-lite-04", "moq-lite-03"],
];

describe("relay with our clients", () => {
  it.each(PAIRS)("carries every frame complete and in order from a %s publisher to a %s subscriber", async (pv, sv) => {
    r = await startTestRelay();
    const pub = await publisher(r, "live", "", [pv]);
    const viewer = await r.client("", { versions: [sv] });
    expect(pub.session.version).toBe(pv);
    expect(viewer.version).toBe(sv);

    expect(await nextChange(viewer)).toMatchObject({ path: "live", active: true });
    const sub = viewer.subscribe("live", "data");
    await upstreamArrived(pub.track);
    writeGroups(pub.track, 5, 4);
    pub.track.close();
    expect(await readAll(sub, "subscriber")).toEqual(expected(5, 4));
    expect(await within(sub.closed, T, "clean end")).toBeUndefined();
  });

  it("announces what publishers announce, and ends it when the publisher disconnects", async () => {
    r = await startTestRelay();
    const viewer = await r.client();
    const changes = viewer.announced("");
    const pub = await publisher(r, "room/cam");
    expect(await within(changes.next(), T, "announce")).toMatchObject({ path: "room/cam", active: true });
    // The relay appended its own hop to the publisher's (empty) list.
    expect(changes.active[0]!.hops).toEqual([r.relay.hop]);
    pub.session.close();
    expect(await within(changes.next(), T, "end")).toMatchObject({ path: "room/cam", active: false });
    await r.logged((e) => e.type === "unannounce" && e.path === "room/cam", "the unannounce");
    expect(r.log.some((e) => e.type === "session-closed")).toBe(true);
  });

  it("ends an announcement when the publisher ends the broadcast but stays connected", async () => {
    r = await startTestRelay();
    const pub = await publisher(r, "show");
    const viewer = await r.client();
    const changes = viewer.announced("");
    expect(await within(changes.next(), T, "announce")).toMatchObject({ path: "show", active: true });
    pub.broadcast.close();
    expect(await within(changes.next(), T, "end")).toMatchObject({ path: "show", active: false });
    expect(pub.session.isClosed).toBe(false);
  });

  it("starts a late subscriber at the latest group", async () => {
    r = await startTestRelay();
    const pub = await publisher(r, "live");
    const early = await r.client();
    await nextChange(early);
    const first = early.subscribe("live", "data");
    await upstreamArrived(pub.track);
    writeGroups(pub.track, 3, 2);
    // The early subscriber has every group (each on its own stream, so in any order): the relay has them too.
    const seen: number[] = [];
    for (let g = 0; g < 3; g++) seen.push((await within(first.nextGroup(), T, `group ${g}`))!.sequence);
    expect(seen.sort()).toEqual([0, 1, 2]);

    const late = await r.client();
    await nextChange(late);
    const sub = late.subscribe("live", "data");
    const group = await within(sub.nextGroup(), T, "the late subscriber's first group");
    expect(group?.sequence).toBe(2);
    expect(await group!.readFrame()).toEqual(new TextEncoder().encode("2.0"));
    writeGroups(pub.track, 1, 2, 3);
    expect((await within(sub.nextGroup(), T, "the next live group"))?.sequence).toBe(3);
  });

  it("serves 10 subscribers from one upstream subscription", async () => {
    r = await startTestRelay();
    const pub = await publisher(r, "fan");
    const viewers = await Promise.all(Array.from({ length: 10 }, () => r!.client()));
    await Promise.all(viewers.map((v) => nextChange(v)));
    const subs = viewers.map((v) => v.subscribe("fan", "data"));
    await upstreamArrived(pub.track);
    await until(() => r!.relay.stats().downstreamSubscriptions === 10, T, "10 downstream readers");
    writeGroups(pub.track, 4, 3);
    pub.track.close();
    const results = await Promise.all(subs.map((s, i) => readAll(s, `subscriber ${i}`)));
    for (const got of results) expect(got).toEqual(expected(4, 3));
    expect(pub.subscribes.count).toBe(1);
    const lines = r.log.filter((e) => e.type === "subscribe");
    expect(lines.filter((e) => e.type === "subscribe" && e.dedup === "miss")).toHaveLength(1);
    expect(lines.filter((e) => e.type === "subscribe" && e.dedup === "hit")).toHaveLength(9);
  });

  it("closes the upstream subscription when the last subscriber leaves, and reopens on demand", async () => {
    r = await startTestRelay();
    const pub = await publisher(r, "demand");
    const viewer = await r.client();
    await nextChange(viewer);
    const a = viewer.subscribe("demand", "data");
    const b = viewer.subscribe("demand", "data");
    await upstreamArrived(pub.track);
    await until(() => r!.relay.stats().downstreamSubscriptions === 2, T, "both downstream readers");
    a.close();
    // The relay logs the unsubscribe after dropping a's reader, and a last reader leaving cancels
    // the upstream subscription synchronously inside that drop: by now it would have happened.
    await r.logged((e) => e.type === "unsubscribe" && e.broadcast === "demand", "the first unsubscribe");
    expect(r.relay.stats()).toMatchObject({ upstreamTracks: 1, downstreamSubscriptions: 1 });
    // The upstream subscription still carries what the publisher writes to the remaining subscriber.
    writeGroups(pub.track, 1, 1);
    expect((await within(b.nextGroup(), T, "a group for the remaining subscriber"))?.sequence).toBe(0);
    expect(pub.track.consumerCount).toBe(1);
    expect(pub.subscribes.count).toBe(1);
    b.close();
    await until(() => pub.track.consumerCount === 0, T, "the upstream subscription to end");
    expect(r.relay.stats().upstreamTracks).toBe(0);
    const c = viewer.subscribe("demand", "data");
    await upstreamArrived(pub.track);
    writeGroups(pub.track, 1, 1, 1);
    // A new upstream subscription starts at the publisher's latest cached group: 0, then 1.
    let group = await within(c.nextGroup(), T, "a group after resubscribing");
    if (group?.sequence === 0) group = await within(c.nextGroup(), T, "the group written after resubscribing");
    expect(group?.sequence).toBe(1);
    expect(pub.subscribes.count).toBe(2);
  });

  it("isolates path roots and translates paths relative to each root", async () => {
    r = await startTestRelay();
    const atA = await publisher(r, "cam", "a");
    const atB = await publisher(r, "mic", "b");
    const viewerB = await r.client("b");
    const changesB = viewerB.announced("");
    expect(await within(changesB.next(), T, "b's broadcast")).toMatchObject({ path: "mic", active: true });
    // The relay-wide view sees both, under their roots.
    const top = await r.client("");
    const changesTop = top.announced("");
    const seen = [await within(changesTop.next(), T, "first"), await within(changesTop.next(), T, "second")]
      .map((c) => c!.path)
      .sort();
    expect(seen).toEqual(["a/cam", "b/mic"]);

    // /b cannot subscribe to /a's broadcast by its relative name nor escape its root.
    const denied = viewerB.subscribe("cam", "data");
    expect((await within(denied.closed, T, "refusal"))?.code).toBe(ErrorCode.NotFound);
    const escape = viewerB.subscribe("a/cam", "data");
    expect((await within(escape.closed, T, "refusal"))?.code).toBe(ErrorCode.NotFound);
    expect(changesB.active.map((c) => c.path)).toEqual(["mic"]);

    // The top-level session reaches /a's broadcast by its full path.
    const sub = top.subscribe("a/cam", "data");
    await upstreamArrived(atA.track);
    writeGroups(atA.track, 1, 2);
    expect((await within(sub.nextGroup(), T, "a group"))?.sequence).toBe(0);
    expect(atB.subscribes.count).toBe(0);
  });

  it("ends subscribers' tracks when the publisher disconnects mid-group, and keeps serving others", async () => {
    r = await startTestRelay();
    const leaving = await publisher(r, "leaving");
    const staying = await publisher(r, "staying");
    const viewer = await r.client();
    const changes = viewer.announced("");
    await within(changes.next(), T, "first announce");
    await within(changes.next(), T, "second announce");

    const sub = viewer.subscribe("leaving", "data");
    const other = viewer.subscribe("staying", "data");
    await upstreamArrived(leaving.track);
    await upstreamArrived(staying.track);
    const open = leaving.track.openGroup(0);
    open.writeFrame(new TextEncoder().encode("half"));
    const group = await within(sub.nextGroup(), T, "the open group");
    expect(await within(group!.readFrame(), T, "its first frame")).toEqual(new TextEncoder().encode("half"));

    leaving.session.close();
    expect(await within(changes.next(), T, "end of the announcement")).toMatchObject({
      path: "leaving",
      active: false,
    });
    const end = await within(sub.closed, T, "the track to end");
    expect(end).toBeDefined();
    await expect(within(group!.readFrame(), T, "the cut group")).rejects.toThrow();

    writeGroups(staying.track, 2, 2);
    staying.track.close();
    expect(await readAll(other, "other subscriber")).toEqual(expected(2, 2));
    expect(viewer.isClosed).toBe(false);
  });

  it("closes a session that sends garbage and keeps serving the others", async () => {
    r = await startTestRelay();
    const pub = await publisher(r, "ok");
    const viewer = await r.client();
    await nextChange(viewer);
    const bad = await r.client();
    // An Announce stream (type 1) whose message claims 5 bytes of a path with a control character.
    const stream = await bad.transport.session.createBidirectionalStream();
    const writer = stream.writable.getWriter();
    await writer.write(new Uint8Array([0x01, 0x03, 0x02, 0x00, 0x01]));
    const closed = await within(bad.closed, T, "the bad session to be closed");
    expect(closed.code).toBe(ErrorCode.ProtocolViolation);
    await r.logged((e) => e.type === "session-closed" && e.code === ErrorCode.ProtocolViolation, "the closed session");

    const sub = viewer.subscribe("ok", "data");
    await upstreamArrived(pub.track);
    writeGroups(pub.track, 2, 1);
    pub.track.close();
    expect(await readAll(sub, "subscriber")).toEqual(expected(2, 1));
  });

  it("refuses a session the authorize hook rejects, with code 6 and a log line", async () => {
    r = await startTestRelay({
      authorize: (req) =>
        req.url.pathname.startsWith("/secret")
          ? new Error("no token for /secret")
          : { root: req.url.pathname, publish: ["**"], subscribe: ["**"] },
    });
    const refused = await r.client("secret");
    const info = await within(refused.closed, T, "the refusal");
    expect(info.code).toBe(ErrorCode.Unauthorized);
    expect(info.reason).toContain("no token");
    expect(r.log.find((e) => e.type === "session-refused")).toMatchObject({
      level: "warn",
      reason: "no token for /secret",
    });
    const ok = await r.client("open");
    expect(ok.isClosed).toBe(false);
  });

  it("closes a session with code 6 when its grant expires", async () => {
    r = await startTestRelay({
      authorize: () => ({ root: "", publish: ["**"], subscribe: ["**"], expires: Date.now() / 1000 + 0.3 }),
    });
    const client = await r.client();
    const info = await within(client.closed, T, "the expiry");
    expect(info.code).toBe(ErrorCode.Unauthorized);
    expect(info.reason).toContain("expired");
  });

  it("only takes announcements under the granted publish prefixes", async () => {
    r = await startTestRelay({ authorize: () => ({ root: "", publish: ["mine/**"], subscribe: ["**"] }) });
    const pub = await r.client();
    pub.mux.publishBroadcast("theirs/cam", new BroadcastProducer());
    pub.mux.publishBroadcast("mine/cam", new BroadcastProducer());
    const viewer = await r.client();
    const changes = viewer.announced("");
    expect(await within(changes.next(), T, "announce")).toMatchObject({ path: "mine/cam", active: true });
    // Announcements reach the relay in order: once one made after "theirs/cam" was taken,
    // "theirs/cam" had its chance.
    pub.mux.publishBroadcast("mine/later", new BroadcastProducer());
    expect(await within(changes.next(), T, "the later announce")).toMatchObject({ path: "mine/later", active: true });
    expect(r.relay.broadcasts().sort()).toEqual(["mine/cam", "mine/later"]);
    expect(r.log.filter((e) => e.type === "announce").map((e) => e.type === "announce" && e.path)).toEqual([
      "mine/cam",
      "mine/later",
    ]);
  });

  it("drops announcements that already passed through this relay", async () => {
    r = await startTestRelay({ hop: 4242 });
    const pub = await r.client("", { versions: ["moq-lite-04"] });
    pub.mux.publishBroadcast("looped", new BroadcastProducer(), [7, 4242]);
    pub.mux.publishBroadcast("fresh", new BroadcastProducer(), [7]);
    const viewer = await r.client();
    const change = await nextChange(viewer);
    expect(change).toMatchObject({ path: "fresh", active: true, hops: [7, 4242] });
    await r.logged((e) => e.type === "loop-dropped" && e.path === "looped", "the dropped loop");
    expect(r.relay.broadcasts()).toEqual(["fresh"]);
  });

  it("answers PROBE on every session", async () => {
    r = await startTestRelay();
    const client = await r.client("", { versions: ["moq-lite-04"] });
    const probe = client.probe();
    const report = await within(probe.next(), T, "a probe report");
    expect(report).toBeDefined();
    probe.close();
  });
});
