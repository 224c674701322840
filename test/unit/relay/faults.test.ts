// Faults at the relay over WebSocket/QMux on 127.0.0.1: a publisher that leaves mid-group and
// subscribers that leave or reset mid-stream. The relay keeps serving everyone else and says
// what happened in its log. (A client sending garbage is covered in relay.test.ts.)

import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import type { TrackProducer } from "../../../main/moq/model/track.ts";
import type { GroupReader } from "../../../main/moq/model/types.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { Subscription } from "../../../main/moq/lite/session/subscriber.ts";
import { str, text, within } from "../../helpers/wait.ts";
import { until } from "../../interop/fixtures.ts";
import { watchProcess } from "../fuzz/guard.ts";
import { connectRaw } from "../fuzz/raw-peer.ts";
import { T, expected, readAll, startTestRelay, writeGroups } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

let r: TestRelay | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

async function publisher(relay: TestRelay, name: string) {
  const session = await relay.client();
  const broadcast = new BroadcastProducer();
  const track = broadcast.createTrack("data", { maxPendingGroups: 64 });
  session.mux.publishBroadcast(name, broadcast);
  await until(() => relay.relay.broadcasts().includes(name), T, `the relay to learn "${name}"`);
  return { session, broadcast, track };
}

/** `n` viewers subscribed to `name`, with the relay's upstream subscription in place. */
async function viewers(
  relay: TestRelay,
  n: number,
  name: string,
  track: TrackProducer,
): Promise<{ session: Session; sub: Subscription }[]> {
  const sessions = await Promise.all(Array.from({ length: n }, () => relay.client()));
  const before = relay.relay.stats().downstreamSubscriptions;
  const out = sessions.map((session) => ({ session, sub: session.subscribe(name, "data") }));
  await until(() => relay.relay.stats().downstreamSubscriptions === before + n, T, `${n} downstream readers`);
  await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
  return out;
}

const nextGroup = (sub: Subscription, what: string) => within(sub.nextGroup(), T, what).then((g) => g!);
const frame = (group: GroupReader, what: string) => within(group.readFrame(), T, what).then(str);

describe("relay faults", () => {
  it("ends subscribers' tracks and the announcement when a publisher disconnects mid-group, and serves the others", async () => {
    r = await startTestRelay();
    const leaving = await publisher(r, "leaving");
    const staying = await publisher(r, "staying");
    const watchers = await Promise.all(Array.from({ length: 3 }, () => r!.client()));
    const changes = watchers.map((w) => w.announced(""));
    for (const c of changes) {
      const seen = [await within(c.next(), T, "announce"), await within(c.next(), T, "announce")]
        .map((x) => x!.path)
        .sort();
      expect(seen).toEqual(["leaving", "staying"]);
    }
    const cut = watchers.map((w) => w.subscribe("leaving", "data"));
    const kept = watchers.map((w) => w.subscribe("staying", "data"));
    await until(() => r!.relay.stats().downstreamSubscriptions === cut.length + kept.length, T, "every reader");
    await until(
      () => leaving.track.consumerCount > 0 && staying.track.consumerCount > 0,
      T,
      "both upstream subscriptions",
    );

    // An open group: two frames out, no end.
    const open = leaving.track.openGroup(0);
    open.writeFrame(text("a"));
    open.writeFrame(text("b"));
    const groups = await Promise.all(cut.map((s, i) => nextGroup(s, `viewer ${i}: the open group`)));
    for (const [i, g] of groups.entries()) {
      expect(await frame(g, `viewer ${i}: frame a`)).toBe("a");
      expect(await frame(g, `viewer ${i}: frame b`)).toBe("b");
    }

    leaving.session.close();

    for (const [i, c] of changes.entries()) {
      expect(await within(c.next(), T, `viewer ${i}: end of the announcement`)).toMatchObject({
        path: "leaving",
        active: false,
      });
    }
    // Each track ends (the relay resets a track whose publisher left; a clean FIN would be acceptable too)…
    for (const [i, s] of cut.entries()) {
      const end = await within(s.closed, T, `viewer ${i}: the cut track to end`);
      if (end !== undefined) expect(end.code).toBe(ErrorCode.Cancelled);
    }
    // …and the cut group never pretends to be complete.
    for (const [i, g] of groups.entries()) {
      const rest = await within(
        g.readFrame().then(
          (f) => ({ ok: true, f }),
          () => ({ ok: false, f: undefined }),
        ),
        T,
        `viewer ${i}: the cut group's end`,
      );
      expect(rest.ok).toBe(false);
    }

    // The surviving broadcast reaches everyone, as does one announced after the fault.
    writeGroups(staying.track, 3, 2);
    staying.track.close();
    const results = await Promise.all(kept.map((s, i) => readAll(s, `viewer ${i} of "staying"`)));
    for (const got of results) expect(got).toEqual(expected(3, 2));

    const later = await publisher(r, "later");
    for (const [i, c] of changes.entries()) {
      expect(await within(c.next(), T, `viewer ${i}: the later announce`)).toMatchObject({
        path: "later",
        active: true,
      });
    }
    const fresh = watchers.map((w) => w.subscribe("later", "data"));
    await until(() => r!.relay.stats().downstreamSubscriptions === 3, T, "3 readers of the later broadcast");
    writeGroups(later.track, 2, 3);
    later.track.close();
    for (const got of await Promise.all(fresh.map((s, i) => readAll(s, `viewer ${i} of "later"`))))
      expect(got).toEqual(expected(2, 3));
    expect(watchers.every((w) => !w.isClosed)).toBe(true);

    // The log tells the story: the publisher's session closed by the peer with code 0, its broadcast
    // ended because it disconnected, and its upstream track closed.
    await until(
      () => r!.log.some((e) => e.type === "upstream-closed" && e.broadcast === "leaving"),
      T,
      "the upstream-closed line",
    );
    const announced = r.log.find((e) => e.type === "announce" && e.path === "leaving");
    const id = announced?.type === "announce" ? announced.session : -1;
    expect(r.log).toContainEqual(
      expect.objectContaining({ type: "session-closed", session: id, code: 0, by: "remote" }),
    );
    expect(r.log).toContainEqual(
      expect.objectContaining({ type: "unannounce", session: id, path: "leaving", reason: "publisher disconnected" }),
    );
    expect(r.log.filter((e) => e.level === "error")).toEqual([]);
  });

  it("keeps serving when subscribers unsubscribe, disconnect or cancel a group mid-stream, and logs it", async () => {
    r = await startTestRelay();
    const pub = await publisher(r, "flow");
    const [quitter, leaver, canceller, steady] = await viewers(r, 4, "flow", pub.track);
    await until(() => r!.relay.stats().downstreamSubscriptions === 4, T, "4 downstream readers");

    // Group 0 is open and everyone has its first frame.
    const g0 = pub.track.openGroup(0);
    g0.writeFrame(text("0.0"));
    const firstGroups = await Promise.all(
      [quitter!, leaver!, canceller!].map((v, i) => nextGroup(v.sub, `viewer ${i}: group 0`)),
    );
    for (const [i, g] of firstGroups.entries()) expect(await frame(g, `viewer ${i}: frame 0.0`)).toBe("0.0");
    const steadyRead = readAll(steady!.sub, "the steady viewer");
    steadyRead.catch(() => {}); // judged below; no unhandled rejection if an earlier check fails

    // Mid-stream: one unsubscribes, one drops its whole session, one stops reading the open group.
    quitter!.sub.close();
    leaver!.session.close();
    firstGroups[2]!.cancel(ErrorCode.Cancelled);
    await until(() => r!.relay.stats().downstreamSubscriptions === 2, T, "the relay to let go of the two that left");

    for (let f = 1; f < 3; f++) g0.writeFrame(text(`0.${f}`));
    g0.close();
    writeGroups(pub.track, 4, 3, 1);

    // The canceller still gets every later group, whole (each group is its own stream: any order).
    const later = new Map<number, (string | undefined)[]>();
    for (let n = 0; n < 4; n++) {
      const group = await nextGroup(canceller!.sub, `canceller: group ${n + 1} of 4`);
      const frames: (string | undefined)[] = [];
      for (let f = 0; f < 3; f++) frames.push(await frame(group, `canceller: frame ${f} of group ${group.sequence}`));
      later.set(group.sequence, frames);
    }
    expect(new Map([...later].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...expected(4, 3, 1)]));
    pub.track.close();
    // The steady viewer saw nothing of it.
    expect(await steadyRead).toEqual(expected(5, 3));
    expect(await within(quitter!.sub.closed, T, "the quitter's own end")).toBeUndefined();

    // One upstream subscription throughout, and the relay logged both departures.
    expect(r.log.filter((e) => e.type === "subscribe" && e.dedup === "miss")).toHaveLength(1);
    await until(
      () => r!.log.filter((e) => e.type === "unsubscribe" && e.broadcast === "flow").length >= 2,
      T,
      "two unsubscribe lines",
    );
    await until(() => r!.log.some((e) => e.type === "session-closed"), T, "a session-closed line");
    const closedLines = r.log.filter((e) => e.type === "session-closed");
    expect(closedLines).toHaveLength(1);
    expect(closedLines[0]).toMatchObject({ code: 0, by: "remote", level: "info" });
    expect(r.log.filter((e) => e.level === "error")).toEqual([]);
    expect([pub.session, quitter!.session, canceller!.session, steady!.session].every((s) => !s.isClosed)).toBe(true);
  });
});

describe("relay faults from a raw publisher", () => {
  it("logs a publisher that resets the announce stream the relay opened, and keeps serving", async () => {
    r = await startTestRelay();
    const guard = watchProcess();
    try {
      const raw = await connectRaw(r.ws(), "moq-lite-04");
      // The relay asks every publisher-capable session for its announcements; refuse by resetting.
      const reader = raw.session.incomingBidirectionalStreams.getReader();
      const { value: stream } = await within(reader.read(), T, "the relay's announce stream");
      await stream!.writable.abort(raw.streamError(ErrorCode.NotFound));
      const entry = await r.logged((e) => e.type === "error" && /announce stream/.test(e.message), "the reset logged");
      expect(entry).toMatchObject({ type: "error", level: "error", code: ErrorCode.NotFound });
      // The relay is still up and serving.
      const viewer = await r.client();
      const changes = viewer.announced("");
      const p = await publisher(r, "after");
      expect(await within(changes.next(), T, "a later announcement")).toMatchObject({ path: "after", active: true });
      p.broadcast.close();
      raw.session.close();
      expect(guard.problems).toEqual([]);
    } finally {
      guard.stop();
    }
  });
});
