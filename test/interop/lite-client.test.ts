// @moq/lite as the client against our server, for moq-lite-03 and -04 over WebSocket + QMux:
// discovery, data, clean and reset ends, probe reports, and publishing from the client.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "../../main/moq/errors.ts";
import { BroadcastProducer } from "../../main/moq/model/broadcast.ts";
import { Session } from "../../main/moq/lite/session/session.ts";
import { TrackMux } from "../../main/moq/mux.ts";
import { listen } from "../../main/moq/transport/listener.ts";
import type { Transport } from "../../main/moq/transport/types.ts";
import { startServer } from "../helpers/server.ts";
import type { TestServer } from "../helpers/server.ts";
import { str, text, within } from "../helpers/wait.ts";
import { FRAME_SIZES, GROUPS, VERSIONS, captureConsole, expectedGroups, payload, shape, until } from "./fixtures.ts";
import { Moq, connectLite, readLiteGroup } from "./lite-peer.ts";
import type { LiteClient, LiteVersion } from "./lite-peer.ts";

const T = 15_000;

let server: TestServer | undefined;
const clients: LiteClient[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => captureConsole());
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const fn of cleanups.splice(0)) await fn();
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

async function setup(version: LiteVersion) {
  server = await startServer();
  const client = await connectLite(server.ws, { version });
  clients.push(client);
  return { server, conn: client.connection };
}

/** Read a @moq/lite track until it ends, groups by sequence; `complete` counts fully read groups. */
function collect(track: Moq.Track, what: string) {
  const groups: Uint8Array[][] = [];
  const state = { groups, complete: 0, done: Promise.resolve() };
  state.done = (async () => {
    for (;;) {
      const group = await within(track.recvGroup(), T, `${what}: next group`);
      if (!group) return;
      groups[group.sequence] = await within(readLiteGroup(group), T, `${what}: frames of group ${group.sequence}`);
      state.complete++;
    }
  })();
  return state;
}

/** Write the standard groups (binary, empty and 64 KiB frames) into a writer-like track. */
function writeGroups(
  track: { openGroup(): { writeFrame(f: Uint8Array): void; close(): void } },
  groups = GROUPS,
): void {
  for (let g = 0; g < groups; g++) {
    const group = track.openGroup();
    for (let f = 0; f < FRAME_SIZES.length; f++) group.writeFrame(payload(g, f));
    group.close();
  }
}

describe.each(VERSIONS)("@moq/lite client against our server, %s", (version) => {
  it("negotiates the pinned version", async () => {
    const { conn } = await setup(version);
    expect(conn.version).toBe(version);
    const ours = await until(() => server!.sessions[0], T, "our server session");
    expect(ours.version).toBe(version);
  });

  it("sees a publishBroadcast announcement appear and end", async () => {
    const { server, conn } = await setup(version);
    const early = new BroadcastProducer();
    server.mux.publishBroadcast("room/early", early);
    const announced = conn.announced(Moq.Path.from(""));
    expect(await within(announced.next(), T, "initial announcement")).toEqual({ path: "room/early", active: true });

    const late = new BroadcastProducer();
    server.mux.publishBroadcast("room/late", late);
    expect(await within(announced.next(), T, "later announcement")).toEqual({ path: "room/late", active: true });

    late.close();
    expect(await within(announced.next(), T, "end of room/late")).toEqual({ path: "room/late", active: false });
    early.close();
    expect(await within(announced.next(), T, "end of room/early")).toEqual({ path: "room/early", active: false });
  });

  it("sees a mux.publish announcement under a prefix and its end", async () => {
    const { server, conn } = await setup(version);
    const announced = conn.announced(Moq.Path.from("apps"));
    const a = server.mux.publish("apps/handler", (writer) => writer.close());
    server.mux.publish("other/ignored", (writer) => writer.close());
    expect(await within(announced.next(), T, "announcement")).toEqual({ path: "apps/handler", active: true });
    a.end();
    expect(await within(announced.next(), T, "end")).toEqual({ path: "apps/handler", active: false });
  });

  it("receives every group of a mux.publish handler complete and in order, then a clean end", async () => {
    const { server, conn } = await setup(version);
    let allRead!: () => void;
    const read = new Promise<void>((resolve) => (allRead = resolve));
    server.mux.publish("live/handler", async (writer) => {
      writeGroups(writer);
      // @moq/lite cuts short any group it has not finished reading when the subscription's FIN
      // arrives (even with the bytes already there), so finish once it has read everything.
      await read;
      writer.close();
    });
    const track = conn.consume(Moq.Path.from("live/handler")).subscribe("data", 5);
    const reading = collect(track, "handler track");
    await until(() => reading.complete === GROUPS, T, "every group read");
    allRead();
    await reading.done;
    expect(shape(reading.groups)).toEqual(shape(expectedGroups()));
    expect(await within(track.closed, T, "track closed")).toBeUndefined();
  });

  it("receives a shared broadcast's groups as they are written, and ends cleanly on writer.close()", async () => {
    const { server, conn } = await setup(version);
    const broadcast = new BroadcastProducer();
    const video = broadcast.createTrack("video");
    server.mux.publishBroadcast("live/cam", broadcast);
    const track = conn.consume(Moq.Path.from("live/cam")).subscribe("video", 3);
    // Write only once our side serves the subscription: a late joiner starts at the latest group.
    await until(() => video.consumerCount > 0, T, "our server to serve the subscription");
    const reading = collect(track, "video");
    writeGroups(video);
    // Let every group arrive before the FIN, so this checks the clean end on its own.
    await until(() => reading.complete === GROUPS, T, "every group read");
    video.close();
    await reading.done;
    expect(shape(reading.groups)).toEqual(shape(expectedGroups()));
    expect(await within(track.closed, T, "track closed")).toBeUndefined();
  });

  it("ends the track with an error when we reset it with closeWithError", async () => {
    const { server, conn } = await setup(version);
    let closeIt!: () => void;
    server.mux.publish("live/fails", (writer) => {
      const g = writer.openGroup();
      g.writeFrame(text("before the reset"));
      g.close();
      closeIt = () => writer.closeWithError(64 + 9, "application failure");
    });
    const track = conn.consume(Moq.Path.from("live/fails")).subscribe("t", 1);
    const first = await within(track.recvGroup(), T, "the group before the reset");
    expect(str((await readLiteGroup(first!))[0])).toBe("before the reset");
    closeIt();
    // @moq/lite turns any RESET_STREAM into an Error; it exposes no code.
    // @moq/lite surfaces the qmux StreamError, which carries our code.
    await expect(within(track.recvGroup(), T, "the reset")).rejects.toMatchObject({ streamErrorCode: 73 });
    const closed = await within(track.closed, T, "track closed");
    expect(closed).toBeInstanceOf(Error);
  });

  it("is refused a broadcast nobody publishes (the track ends with an error)", async () => {
    const { conn } = await setup(version);
    const track = conn.consume(Moq.Path.from("nobody/here")).subscribe("t", 1);
    await expect(within(track.recvGroup(), T, "refusal")).rejects.toMatchObject({
      streamErrorCode: ErrorCode.NotFound,
    });
  });

  it("publishes to our server: our announced() sees it, our subscription gets its frames", async () => {
    const { conn } = await setup(version);
    const ours = await until(() => server!.sessions[0], T, "our server session");
    const announced = ours.announced("");
    const broadcast = new Moq.Broadcast();
    conn.publish(Moq.Path.from("from/lite"), broadcast);
    expect(await within(announced.next(), T, "their announcement")).toMatchObject({ path: "from/lite", active: true });

    void (async () => {
      for (let r; (r = await broadcast.requested());) {
        const track = r.track;
        for (let g = 0; g < GROUPS; g++) {
          const group = track.appendGroup();
          for (let f = 0; f < FRAME_SIZES.length; f++) group.writeFrame(payload(g, f));
          group.close();
        }
        // @moq/lite FINs the subscribe stream without waiting for its group streams: our
        // subscriber must keep taking the groups that are still on their way.
        track.close();
      }
    })();

    const sub = ours.subscribe("from/lite", "data", { ordered: true });
    const groups: Uint8Array[][] = [];
    for (;;) {
      const group = await within(sub.nextGroup(), T, "their group");
      if (!group) break;
      const frames: Uint8Array[] = [];
      for (let f; (f = await group.readFrame()) !== undefined;) frames.push(f);
      groups[group.sequence] = frames;
    }
    expect(await within(sub.closed, T, "their FIN")).toBeUndefined();
    expect(shape(groups)).toEqual(shape(expectedGroups()));

    broadcast.close();
    expect(await within(announced.next(), T, "their unannounce")).toMatchObject({ path: "from/lite", active: false });
  });

  it("gets our probe reports: recvBandwidth is our estimate, rtt is set on 04 only", async () => {
    const estimate = 7_654_321;
    const ours = await startEstimatingServer(estimate);
    cleanups.push(() => ours.close());
    const client = await connectLite(ours.url, { version });
    clients.push(client);
    const conn = client.connection;
    // @moq/lite opens a probe stream by itself on 03+ and feeds the reports into these signals.
    await until(() => conn.recvBandwidth?.peek() === estimate, T, "recvBandwidth to reach our estimate");
    if (version === "moq-lite-04") {
      const rtt = await until(() => conn.rtt?.peek(), T, "an RTT report");
      expect(rtt).toBeGreaterThan(0);
    } else {
      // 03 probe messages carry no RTT.
      expect(conn.rtt?.peek()).toBeUndefined();
    }
  });
});

/**
 * Our server whose transports claim a fixed send-rate estimate, so our probe reports carry a
 * known number instead of a measured rate that depends on traffic.
 */
async function startEstimatingServer(estimate: number) {
  const mux = new TrackMux();
  const sessions: Session[] = [];
  const listener = await listen({
    versions: ["moq-lite-04", "moq-lite-03"],
    legacy: false,
    http3: false,
    onSession: (transport) => {
      const estimating: Transport = {
        ...transport,
        stats: () => ({ ...transport.stats(), estimatedSendRate: estimate }),
      };
      Session.establish(estimating, "server", { mux }).then(
        (s) => sessions.push(s),
        () => {},
      );
    },
  });
  return {
    url: `ws://127.0.0.1:${listener.port}/`,
    async close() {
      for (const s of sessions) s.close();
      await listener.close();
    },
  };
}
