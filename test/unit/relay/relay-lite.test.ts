// The relay with @moq/lite clients over WebSocket/QMux (03, 04 and mixed), alongside our own.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BroadcastProducer } from "../../../main/moq/model/broadcast.ts";
import { within } from "../../helpers/wait.ts";
import { FRAME_SIZES, captureConsole, expectedGroups, payload, shape, until } from "../../interop/fixtures.ts";
import { Moq, connectLite, readLiteGroup } from "../../interop/lite-peer.ts";
import type { LiteClient, LiteVersion } from "../../interop/lite-peer.ts";
import { T, startTestRelay } from "./harness.ts";
import type { TestRelay } from "./harness.ts";

const GROUPS = 3;
let r: TestRelay | undefined;
const lites: LiteClient[] = [];

beforeEach(() => captureConsole());
afterEach(async () => {
  for (const c of lites.splice(0)) c.close();
  await r?.close();
  r = undefined;
  vi.restoreAllMocks();
});

async function lite(version: LiteVersion, path = ""): Promise<LiteClient> {
  const c = await connectLite(r!.ws(path), { version });
  lites.push(c);
  return c;
}

/** A @moq/lite broadcast that hands out each requested track to `onTrack`. */
function litePublish(client: LiteClient, path: string, onTrack: (track: Moq.Track) => void): Moq.Broadcast {
  const broadcast = new Moq.Broadcast();
  client.connection.publish(Moq.Path.from(path), broadcast);
  void (async () => {
    for (let req; (req = await broadcast.requested());) onTrack(req.track);
  })().catch(() => {});
  return broadcast;
}

async function readLiteTrack(track: Moq.Track, groups: number): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = [];
  for (let n = 0; n < groups; n++) {
    const group = await within(track.recvGroup(), T, "next group");
    if (!group) break;
    out[group.sequence] = await within(readLiteGroup(group), T, `frames of group ${group.sequence}`);
  }
  return out;
}

const PAIRS: [LiteVersion, LiteVersion][] = [
  ["moq-lite-04", "moq-lite-04"],
  ["moq-lite-03", "moq-lite-03"],
  ["moq-lite-03", "moq-lite-04"],
  ["moq-lite-04", "moq-lite-03"],
];

describe("relay with @moq/lite clients", () => {
  it.each(PAIRS)("carries a %s publisher's frames to a %s subscriber, complete and in order", async (pv, sv) => {
    r = await startTestRelay();
    const pub = await lite(pv);
    let theirs: Moq.Track | undefined;
    litePublish(pub, "cam", (t) => (theirs = t));
    const viewer = await lite(sv);
    const announced = viewer.connection.announced(Moq.Path.from(""));
    expect(await within(announced.next(), T, "announcement")).toMatchObject({ path: "cam", active: true });

    const track = viewer.connection.consume(Moq.Path.from("cam")).subscribe("video", 1);
    const upstream = await until(() => theirs, T, "the relay's upstream subscription");
    const reading = readLiteTrack(track, GROUPS);
    for (let g = 0; g < GROUPS; g++) {
      const group = upstream.appendGroup();
      for (let f = 0; f < FRAME_SIZES.length; f++) group.writeFrame(payload(g, f));
      group.close();
    }
    expect(shape(await reading)).toEqual(shape(expectedGroups(GROUPS)));
  });

  it.each(["moq-lite-03", "moq-lite-04"] as LiteVersion[])(
    "sees a %s publisher's announcement end when it disconnects",
    async (version) => {
      r = await startTestRelay();
      const viewer = await lite("moq-lite-04");
      const announced = viewer.connection.announced(Moq.Path.from(""));
      const pub = await lite(version);
      litePublish(pub, "room/cam", () => {});
      expect(await within(announced.next(), T, "announcement")).toMatchObject({ path: "room/cam", active: true });
      pub.close();
      expect(await within(announced.next(), T, "end")).toMatchObject({ path: "room/cam", active: false });
    },
  );

  it("isolates roots for @moq/lite clients: /a does not see /b's broadcasts", async () => {
    r = await startTestRelay();
    const pubB = await lite("moq-lite-04", "b");
    litePublish(pubB, "secret", () => {});
    const pubA = await lite("moq-lite-04", "a");
    litePublish(pubA, "mine", () => {});
    const viewerA = await lite("moq-lite-03", "a");
    const announced = viewerA.connection.announced(Moq.Path.from(""));
    expect(await within(announced.next(), T, "a's broadcast")).toMatchObject({ path: "mine", active: true });
    await until(() => r!.relay.broadcasts().length === 2, T, "both broadcasts at the relay");
    expect(r.relay.broadcasts().sort()).toEqual(["a/mine", "b/secret"]);
  });

  it("fans our publisher out to @moq/lite subscribers of both versions from one upstream subscription", async () => {
    r = await startTestRelay();
    const ours = await r.client();
    let subscribes = 0;
    ours.on((e) => {
      if (e.type === "message" && e.direction === "received" && e.name === "SUBSCRIBE") subscribes++;
    });
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data", { maxPendingGroups: 64 });
    ours.mux.publishBroadcast("show", broadcast);
    const viewers = await Promise.all([
      lite("moq-lite-03"),
      lite("moq-lite-04"),
      lite("moq-lite-03"),
      lite("moq-lite-04"),
    ]);
    await Promise.all(viewers.map((v) => within(v.connection.announced(Moq.Path.from("")).next(), T, "announcement")));
    const tracks = viewers.map((v) => v.connection.consume(Moq.Path.from("show")).subscribe("data", 1));
    await until(() => r!.relay.stats().downstreamSubscriptions === 4, T, "4 downstream readers");
    await until(() => track.consumerCount > 0, T, "the upstream subscription");
    const readings = tracks.map((t) => readLiteTrack(t, GROUPS));
    for (let g = 0; g < GROUPS; g++) {
      const group = track.openGroup();
      for (let f = 0; f < FRAME_SIZES.length; f++) group.writeFrame(payload(g, f));
      group.close();
    }
    for (const got of await Promise.all(readings)) expect(shape(got)).toEqual(shape(expectedGroups(GROUPS)));
    expect(subscribes).toBe(1);
  });
});
