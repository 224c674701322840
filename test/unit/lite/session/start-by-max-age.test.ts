// moq-lite-06 resolves an absent start group by the subscriber's max age: the publisher starts at
// the oldest cached group that age still keeps fresh and names it in SUBSCRIBE_START. On 05 an
// absent start is the latest group, whatever the max age.

import { afterEach, describe, expect, it } from "vitest";
import type { Session } from "../../../../main/moq/lite/session/session.ts";
import type { Version } from "../../../../main/moq/lite/wire/version.ts";
import { BroadcastProducer } from "../../../../main/moq/model/broadcast.ts";
import { connectTo, startServer, type TestServer } from "../../../helpers/server.ts";
import { text, within } from "../../../helpers/wait.ts";

const T = 5000;
let server: TestServer | undefined;
let client: Session | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
});

/** A server whose track holds groups 0..4 starting at 0, 1000, … 4000 ms. */
async function cachedFiveSeconds(version: Version, trackMaxAgeMs?: number): Promise<void> {
  server = await startServer({ versions: [version] });
  const broadcast = new BroadcastProducer();
  const track = broadcast.createTrack("v", {
    timescale: 1000,
    maxCachedGroups: 10,
    ...(trackMaxAgeMs === undefined ? {} : { maxAgeMs: trackMaxAgeMs }),
  });
  for (let g = 0; g < 5; g++) {
    const group = track.openGroup();
    group.writeFrame(text(`g${g}`), g * 1000);
    group.close();
  }
  server.mux.publishBroadcast("cam", broadcast);
  client = await connectTo(server.ws, { versions: [version], legacy: false, transport: "websocket" });
}

async function sequences(sub: ReturnType<Session["subscribe"]>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await within(sub.nextGroup(), T, `group ${i + 1} of ${n}`))!.sequence);
  return out;
}

describe("an absent start group", () => {
  it("on 06 reaches back as far as the max age keeps groups fresh, and SUBSCRIBE_START says where", async () => {
    await cachedFiveSeconds("moq-lite-06");
    const sub = client!.subscribe("cam", "v", { maxLatencyMs: 2500 });
    // Group streams race each other (newer ones go first): compare as a set.
    expect((await sequences(sub, 4)).sort()).toEqual([1, 2, 3, 4]);
    expect((await within(sub.ok, T, "SUBSCRIBE_START")).startGroup).toBe(1);
    // Without a max age only the latest group is fresh.
    const live = client!.subscribe("cam", "v");
    expect(await sequences(live, 1)).toEqual([4]);
  });

  it("on 06 reaches back no further than the track's own max age, which TRACK_INFO announces", async () => {
    await cachedFiveSeconds("moq-lite-06", 1500);
    const sub = client!.subscribe("cam", "v", { maxLatencyMs: 2500 });
    // 2500 ms would reach group 1; the publisher keeps groups fresh for 1500 ms only.
    expect((await sequences(sub, 3)).sort()).toEqual([2, 3, 4]);
    expect((await within(sub.ok, T, "SUBSCRIBE_START")).startGroup).toBe(2);
    expect(sub.trackInfo?.maxLatencyMs).toBe(1500);
  });

  it("TRACK_INFO says 5 s when the publisher sets no max age, as moq-net and @moq/net default", async () => {
    await cachedFiveSeconds("moq-lite-06");
    const sub = client!.subscribe("cam", "v", { maxLatencyMs: 2500 });
    await within(sub.ok, T, "SUBSCRIBE_START");
    expect(sub.trackInfo?.maxLatencyMs).toBe(5000);
  });

  it("on 05 is the latest group, whatever the max age", async () => {
    await cachedFiveSeconds("moq-lite-05");
    const sub = client!.subscribe("cam", "v", { maxLatencyMs: 2500 });
    expect(await sequences(sub, 1)).toEqual([4]);
    expect((await within(sub.ok, T, "SUBSCRIBE_START")).startGroup).toBe(4);
  });
});
