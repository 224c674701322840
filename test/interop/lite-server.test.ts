// Our client against a @moq/lite server, for moq-lite-03 and -04 over WebSocket + QMux:
// discovery, data, the three ways a subscription ends, and probe reports in both directions.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Session } from "../../main/moq/lite/session/session.ts";
import { connectTransport } from "../../main/moq/transport/connect.ts";
import type { Transport } from "../../main/moq/transport/types.ts";
import { connectTo } from "../helpers/server.ts";
import { str, within } from "../helpers/wait.ts";
import { FRAME_SIZES, GROUPS, VERSIONS, captureConsole, expectedGroups, payload, shape, until } from "./fixtures.ts";
import { Moq, startLiteServer } from "./lite-peer.ts";
import type { LiteServer, LiteVersion, PeerOptions } from "./lite-peer.ts";

const T = 15_000;

let lite: LiteServer | undefined;
const clients: Session[] = [];

beforeEach(() => captureConsole());
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await lite?.close();
  lite = undefined;
  vi.restoreAllMocks();
});

async function setup(version: LiteVersion, options: Partial<PeerOptions> = {}, offer: string[] = [version]) {
  lite = await startLiteServer({ version, ...options });
  const client = await connectTo(lite.url, { versions: offer, legacy: false, transport: "websocket" });
  clients.push(client);
  return { lite, client };
}

/** Answer every subscription to `broadcast` with `handler` (one call per requested track). */
function serve(broadcast: Moq.Broadcast, handler: (track: Moq.Track) => void | Promise<void>): void {
  void (async () => {
    for (let r; (r = await broadcast.requested());) void Promise.resolve(handler(r.track)).catch(() => {});
  })().catch(() => {});
}

/** Write the standard groups into a @moq/lite track. */
function writeLiteGroups(track: Moq.Track): void {
  for (let g = 0; g < GROUPS; g++) {
    const group = track.appendGroup();
    for (let f = 0; f < FRAME_SIZES.length; f++) group.writeFrame(payload(g, f));
    group.close();
  }
}

/** Read our subscription until it ends; groups by sequence. */
async function readAll(sub: ReturnType<Session["subscribe"]>): Promise<Uint8Array[][]> {
  const groups: Uint8Array[][] = [];
  for (;;) {
    const group = await within(sub.nextGroup(), T, "next group");
    if (!group) return groups;
    const frames: Uint8Array[] = [];
    for (let f; (f = await within(group.readFrame(), T, `frame of group ${group.sequence}`)) !== undefined;)
      frames.push(f);
    groups[group.sequence] = frames;
  }
}

describe.each(VERSIONS)("our client against a @moq/lite server, %s", (version) => {
  it("negotiates the server's version when we offer 04 and 03", async () => {
    const { client } = await setup(version, {}, ["moq-lite-04", "moq-lite-03"]);
    expect(client.version).toBe(version);
    expect(client.connectionState().negotiated).toMatch(new RegExp(`^qmux-0\\d\\.${version}$`));
    const theirs = await within(lite!.nextConnection(), T, "their connection");
    expect(theirs.version).toBe(version);
  });

  it("sees their broadcast announced, then ended when they close it", async () => {
    const { lite, client } = await setup(version);
    const before = new Moq.Broadcast();
    lite.publish("srv/before", before);
    const announced = client.announced("");
    expect(await within(announced.next(), T, "initial announcement")).toMatchObject({
      path: "srv/before",
      active: true,
    });

    // Published while our announce stream is open: @moq/lite diffs its set (Set.prototype.difference).
    const after = new Moq.Broadcast();
    lite.publish("srv/after", after);
    expect(await within(announced.next(), T, "live announcement")).toMatchObject({ path: "srv/after", active: true });

    after.close();
    expect(await within(announced.next(), T, "end of srv/after")).toMatchObject({ path: "srv/after", active: false });
    before.close();
    expect(await within(announced.next(), T, "end of srv/before")).toMatchObject({ path: "srv/before", active: false });
    expect(announced.active).toEqual([]);
    expect(client.isClosed).toBe(false);
  });

  it("filters their announcements by our prefix", async () => {
    const { lite, client } = await setup(version);
    lite.publish("room/a", new Moq.Broadcast());
    lite.publish("elsewhere/b", new Moq.Broadcast());
    const announced = client.announced("room");
    expect(await within(announced.next(), T, "room/a")).toMatchObject({ path: "room/a", active: true });
    const c = new Moq.Broadcast();
    lite.publish("room/c", c);
    expect(await within(announced.next(), T, "room/c")).toMatchObject({ path: "room/c", active: true });
    expect(announced.active.map((a) => a.path).sort()).toEqual(["room/a", "room/c"]);
  });

  it("receives every frame complete and in order, and their FIN ends sub.closed with undefined", async () => {
    const { lite, client } = await setup(version);
    const broadcast = new Moq.Broadcast();
    lite.publish("srv/data", broadcast);
    const requested: string[] = [];
    serve(broadcast, (track) => {
      requested.push(track.name);
      writeLiteGroups(track);
      // @moq/lite FINs the subscribe stream without waiting for its group streams.
      track.close();
    });
    const sub = client.subscribe("srv/data", "bytes", { ordered: true, priority: 7 });
    const ok = await within(sub.ok, T, "SUBSCRIBE_OK");
    expect(ok.priority).toBe(7);
    const groups = await readAll(sub);
    expect(await within(sub.closed, T, "clean end")).toBeUndefined();
    expect(shape(groups)).toEqual(shape(expectedGroups()));
    expect(requested).toEqual(["bytes"]);
    expect(client.isClosed).toBe(false);
  });

  it("receives groups written while subscribed, in order, before a later FIN", async () => {
    const { lite, client } = await setup(version);
    const broadcast = new Moq.Broadcast();
    lite.publish("srv/live", broadcast);
    let theirs: Moq.Track | undefined;
    serve(broadcast, (track) => {
      theirs = track;
    });
    const sub = client.subscribe("srv/live", "clock");
    await within(sub.ok, T, "SUBSCRIBE_OK");
    const track = await until(() => theirs, T, "their side of the subscription");
    const seen: string[] = [];
    for (let g = 0; g < 3; g++) {
      const group = track.appendGroup();
      for (let f = 0; f < 3; f++) group.writeString(`tick ${g}.${f}`);
      group.close();
      const got = await within(sub.nextGroup(), T, `group ${g}`);
      expect(got?.sequence).toBe(g);
      for (let f; (f = await got!.readFrame()) !== undefined;) seen.push(str(f)!);
    }
    expect(seen).toEqual([0, 1, 2].flatMap((g) => [0, 1, 2].map((f) => `tick ${g}.${f}`)));
    track.close();
    expect(await within(sub.nextGroup(), T, "the end")).toBeUndefined();
    expect(await within(sub.closed, T, "clean end")).toBeUndefined();
  });

  it("ends sub.closed with code 0 when they reset the track (@moq/lite always resets with 0)", async () => {
    const { lite, client } = await setup(version);
    const broadcast = new Moq.Broadcast();
    lite.publish("srv/reset", broadcast);
    let theirs: Moq.Track | undefined;
    serve(broadcast, (track) => {
      const g = track.appendGroup();
      g.writeString("before the reset");
      g.close();
      theirs = track;
    });
    const sub = client.subscribe("srv/reset", "t");
    const first = await within(sub.nextGroup(), T, "first group");
    expect(str(await first!.readFrame())).toBe("before the reset");
    (await until(() => theirs, T, "their track")).close(new Error("publisher gave up"));
    const end = await within(sub.closed, T, "the reset");
    expect(end).toMatchObject({ code: 0 });
    await expect(sub.nextGroup()).rejects.toMatchObject({ code: 0 });
    expect(client.isClosed).toBe(false);
  });

  it("is refused an unknown broadcast with code 0 and keeps the session", async () => {
    const { client } = await setup(version);
    const sub = client.subscribe("nobody/here", "t");
    // @moq/lite answers an unknown broadcast with RESET_STREAM 0 on the subscribe stream, no SUBSCRIBE_OK.
    const end = await within(sub.closed, T, "refusal");
    expect(end).toMatchObject({ code: 0 });
    await expect(sub.ok).rejects.toMatchObject({ code: 0 });
    expect(client.isClosed).toBe(false);
    // The session still works afterwards.
    lite!.publish("later/one", new Moq.Broadcast());
    const announced = client.announced("later");
    expect(await within(announced.next(), T, "announcement after the refusal")).toMatchObject({
      path: "later/one",
      active: true,
    });
  });

  it("gets probe reports with their estimated send rate; RTT 0 (unknown) from @moq/lite", async () => {
    const estimate = 4_200_000;
    const { client } = await setup(version, { estimatedSendRate: estimate });
    const probe = client.probe();
    const report = await within(probe.next(), T, "a probe report");
    // @moq/lite never fills in RTT (04 carries 0 = unknown; 03 has no field).
    expect(report).toMatchObject({ bitrate: estimate, rttMs: 0 });
    expect(client.stats().peerBitrate).toBe(estimate);
    probe.close();
  });

  it("gets no probe report when their transport has no getStats: they FIN the probe stream", async () => {
    const { client } = await setup(version);
    const probe = client.probe();
    expect(await within(probe.next(), T, "end of the probe stream")).toBeUndefined();
    expect(probe.received).toBe(0);
    expect(client.isClosed).toBe(false);
  });

  it("answers their probe: their recvBandwidth gets our estimate, rtt only on 04", async () => {
    lite = await startLiteServer({ version });
    // Our client with a transport that claims a fixed send-rate estimate, so the number is known.
    const estimate = 3_141_592;
    const transport = await connectTransport(lite.url, {
      transport: "websocket",
      versions: [version],
      legacy: false,
      timeoutMs: 10_000,
    });
    const estimating: Transport = {
      ...transport,
      stats: () => ({ ...transport.stats(), estimatedSendRate: estimate }),
    };
    const client = await Session.establish(estimating, "client");
    clients.push(client);
    const theirs = await within(lite.nextConnection(), T, "their connection");
    // @moq/lite probes its peer on every 03+ connection, server side included.
    await until(() => theirs.recvBandwidth?.peek() === estimate, T, "their recvBandwidth to reach our estimate");
    if (version === "moq-lite-04") {
      const rtt = await until(() => theirs.rtt?.peek(), T, "our RTT report");
      expect(rtt).toBeGreaterThan(0);
    } else {
      // 03 PROBE has no RTT field.
      expect(theirs.rtt?.peek()).toBeUndefined();
    }
  });
});
