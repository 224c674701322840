// Interop with @moq/net 0.3.4 over WebSocket + QMux on 127.0.0.1, for moq-lite-03, -04 and -05:
// our client against its server, its clients through our relay, and mixed versions through our
// relay (a 05 publisher to a 03 subscriber and back). @moq/net in Node has no WebTransport, and
// QMux has no datagrams: datagram groups reach it on streams here, and QUIC datagrams are tested
// against moq-relay (test/interop/moq-relay.test.ts) and between our own ends (http3.test.ts).

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BroadcastProducer } from "../../main/moq/model/broadcast.ts";
import { Relay } from "../../main/moq/relay/relay.ts";
import type { Session } from "../../main/moq/lite/session/session.ts";
import { connect } from "../../main/moq/node.ts";
import { within } from "../helpers/wait.ts";
import { captureConsole, until } from "./fixtures.ts";
import { Net, connectNet, readNetGroup, startNetServer } from "./net-peer.ts";
import type { NetConnection, NetServer, NetVersion } from "./net-peer.ts";

const T = 15_000;
const VERSIONS: NetVersion[] = ["moq-lite-03", "moq-lite-04", "moq-lite-05"];
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

let server: NetServer | undefined;
let relay: Relay | undefined;
const cleanup: (() => void)[] = [];

beforeEach(() => captureConsole());
afterEach(async () => {
  for (const fn of cleanup.splice(0)) fn();
  await server?.close();
  server = undefined;
  await relay?.close();
  relay = undefined;
  vi.restoreAllMocks();
});

/** A @moq/net broadcast whose one track carries `groups` groups of three timed frames. */
function netBroadcast(trackName: string, timescale: number) {
  const broadcast = new Net.Broadcast.Producer();
  const track = broadcast.createTrack(trackName, { timescale: Net.Time.Timescale(timescale) });
  return {
    broadcast,
    writeGroup(g: number) {
      const group = track.appendGroup();
      for (let f = 0; f < 3; f++) {
        group.writeFrame({
          payload: text(`g${g}f${f}`),
          timestamp: new Net.Time.Timestamp(1000 * g + 10 * f, Net.Time.Timescale(timescale)),
        });
      }
      group.close();
    },
    close: () => track.close(),
  };
}

async function ourClient(url: string, version: NetVersion): Promise<Session> {
  const session = await connect(url, { versions: [version], legacy: false, transport: "websocket", timeoutMs: 10_000 });
  cleanup.push(() => session.close());
  return session;
}

async function netClient(url: string, version: NetVersion): Promise<NetConnection> {
  const conn = await connectNet(url, version);
  cleanup.push(() => conn.close());
  return conn;
}

describe.each(VERSIONS)("%s", (version) => {
  it("our client finds a @moq/net server's broadcast, subscribes, and gets every frame (with timestamps on 05)", async () => {
    server = await startNetServer(version);
    const client = await ourClient(server.url, version);
    expect(client.version).toBe(version);
    const conn = await within(server.nextConnection(), T, "the server's connection");
    const pub = netBroadcast("video", 90_000);
    conn.publish(Net.Path.from("room/cam"), pub.broadcast);

    const change = await within(client.announced("room").next(), T, "the announcement");
    expect(change).toMatchObject({ path: "room/cam", active: true });
    const sub = client.subscribe("room/cam", "video");
    expect(await within(sub.timescale(), T, "the timescale")).toBe(version === "moq-lite-05" ? 90_000 : 1000);
    const received: { sequence: number; frames: [string, number][] }[] = [];
    for (let g = 0; g < 3; g++) {
      // Each group once the previous one arrived, as a live source would produce them.
      await until(() => received.length === g || undefined, T, `group ${g - 1} to arrive`);
      pub.writeGroup(g);
      const group = await within(sub.nextGroup(), T, `group ${g}`);
      const frames: [string, number][] = [];
      for (let f; (f = await group!.readFrame()) !== undefined;) frames.push([str(f), group!.lastTimestamp]);
      received.push({ sequence: group!.sequence, frames });
    }
    expect(received.map((g) => g.frames.map(([t]) => t))).toEqual(
      [0, 1, 2].map((g) => [0, 1, 2].map((f) => `g${g}f${f}`)),
    );
    if (version === "moq-lite-05") {
      expect(received[1]!.frames.map(([, ts]) => ts)).toEqual([1000, 1010, 1020]);
    }
  });

  it("a @moq/net publisher and subscriber meet through our relay", async () => {
    relay = await Relay.start({ http3: false, versions: [version] });
    const url = `ws://127.0.0.1:${relay.port}/`;
    const publisher = await netClient(url, version);
    const viewer = await netClient(url, version);
    const pub = netBroadcast("data", 1000);
    publisher.publish(Net.Path.from("live/one"), pub.broadcast);

    const announced = viewer.announced(Net.Path.from("live"));
    const event = await within(announced.next(), T, "the announcement through the relay");
    // @moq/net reports paths relative to the prefix asked for.
    expect(event).toMatchObject({ path: "one", active: true });
    const sub = viewer.consume(Net.Path.from("live/one")).subscribe("data");
    const frames: string[] = [];
    for (let g = 0; g < 2; g++) {
      pub.writeGroup(g);
      const group = await within(sub.recvGroup(), T, `group ${g}`);
      frames.push(...(await readNetGroup(group!)).map((f) => str(f.payload)));
    }
    expect(frames).toEqual(["g0f0", "g0f1", "g0f2", "g1f0", "g1f1", "g1f2"]);
  });
});

describe("mixed versions through our relay", () => {
  it.each([
    ["moq-lite-05", "moq-lite-03"],
    ["moq-lite-03", "moq-lite-05"],
  ] as [NetVersion, NetVersion][])("a @moq/net %s publisher to our %s subscriber", async (pv, sv) => {
    relay = await Relay.start({ http3: false, versions: ["moq-lite-05", "moq-lite-04", "moq-lite-03"] });
    const url = `ws://127.0.0.1:${relay.port}/`;
    const publisher = await netClient(url, pv);
    const pub = netBroadcast("data", 1000);
    publisher.publish(Net.Path.from("mixed"), pub.broadcast);
    const viewer = await ourClient(url, sv);
    await within(viewer.announced("").next(), T, "the announcement");
    const sub = viewer.subscribe("mixed", "data");
    await within(sub.timescale(), T, "the timescale");
    const got: string[] = [];
    for (let g = 0; g < 2; g++) {
      pub.writeGroup(g);
      const group = await within(sub.nextGroup(), T, `group ${g}`);
      for (let f; (f = await group!.readFrame()) !== undefined;) got.push(str(f));
    }
    expect(got).toEqual(["g0f0", "g0f1", "g0f2", "g1f0", "g1f1", "g1f2"]);
  });

  it("our 05 publisher to a @moq/net 03 subscriber, and timestamps survive to a @moq/net 05 one", async () => {
    relay = await Relay.start({ http3: false, versions: ["moq-lite-05", "moq-lite-04", "moq-lite-03"] });
    const url = `ws://127.0.0.1:${relay.port}/`;
    const publisher = await ourClient(url, "moq-lite-05");
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("data", { timescale: 48_000, maxPendingGroups: 64 });
    publisher.mux.publishBroadcast("ours", broadcast);
    const old = await netClient(url, "moq-lite-03");
    const modern = await netClient(url, "moq-lite-05");
    for (const c of [old, modern]) {
      await within(c.announced(Net.Path.from("")).next(), T, "the announcement");
    }
    const oldSub = old.consume(Net.Path.from("ours")).subscribe("data");
    const modernSub = modern.consume(Net.Path.from("ours")).subscribe("data");
    await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
    const results = { old: [] as string[], modern: [] as [string, number, number][] };
    for (let g = 0; g < 2; g++) {
      const group = track.openGroup();
      group.writeFrame(text(`a${g}`), 48_000 * g);
      group.writeFrame(text(`b${g}`), 48_000 * g + 960);
      group.close();
      const [o, m] = await Promise.all([
        within(oldSub.recvGroup(), T, `old group ${g}`),
        within(modernSub.recvGroup(), T, `modern group ${g}`),
      ]);
      results.old.push(...(await readNetGroup(o!)).map((f) => str(f.payload)));
      results.modern.push(
        ...(await readNetGroup(m!)).map((f): [string, number, number] => [str(f.payload), f.timestamp, f.scale]),
      );
    }
    expect(results.old).toEqual(["a0", "b0", "a1", "b1"]);
    expect(results.modern).toEqual([
      ["a0", 0, 48_000],
      ["b0", 960, 48_000],
      ["a1", 48_000, 48_000],
      ["b1", 48_960, 48_000],
    ]);
  });

  it("our datagram groups reach a @moq/net 05 subscriber on streams (QMux carries no datagrams)", async () => {
    relay = await Relay.start({ http3: false, versions: ["moq-lite-05"] });
    const url = `ws://127.0.0.1:${relay.port}/`;
    const publisher = await ourClient(url, "moq-lite-05");
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("pings", { timescale: 1000 });
    publisher.mux.publishBroadcast("dg", broadcast);
    const viewer = await netClient(url, "moq-lite-05");
    await within(viewer.announced(Net.Path.from("")).next(), T, "the announcement");
    const sub = viewer.consume(Net.Path.from("dg")).subscribe("pings");
    await until(() => track.consumerCount > 0, T, "the relay's upstream subscription");
    const got: [string, number][] = [];
    for (let g = 0; g < 2; g++) {
      track.writeDatagram(text(`ping ${g}`), 1000 + 40 * g);
      const group = await within(sub.recvGroup(), T, `group ${g}`);
      got.push(...(await readNetGroup(group!)).map((f): [string, number] => [str(f.payload), f.timestamp]));
    }
    expect(got).toEqual([
      ["ping 0", 1000],
      ["ping 1", 1040],
    ]);
  });
});
