// moq-lite-05 through our relay with our own clients over WebSocket/QMux on 127.0.0.1: the Setup
// streams, ANNOUNCE_OK and hop chains, TRACK_INFO's timescale, implicit acceptance
// (SUBSCRIBE_START/END), frame timestamps end to end, and 05 mixed with 03/04.

import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import type { SessionEvent } from "../../../main/moq/lite/session/events.ts";
import { within } from "../../helpers/wait.ts";
import { until } from "../../interop/fixtures.ts";
import { T, startTestRelay } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

let r: TestRelay | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const ALL: Version[] = ["moq-lite-05", "moq-lite-04", "moq-lite-03"];

/** Message names a session traces, by direction, from its first byte on (pass as `onEvent`). */
function messageLog() {
  const log = { sent: [] as string[], received: [] as string[] };
  const onEvent = (e: SessionEvent) => {
    if (e.type === "message") log[e.direction].push(e.name);
  };
  return { log, onEvent };
}

async function readTimed(sub: { nextGroup(): Promise<unknown> }, groups: number) {
  const out: { sequence: number; frames: [string, number][] }[] = [];
  for (let g = 0; g < groups; g++) {
    const group = (await within(sub.nextGroup(), T, `group ${g}`)) as {
      sequence: number;
      readFrame(): Promise<Uint8Array | undefined>;
      lastTimestamp: number;
    };
    const frames: [string, number][] = [];
    for (let f; (f = await group.readFrame()) !== undefined;)
      frames.push([new TextDecoder().decode(f), group.lastTimestamp]);
    out.push({ sequence: group.sequence, frames });
  }
  // Live delivery sends the newest group first: compare in sequence order.
  return out.sort((a, b) => a.sequence - b.sequence);
}

describe("moq-lite-05 through our relay", () => {
  it("negotiates 05, exchanges SETUP streams, and carries frames with their timestamps and the track's timescale", async () => {
    r = await startTestRelay({ versions: ALL, hop: 77 });
    const pub = await r.client("", { versions: ["moq-lite-05"] });
    const { log, onEvent } = messageLog();
    const viewer = await r.client("", { versions: ["moq-lite-05"], onEvent });
    expect(pub.version).toBe("moq-lite-05");
    expect(viewer.version).toBe("moq-lite-05");
    // The relay's SETUP says it reports probes (level 1).
    await until(() => viewer.connectionState().peerSetup !== undefined, T, "the relay's SETUP");
    expect(viewer.connectionState().peerSetup).toMatchObject({ probe: 1, role: 0 });

    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("video", {
      maxPendingGroups: 64,
      timescale: 90_000,
      maxAgeMs: 1500,
      publisherPriority: 127,
    });
    pub.mux.publishBroadcast("room/cam", broadcast);

    const announced = viewer.announced("room");
    const change = await within(announced.next(), T, "the announcement");
    // The relay named itself once, in ANNOUNCE_OK; the hop chain still ends with it.
    expect(change).toMatchObject({ path: "room/cam", active: true, hops: [77] });

    const sub = viewer.subscribe("room/cam", "video");
    expect(await within(sub.timescale(), T, "TRACK_INFO")).toBe(90_000);
    expect(sub.trackInfo?.timescale).toBe(90_000);
    // The publisher's retention window and priority come through the relay unchanged.
    expect(sub.trackInfo?.maxLatencyMs).toBe(1500);
    expect(sub.trackInfo?.priority).toBe(127);
    await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
    // Like a live source, each group follows once the previous one is under way: a live
    // subscription starts at the first group it gets, and anything older is dropped.
    const got: Awaited<ReturnType<typeof readTimed>> = [];
    for (let g = 0; g < 3; g++) {
      const group = track.openGroup();
      // Timestamps go back within a group too (B-frames): deltas are signed.
      for (const [i, ts] of [1000, 4000, 2500].entries()) {
        group.writeFrame(new TextEncoder().encode(`g${g}f${i}`), g * 9000 + ts);
      }
      group.close();
      got.push(...(await readTimed(sub, 1)));
    }
    track.close();
    expect(got).toEqual(
      [0, 1, 2].map((g) => ({
        sequence: g,
        frames: [
          [`g${g}f0`, g * 9000 + 1000],
          [`g${g}f1`, g * 9000 + 4000],
          [`g${g}f2`, g * 9000 + 2500],
        ],
      })),
    );
    const ok = await within(sub.ok, T, "SUBSCRIBE_START");
    expect(ok.startGroup).toBe(0);
    expect(await within(sub.closed, T, "the end")).toBeUndefined();
    expect(sub.endGroup).toBe(3);
    expect(log.sent).toEqual(expect.arrayContaining(["SETUP", "ANNOUNCE_INTEREST", "TRACK", "SUBSCRIBE"]));
    expect(log.received).toEqual(
      expect.arrayContaining(["SETUP", "ANNOUNCE_OK", "TRACK_INFO", "SUBSCRIBE_START", "SUBSCRIBE_END"]),
    );
    expect(log.received).not.toContain("SUBSCRIBE_OK");
  });

  it.each([
    ["moq-lite-05", "moq-lite-03"],
    ["moq-lite-03", "moq-lite-05"],
    ["moq-lite-04", "moq-lite-05"],
  ] as [Version, Version][])("mixes versions: a %s publisher to a %s subscriber", async (pv, sv) => {
    r = await startTestRelay({ versions: ALL });
    const pub = await r.client("", { versions: [pv] });
    const viewer = await r.client("", { versions: [sv] });
    expect([pub.version, viewer.version]).toEqual([pv, sv]);
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data", { maxPendingGroups: 64 });
    pub.mux.publishBroadcast("mixed", broadcast);
    await within(viewer.announced("").next(), T, "the announcement");
    const sub = viewer.subscribe("mixed", "data");
    // An 05 subscriber learns the timescale first; 03/04 publishers have none to give: milliseconds.
    expect(await within(sub.timescale(), T, "the timescale")).toBe(1000);
    await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
    const before = Date.now();
    const got: Awaited<ReturnType<typeof readTimed>> = [];
    for (let g = 0; g < 2; g++) {
      const group = track.openGroup();
      group.writeFrame(new TextEncoder().encode(`a${g}`), pv === "moq-lite-05" ? 500 + g : undefined);
      group.writeFrame(new TextEncoder().encode(`b${g}`), pv === "moq-lite-05" ? 600 + g : undefined);
      group.close();
      got.push(...(await readTimed(sub, 1)));
    }
    track.close();
    expect(got.map((g) => g.frames.map(([text]) => text))).toEqual([
      ["a0", "b0"],
      ["a1", "b1"],
    ]);
    if (sv === "moq-lite-05") {
      // An older publisher sends no timestamps: the relay stamps frames as they arrive (ms).
      expect(got[0]!.frames[0]![1]).toBeGreaterThanOrEqual(before);
    }
    expect(await within(sub.closed, T, "the end")).toBeUndefined();
  });

  it("answers TRACK for a handler-served track without running the handler: it runs once, for the SUBSCRIBE", async () => {
    r = await startTestRelay({ versions: ALL });
    const pub = await r.client("", { versions: ["moq-lite-05"] });
    let runs = 0;
    pub.mux.publish("handled", (writer) => {
      runs++;
      const group = writer.openGroup();
      group.writeFrame(new TextEncoder().encode("hello"));
      group.close();
      writer.close();
    });
    const viewer = await r.client("", { versions: ["moq-lite-05"] });
    await within(viewer.announced("").next(), T, "the announcement");
    const sub = viewer.subscribe("handled", "any");
    // Handlers say nothing about time: milliseconds.
    expect(await within(sub.timescale(), T, "TRACK_INFO")).toBe(1000);
    const got = await readTimed(sub, 1);
    expect(got[0]!.frames.map(([t]) => t)).toEqual(["hello"]);
    expect(runs).toBe(1);
  });

  it("refuses a TRACK for a track nobody publishes: the subscription ends with NotFound", async () => {
    r = await startTestRelay({ versions: ALL });
    const viewer = await r.client("", { versions: ["moq-lite-05"] });
    const sub = viewer.subscribe("nobody/here", "video");
    const end = await within(sub.closed, T, "the refusal");
    expect(end?.reason).toMatch(/publisher has no track "video" in broadcast "nobody\/here"/);
  });
});
