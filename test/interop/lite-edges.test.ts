// Corners of interop with @moq/lite, for moq-lite-03 and -04: unsubscribing from either side,
// priorities, hop lists, prefix boundaries, many streams, big sequence numbers, GOAWAY,
// SUBSCRIBE_UPDATE, probe targets, and closing the session from either side.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ErrorCode } from "../../main/moq/errors.ts";
import { BroadcastProducer } from "../../main/moq/model/broadcast.ts";
import type { EndInfo } from "../../main/moq/model/types.ts";
import type { Session } from "../../main/moq/lite/session/session.ts";
import { connectTo, startServer } from "../helpers/server.ts";
import type { TestServer } from "../helpers/server.ts";
import { str, text, within } from "../helpers/wait.ts";
import { VERSIONS, captureConsole, until } from "./fixtures.ts";
import { Moq, connectLite, readLiteGroup, startLiteServer } from "./lite-peer.ts";
import type { LiteClient, LiteServer, LiteVersion } from "./lite-peer.ts";

const T = 20_000;

let server: TestServer | undefined;
let lite: LiteServer | undefined;
const liteClients: LiteClient[] = [];
const ourClients: Session[] = [];

beforeEach(() => captureConsole());
afterEach(async () => {
  for (const c of liteClients.splice(0)) c.close();
  for (const c of ourClients.splice(0)) c.close();
  await server?.close();
  await lite?.close();
  server = undefined;
  lite = undefined;
  vi.restoreAllMocks();
});

/** @moq/lite client → our server. */
async function theirClient(version: LiteVersion) {
  server = await startServer();
  const client = await connectLite(server.ws, { version });
  liteClients.push(client);
  const ours = await until(() => server!.sessions[0], T, "our server session");
  return { server, conn: client.connection, ours };
}

/** Our client → @moq/lite server. */
async function theirServer(version: LiteVersion) {
  lite = await startLiteServer({ version, estimatedSendRate: 1_000_000 });
  const client = await connectTo(lite.url, { versions: [version], legacy: false, transport: "websocket" });
  ourClients.push(client);
  const theirs = await within(lite.nextConnection(), T, "their connection");
  return { lite, client, theirs };
}

function serve(broadcast: Moq.Broadcast, handler: (track: Moq.Track, priority: number) => void | Promise<void>): void {
  void (async () => {
    for (let r; (r = await broadcast.requested());) void Promise.resolve(handler(r.track, r.priority)).catch(() => {});
  })().catch(() => {});
}

describe.each(VERSIONS)("interop corners with @moq/lite, %s", (version) => {
  it("their unsubscribe ends our handler's writer and reports nothing delivered", async () => {
    const { server, conn } = await theirClient(version);
    let ended: Promise<EndInfo | undefined> | undefined;
    let delivered: Promise<boolean> | undefined;
    server.mux.publish("edge/unsub", (writer, request) => {
      ended = writer.closed;
      delivered = request.delivered;
      const g = writer.openGroup();
      g.writeFrame(text("only one"));
      g.close();
    });
    const track = conn.consume(Moq.Path.from("edge/unsub")).subscribe("t", 1);
    const group = await within(track.recvGroup(), T, "a group");
    expect(str((await readLiteGroup(group!))[0])).toBe("only one");
    track.close();
    // Boxed: awaiting `until` would otherwise wait for the promise itself, without a deadline.
    const [writerClosed] = await until(() => ended && ([ended] as const), T, "our handler to run");
    const end = await within(writerClosed, T, "our writer to end");
    // The subscriber went away: the track was cancelled, not finished.
    expect(end).toMatchObject({ code: ErrorCode.Cancelled });
    expect(await within(delivered!, T, "delivered")).toBe(false);
  });

  it("our unsubscribe ends their track", async () => {
    const { lite, client } = await theirServer(version);
    const broadcast = new Moq.Broadcast();
    lite.publish("edge/unsub", broadcast);
    let theirs: Moq.Track | undefined;
    serve(broadcast, (track) => {
      theirs = track;
      track.writeString("hello");
    });
    const sub = client.subscribe("edge/unsub", "t");
    const g = await within(sub.nextGroup(), T, "a group");
    expect(str(await g!.readFrame())).toBe("hello");
    sub.close();
    expect(await within(sub.closed, T, "our end")).toBeUndefined();
    const track = await until(() => theirs, T, "their track");
    // @moq/lite closes the publisher's track cleanly when the subscriber FINs.
    expect(await within(track.closed, T, "their track to close")).toBeUndefined();
  });

  it("carries the subscription priority both ways", async () => {
    const { lite, client } = await theirServer(version);
    const broadcast = new Moq.Broadcast();
    lite.publish("edge/prio", broadcast);
    const priorities: number[] = [];
    serve(broadcast, (track, priority) => {
      priorities.push(priority);
      track.close();
    });
    const sub = client.subscribe("edge/prio", "t", { priority: 201 });
    expect((await within(sub.ok, T, "SUBSCRIBE_OK")).priority).toBe(201);
    await within(sub.closed, T, "end");
    expect(priorities).toEqual([201]);

    const other = await theirClient(version);
    let seen: number | undefined;
    other.server.mux.publish("edge/prio", (writer, request) => {
      seen = request.priority;
      writer.close();
    });
    const track = other.conn.consume(Moq.Path.from("edge/prio")).subscribe("t", 42);
    expect(await within(track.recvGroup(), T, "end")).toBeUndefined();
    expect(seen).toBe(42);
  });

  it("keeps the announce stream in step when our announcements carry hops", async () => {
    const { server, conn } = await theirClient(version);
    const announced = conn.announced(Moq.Path.from(""));
    const a = new BroadcastProducer();
    server.mux.publishBroadcast("hop/one", a, [11, 22, 33]);
    expect(await within(announced.next(), T, "hop/one")).toEqual({ path: "hop/one", active: true });
    server.mux.publishBroadcast("hop/two", new BroadcastProducer(), [1_000_000]);
    expect(await within(announced.next(), T, "hop/two")).toEqual({ path: "hop/two", active: true });
    a.close();
    expect(await within(announced.next(), T, "end of hop/one")).toEqual({ path: "hop/one", active: false });
  });

  it("handles a prefix equal to the broadcast path and respects segment boundaries (their client)", async () => {
    const { server, conn } = await theirClient(version);
    server.mux.publishBroadcast("room", new BroadcastProducer());
    server.mux.publishBroadcast("roomy/x", new BroadcastProducer());
    server.mux.publishBroadcast("room/a", new BroadcastProducer());
    const announced = conn.announced(Moq.Path.from("room"));
    const got = [await within(announced.next(), T, "first"), await within(announced.next(), T, "second")];
    expect(got.map((g) => g?.path).sort()).toEqual(["room", "room/a"]);
    // Nothing else is pending: roomy/x is not under room.
    server.mux.publishBroadcast("room/b", new BroadcastProducer());
    expect(await within(announced.next(), T, "room/b")).toEqual({ path: "room/b", active: true });
  });

  it("handles a prefix equal to the broadcast path and respects segment boundaries (our client)", async () => {
    const { lite, client } = await theirServer(version);
    lite.publish("room", new Moq.Broadcast());
    lite.publish("roomy/x", new Moq.Broadcast());
    lite.publish("room/a", new Moq.Broadcast());
    const announced = client.announced("room");
    const got = [await within(announced.next(), T, "first"), await within(announced.next(), T, "second")];
    expect(got.map((g) => g?.path).sort()).toEqual(["room", "room/a"]);
    lite.publish("room/b", new Moq.Broadcast());
    expect(await within(announced.next(), T, "room/b")).toMatchObject({ path: "room/b", active: true });
  });

  it("delivers hundreds of groups and several tracks at once to their client", async () => {
    const { server, conn } = await theirClient(version);
    const GROUPS = 300;
    const names = ["t0", "t1", "t2", "t3", "t4", "t5"];
    const broadcast = new BroadcastProducer();
    // Written faster than they are sent: the cache must hold them all, or a lagging sender skips
    // ahead (mux.publish handlers get the default 4-group cache).
    const tracks = names.map((n) => broadcast.createTrack(n, { maxCachedGroups: GROUPS }));
    server.mux.publishBroadcast("edge/many", broadcast);
    const complete = new Map<string, number>(names.map((n) => [n, 0]));
    const reading = names.map(async (name) => {
      const track = conn.consume(Moq.Path.from("edge/many")).subscribe(name, 1);
      const seen = new Map<number, string[]>();
      for (;;) {
        const group = await within(track.recvGroup(), T, `${name}: next group`);
        if (!group) break;
        seen.set(
          group.sequence,
          (await readLiteGroup(group)).map((f) => str(f)!),
        );
        complete.set(name, complete.get(name)! + 1);
      }
      return { name, seen };
    });
    await until(() => tracks.every((t) => t.consumerCount > 0), T, "every subscription served");
    for (let g = 0; g < GROUPS; g++) {
      for (const t of tracks) {
        const group = t.openGroup();
        group.writeFrame(text(`${t.name}/${g}/a`));
        group.writeFrame(text(`${t.name}/${g}/b`));
        group.close();
      }
    }
    // End only after everything was read: @moq/lite cuts short any group it has not finished
    // reading when the subscription's FIN arrives, even if the bytes are already there.
    await until(() => [...complete.values()].every((n) => n === GROUPS), T, "every group read");
    broadcast.close();
    for (const { name, seen } of await Promise.all(reading)) {
      expect(seen.size, name).toBe(GROUPS);
      for (let g = 0; g < GROUPS; g++)
        expect(seen.get(g), `${name} group ${g}`).toEqual([`${name}/${g}/a`, `${name}/${g}/b`]);
    }
  });

  it("receives hundreds of groups from their server", async () => {
    const { lite, client } = await theirServer(version);
    const GROUPS = 300;
    const broadcast = new Moq.Broadcast();
    lite.publish("edge/many", broadcast);
    serve(broadcast, (track) => {
      for (let g = 0; g < GROUPS; g++) {
        const group = track.appendGroup();
        group.writeString(`${g}/a`);
        group.writeString(`${g}/b`);
        group.close();
      }
      track.close();
    });
    const sub = client.subscribe("edge/many", "t", { maxCachedGroups: GROUPS });
    const seen = new Map<number, string[]>();
    for (;;) {
      const group = await within(sub.nextGroup(), T, "next group");
      if (!group) break;
      const frames: string[] = [];
      for (let f; (f = await group.readFrame()) !== undefined;) frames.push(str(f)!);
      seen.set(group.sequence, frames);
    }
    expect(await sub.closed).toBeUndefined();
    expect(seen.size).toBe(GROUPS);
    for (let g = 0; g < GROUPS; g++) expect(seen.get(g), `group ${g}`).toEqual([`${g}/a`, `${g}/b`]);
  });

  it("carries large group sequence numbers to their client", async () => {
    const { server, conn } = await theirClient(version);
    const big = 2 ** 40 + 7;
    server.mux.publish("edge/big", (writer) => {
      const g = writer.openGroup(big);
      g.writeFrame(text("far"));
      g.close();
      writer.close();
    });
    const track = conn.consume(Moq.Path.from("edge/big")).subscribe("t", 1);
    const group = await within(track.recvGroup(), T, "the group");
    expect(group?.sequence).toBe(big);
    expect(str((await readLiteGroup(group!))[0])).toBe("far");
  });

  it("sends GOAWAY on 04 only; @moq/lite keeps the session usable after it", async () => {
    const { server, conn, ours } = await theirClient(version);
    if (version === "moq-lite-04") {
      await within(ours.goAway("ws://127.0.0.1:1/elsewhere"), T, "GOAWAY sent");
    } else {
      await expect(ours.goAway("")).rejects.toMatchObject({ code: ErrorCode.Unsupported });
    }
    // @moq/lite only logs a GOAWAY; data still flows.
    server.mux.publish("edge/after-goaway", (writer) => {
      const g = writer.openGroup();
      g.writeFrame(text("still here"));
      g.close();
      writer.close();
    });
    const track = conn.consume(Moq.Path.from("edge/after-goaway")).subscribe("t", 1);
    const group = await within(track.recvGroup(), T, "a group after GOAWAY");
    expect(str((await readLiteGroup(group!))[0])).toBe("still here");
    expect(ours.isClosed).toBe(false);
  });

  it("survives SUBSCRIBE_UPDATE, which @moq/lite ignores", async () => {
    const { lite, client } = await theirServer(version);
    const broadcast = new Moq.Broadcast();
    lite.publish("edge/update", broadcast);
    let theirs: Moq.Track | undefined;
    serve(broadcast, (track) => {
      theirs = track;
    });
    const sub = client.subscribe("edge/update", "t", { priority: 1 });
    await within(sub.ok, T, "SUBSCRIBE_OK");
    await sub.update({ priority: 250, ordered: true });
    const track = await until(() => theirs, T, "their track");
    track.writeString("after the update");
    const g = await within(sub.nextGroup(), T, "a group after the update");
    expect(str(await g!.readFrame())).toBe("after the update");
    expect(sub.active).toBe(true);
    expect(client.isClosed).toBe(false);
  });

  it("gets probe reports after asking for a target bitrate", async () => {
    const { client } = await theirServer(version);
    const probe = client.probe(8_000_000);
    expect(await within(probe.next(), T, "a report")).toMatchObject({ bitrate: 1_000_000 });
    probe.close();
  });

  it("their close ends our server session as remote; our close ends their connection", async () => {
    const a = await theirClient(version);
    liteClients.splice(0)[0]!.close();
    const info = await within(a.ours.closed, T, "our server session to close");
    expect(info).toMatchObject({ by: "remote", code: 0 });

    const b = await theirServer(version);
    b.client.close();
    // @moq/lite's `closed` settles (rejecting with "Connection closed: 0" from qmux) once we close.
    const settled = await within(
      b.theirs.closed.then(
        () => "resolved",
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      ),
      T,
      "their connection to close",
    );
    expect(settled === "resolved" || /closed/i.test(settled)).toBe(true);
  });

  it("lets two of their subscriptions to one track share our broadcast", async () => {
    const { server, conn } = await theirClient(version);
    const broadcast = new BroadcastProducer();
    const video = broadcast.createTrack("video");
    server.mux.publishBroadcast("edge/shared", broadcast);
    const one = conn.consume(Moq.Path.from("edge/shared")).subscribe("video", 1);
    const two = conn.consume(Moq.Path.from("edge/shared")).subscribe("video", 2);
    await until(() => video.consumerCount >= 2, T, "both subscriptions served");
    const g = video.openGroup();
    g.writeFrame(text("to both"));
    g.close();
    for (const track of [one, two]) {
      const group = await within(track.recvGroup(), T, "the shared group");
      expect(str((await readLiteGroup(group!))[0])).toBe("to both");
    }
    broadcast.close();
    expect(await within(one.recvGroup(), T, "end of one")).toBeUndefined();
    expect(await within(two.recvGroup(), T, "end of two")).toBeUndefined();
  });

  it("carries empty groups and a 1 MiB frame both ways", async () => {
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 13 + (i >> 10)) & 0xff);
    // Ours to their client.
    const a = await theirClient(version);
    a.server.mux.publish("edge/sizes", (writer) => {
      writer.openGroup().close();
      const g = writer.openGroup();
      g.writeFrame(big);
      g.close();
      writer.openGroup().close();
    });
    const track = a.conn.consume(Moq.Path.from("edge/sizes")).subscribe("t", 1);
    const theirView = new Map<number, Uint8Array[]>();
    while (theirView.size < 3) {
      const group = await within(track.recvGroup(), T, "a group");
      theirView.set(group!.sequence, await within(readLiteGroup(group!), T, "its frames"));
    }
    expect([...theirView.entries()].sort(([x], [y]) => x - y).map(([, f]) => f.map((x) => x.length))).toEqual([
      [],
      [big.length],
      [],
    ]);
    expect(Buffer.from(theirView.get(1)![0]!).equals(Buffer.from(big))).toBe(true);

    // Theirs to our client.
    const b = await theirServer(version);
    const broadcast = new Moq.Broadcast();
    b.lite.publish("edge/sizes", broadcast);
    serve(broadcast, (t) => {
      t.appendGroup().close();
      const g = t.appendGroup();
      g.writeFrame(big);
      g.close();
      t.appendGroup().close();
    });
    const sub = b.client.subscribe("edge/sizes", "t");
    const ourView = new Map<number, Uint8Array[]>();
    while (ourView.size < 3) {
      const group = await within(sub.nextGroup(), T, "a group");
      const frames: Uint8Array[] = [];
      for (let f; (f = await within(group!.readFrame(), T, "a frame")) !== undefined;) frames.push(f);
      ourView.set(group!.sequence, frames);
    }
    expect([...ourView.entries()].sort(([x], [y]) => x - y).map(([, f]) => f.map((x) => x.length))).toEqual([
      [],
      [big.length],
      [],
    ]);
    expect(Buffer.from(ourView.get(1)![0]!).equals(Buffer.from(big))).toBe(true);
  });

  it("refuses their subscription to a track our broadcast lacks with code 13", async () => {
    const { server, conn } = await theirClient(version);
    const broadcast = new BroadcastProducer();
    broadcast.createTrack("exists");
    server.mux.publishBroadcast("edge/tracks", broadcast);
    const track = conn.consume(Moq.Path.from("edge/tracks")).subscribe("missing", 1);
    await expect(within(track.recvGroup(), T, "refusal")).rejects.toMatchObject({
      streamErrorCode: ErrorCode.NotFound,
    });
  });

  it("sees our broadcast re-announced after it ended", async () => {
    const { server, conn } = await theirClient(version);
    const announced = conn.announced(Moq.Path.from(""));
    const first = server.mux.publish("edge/again", (w) => w.close());
    expect(await within(announced.next(), T, "first")).toEqual({ path: "edge/again", active: true });
    first.end();
    expect(await within(announced.next(), T, "ended")).toEqual({ path: "edge/again", active: false });
    server.mux.publish("edge/again", (w) => w.close());
    expect(await within(announced.next(), T, "again")).toEqual({ path: "edge/again", active: true });
  });

  it("fails to connect, with a readable error, when we offer only the other version", async () => {
    lite = await startLiteServer({ version });
    const other = version === "moq-lite-04" ? "moq-lite-03" : "moq-lite-04";
    const failed = await connectTo(lite.url, {
      versions: [other],
      legacy: false,
      transport: "websocket",
      timeoutMs: 10_000,
    }).then(
      (s) => {
        ourClients.push(s);
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(Error);
    // Names what we offered, so a user sees the version mismatch.
    expect((failed as Error).message).toContain(other);
    expect(lite.connections).toHaveLength(0);
  });
});
