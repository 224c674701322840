// moq-lite-06 through our relay with our own clients over WebSocket/QMux on 127.0.0.1: announce
// ids, route cost and the relay's choice by it, SETUP's Hop, and subscriptions and fetches that
// start and end partway through a group.

import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import type { SessionEvent } from "../../../main/moq/lite/session/events.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { AnnouncementChange } from "../../../main/moq/mux.ts";
import { ErrorCode, StreamCode } from "../../../main/moq/errors.ts";
import { toPath } from "../../../main/moq/model/path.ts";
import { SessionCode } from "../../../main/moq/lite/wire/codes.ts";
import { BidiStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import { encodeTrackRequest } from "../../../main/moq/lite/wire/track.ts";
import { within } from "../../helpers/wait.ts";
import { concat } from "../fuzz/bytes.ts";
import { connectRaw, sendBidi } from "../fuzz/raw-peer.ts";
import { until } from "../../interop/fixtures.ts";
import { T, startTestRelay } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

let r: TestRelay | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** The messages a session traced, with their fields (pass `onEvent` to the client). */
function messageLog() {
  const log: { direction: string; name: string; fields: Record<string, unknown>; stream: number | null }[] = [];
  const onEvent = (e: SessionEvent) => {
    if (e.type === "message") log.push({ direction: e.direction, name: e.name, fields: e.fields, stream: e.stream });
  };
  return { log, onEvent };
}

async function nextMatching(session: Session, match: (c: AnnouncementChange) => boolean, what: string) {
  const reader = session.announced("");
  return within(
    (async () => {
      for (;;) {
        const c = await reader.next();
        if (!c || match(c)) return c;
      }
    })(),
    T,
    what,
  );
}

describe("moq-lite-06 through our relay", () => {
  it("negotiates 06 by default: announce ids, route cost summed per link, the relay's hop in SETUP", async () => {
    r = await startTestRelay({ hop: 77 });
    const pub = await r.client();
    const { log, onEvent } = messageLog();
    const viewer = await r.client("", { onEvent });
    expect([pub.version, viewer.version]).toEqual(["moq-lite-06", "moq-lite-06"]);
    await until(() => viewer.connectionState().peerSetup !== undefined, T, "the relay's SETUP");
    expect(viewer.connectionState().peerSetup).toMatchObject({ probe: 1, hop: 77 });

    const reader = viewer.announced("");
    const a = new BroadcastProducer();
    const b = new BroadcastProducer();
    pub.mux.publishBroadcast("room/a", a);
    expect(await within(reader.next(), T, "room/a")).toMatchObject({ path: "room/a", active: true });
    pub.mux.publishBroadcast("room/b", b);
    const second = await within(reader.next(), T, "room/b");
    // Cost 0 at the publisher, +1 on the link into the relay, +1 on the link to us; the relay's
    // hop comes from ANNOUNCE_OK.
    expect(second).toEqual({ path: "room/b", active: true, hops: [77], cost: { warm: 2, cold: 2 } });
    a.close();
    expect(await within(reader.next(), T, "room/a's end")).toMatchObject({ path: "room/a", active: false });

    const starts = log.filter((m) => m.direction === "received" && m.name === "ANNOUNCE_START");
    expect(starts.map((m) => [m.fields["id"], m.fields["suffix"]])).toEqual([
      [0, "room/a"],
      [1, "room/b"],
    ]);
    const end = log.find((m) => m.direction === "received" && m.name === "ANNOUNCE_END");
    expect(end?.fields).toMatchObject({ id: 0, suffix: "room/a" });
    expect(log.some((m) => m.name === "ANNOUNCE")).toBe(false);
  });

  it("serves the cheapest route of a path, and the next cheapest when it leaves (one RESTART)", async () => {
    r = await startTestRelay();
    const cheap = await r.client();
    const dear = await r.client();
    const { log, onEvent } = messageLog();
    const viewer = await r.client("", { onEvent });
    const cheapBroadcast = new BroadcastProducer();
    const cheapTrack = cheapBroadcast.createTrack("data");
    cheap.mux.publishBroadcast("cam", cheapBroadcast);
    await until(() => r!.relay.broadcasts().includes("cam"), T, "the cheap route");
    // Announced later, which alone would win, but at a cost of 10.
    const dearBroadcast = new BroadcastProducer();
    const dearTrack = dearBroadcast.createTrack("data");
    dear.mux.publishBroadcast("cam", dearBroadcast, [], { warm: 10, cold: 10 });
    await r.logged((e) => e.type === "announce" && e.session !== undefined && e.cost === 11, "the dear route");

    expect(await nextMatching(viewer, (c) => c.path === "cam", "cam")).toMatchObject({ cost: { warm: 2, cold: 2 } });
    const sub = viewer.subscribe("cam", "data");
    await until(() => cheapTrack.consumerCount > 0, T, "the relay subscribing to the cheap route");
    expect(dearTrack.consumerCount).toBe(0);
    const group = cheapTrack.openGroup();
    group.writeFrame(text("cheap"));
    group.close();
    expect(str(await (await within(sub.nextGroup(), T, "a group"))!.readFrame())).toBe("cheap");

    // The cheap publisher leaves: the relay moves to the dear route, at its cost.
    const moved = viewer.announced("");
    cheap.close();
    expect(
      await within(
        (async () => {
          for (;;) {
            const c = await moved.next();
            if (!c || (c.path === "cam" && c.active && c.cost?.warm === 12)) return c;
          }
        })(),
        T,
        "the dear route announced",
      ),
    ).toMatchObject({ cost: { warm: 12, cold: 12 } });
    // The relay switched routes in place: on the first announce stream, a RESTART of the same id
    // and no END.
    await until(() => log.some((m) => m.name === "ANNOUNCE_RESTART"), T, "the RESTART");
    const routes = ["ANNOUNCE_START", "ANNOUNCE_RESTART", "ANNOUNCE_END"];
    const received = log.filter((m) => m.direction === "received" && routes.includes(m.name));
    const first = received.filter((m) => m.stream === received[0]!.stream);
    expect(first.map((m) => [m.name, m.fields["id"]])).toEqual([
      ["ANNOUNCE_START", 0],
      ["ANNOUNCE_RESTART", 0],
    ]);
  });

  it("starts and ends a subscription and a fetch partway through a group", async () => {
    r = await startTestRelay();
    const pub = await r.client();
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data", { maxCachedGroups: 4 });
    pub.mux.publishBroadcast("parts", broadcast);
    const first = await r.client();
    await nextMatching(first, (c) => c.path === "parts", "parts");
    const whole = first.subscribe("parts", "data");
    await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
    const group = track.openGroup(0);
    for (let f = 0; f < 5; f++) group.writeFrame(text(`0.${f}`), 100 * f);
    group.close();
    const g0 = await within(whole.nextGroup(), T, "group 0 whole");
    for (let f = 0; f < 5; f++) expect(str(await g0!.readFrame())).toBe(`0.${f}`);

    // The relay has group 0 cached: ask it for frames 2..3 only.
    const { log, onEvent } = messageLog();
    const second = await r.client("", { onEvent });
    await nextMatching(second, (c) => c.path === "parts", "parts");
    const part = second.subscribe("parts", "data", { startGroup: 0, startFrame: 2, endGroup: 0, endFrame: 3 });
    const got = await within(part.nextGroup(), T, "frames 2..3 of group 0");
    const frames: [string | undefined, number][] = [];
    for (let f; (f = await got!.readFrame()) !== undefined;) frames.push([str(f), got!.lastTimestamp]);
    // The first frame's timestamp is absolute again on a stream that starts partway.
    expect(frames).toEqual([
      ["0.2", 200],
      ["0.3", 300],
    ]);
    const header = log.find((m) => m.direction === "received" && m.name === "GROUP");
    expect(header?.fields).toMatchObject({ sequence: 0, firstFrame: 2 });

    const fetched = second.fetch({ broadcast: "parts", track: "data", group: 0, startFrame: 1, endFrame: 2 });
    expect([str(await fetched.readFrame()), str(await fetched.readFrame()), await fetched.readFrame()]).toEqual([
      "0.1",
      "0.2",
      undefined,
    ]);

    // 05 cannot ask for part of a group: the subscription ends at once, saying why.
    const old = await r.client("", { versions: ["moq-lite-05"] });
    const refused = old.subscribe("parts", "data", { startGroup: 0, startFrame: 2 });
    expect((await within(refused.closed, T, "refusal"))?.reason).toMatch(/frame bounds need moq-lite-06/);
  });

  it("resets and closes with the 05+ registry's numbers on the wire, and reads them back as ours", async () => {
    r = await startTestRelay();
    // A bare 06 peer asks for a track of a broadcast nobody publishes: reset 0x33 (the registry's
    // NotFound), not our 13.
    const raw = await connectRaw(r.ws(), "moq-lite-06");
    const track = encodeTrackRequest({ broadcast: toPath("nobody"), track: "t" }, "moq-lite-06");
    const asked = await sendBidi(raw, [concat([BidiStreamType.Track], track)]);
    expect(await within(asked.ended, T, "the reset")).toEqual({ how: "reset", code: StreamCode.NotFound });
    // Garbage on a control stream: the session closes with 0x3, the registry's protocol violation.
    await sendBidi(raw, [Uint8Array.of(0x7f)]);
    const closed = (await within(raw.session.closed, T, "the close")) as { closeCode?: number };
    expect(closed.closeCode).toBe(SessionCode.ProtocolViolation);
    // Our own client reads the registry's numbers as ours.
    const viewer = await r.client();
    const sub = viewer.subscribe("nobody", "t");
    expect((await within(sub.closed, T, "the refusal"))?.code).toBe(ErrorCode.NotFound);
  });
});
