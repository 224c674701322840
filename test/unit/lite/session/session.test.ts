import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../../../main/moq/errors.ts";
import { BroadcastProducer } from "../../../../main/moq/model/broadcast.ts";
import type { Session } from "../../../../main/moq/lite/session/session.ts";
import type { TimedEvent } from "../../../../main/moq/lite/session/events.ts";
import { connectTo, startServer } from "../../../helpers/server.ts";
import type { TestServer } from "../../../helpers/server.ts";
import { str, text, within } from "../../../helpers/wait.ts";

// Our client against our server over real transports on 127.0.0.1, for every version and transport.
const cases = [
  {
    name: "04 over WebSocket",
    url: (s: TestServer) => s.ws,
    versions: ["moq-lite-04"],
    expect: "moq-lite-04",
    transport: "websocket",
  },
  {
    name: "03 over WebSocket",
    url: (s: TestServer) => s.ws,
    versions: ["moq-lite-03"],
    expect: "moq-lite-03",
    transport: "websocket",
  },
  {
    name: "02 (SETUP) over WebSocket",
    url: (s: TestServer) => s.ws,
    versions: [],
    expect: "moq-lite-02",
    transport: "websocket",
  },
  {
    name: "04 over WebTransport/HTTP2",
    url: (s: TestServer) => s.http,
    versions: ["moq-lite-04"],
    expect: "moq-lite-04",
    transport: "webtransport-h2",
  },
  {
    name: "03 over WebTransport/HTTP2",
    url: (s: TestServer) => s.http,
    versions: ["moq-lite-03"],
    expect: "moq-lite-03",
    transport: "webtransport-h2",
  },
] as const;

let server: TestServer | undefined;
const clients: Session[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function setup(c: (typeof cases)[number]) {
  server = await startServer();
  const client = await connectTo(c.url(server), {
    versions: [...c.versions],
    legacy: c.versions.length === 0,
    transport: c.transport === "websocket" ? "websocket" : "webtransport",
  });
  clients.push(client);
  return { server, client };
}

describe.each(cases)("session: $name", (c) => {
  it("negotiates the version and reports the transport", async () => {
    const { client } = await setup(c);
    const state = client.connectionState();
    expect(state.version).toBe(c.expect);
    expect(state.transport).toBe(c.transport);
    expect(state.open).toBe(true);
  });

  it("announces broadcasts as they come and go", async () => {
    const { server, client } = await setup(c);
    const first = server.mux.publishBroadcast("demo/one", new BroadcastProducer());
    const reader = client.announced("demo");
    expect(await within(reader.next(), 5000, "initial announce")).toMatchObject({ path: "demo/one", active: true });
    const second = new BroadcastProducer();
    server.mux.publishBroadcast("demo/two", second);
    server.mux.publishBroadcast("other/three", new BroadcastProducer());
    expect(await within(reader.next(), 5000, "second announce")).toMatchObject({ path: "demo/two", active: true });
    second.close();
    expect(await within(reader.next(), 5000, "ended")).toMatchObject({ path: "demo/two", active: false });
    first.end();
    expect(await within(reader.next(), 5000, "ended")).toMatchObject({ path: "demo/one", active: false });
    reader.close();
  });

  it("delivers frames complete and in order, several subscriptions at once", async () => {
    const { server, client } = await setup(c);
    const received: Record<string, string[][]> = {};
    server.mux.publish("live", async (writer, request) => {
      for (let g = 0; g < 3; g++) {
        const group = writer.openGroup();
        for (let f = 0; f < 5; f++) group.writeFrame(text(`${request.track}:${g}:${f}`));
        group.close();
      }
      writer.close();
    });
    const tracks = ["a", "b", "c", "d"];
    await Promise.all(
      tracks.map(async (t) => {
        const sub = client.subscribe("live", t, { priority: 10, ordered: true });
        const groups: string[][] = [];
        for (;;) {
          const group = await within(sub.nextGroup(), 5000, `group of ${t}`);
          if (!group) break;
          const frames: string[] = [];
          for (let f; (f = await group.readFrame()) !== undefined;) frames.push(str(f)!);
          groups[group.sequence] = frames;
        }
        expect(await sub.closed).toBeUndefined();
        received[t] = groups;
      }),
    );
    for (const t of tracks) {
      expect(received[t]).toEqual([0, 1, 2].map((g) => [0, 1, 2, 3, 4].map((f) => `${t}:${g}:${f}`)));
    }
  });

  it("delivers every group of a burst a handler writes at once", async () => {
    const { server, client } = await setup(c);
    server.mux.publish("burst", (writer) => {
      for (let g = 0; g < 300; g++) {
        const group = writer.openGroup();
        group.writeFrame(text(`g${g}`));
        group.close();
      }
      writer.close();
    });
    const sub = client.subscribe("burst", "t", { ordered: true });
    const seen = new Set<number>();
    for (let g; (g = await within(sub.nextGroup(), 10_000, "group"));) {
      expect(str(await g.readFrame())).toBe(`g${g.sequence}`);
      seen.add(g.sequence);
    }
    expect(seen.size).toBe(300);
  });

  it("starts a late subscriber at the latest group of a shared broadcast", async () => {
    const { server, client } = await setup(c);
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("video");
    server.mux.publishBroadcast("cam", broadcast);
    for (let g = 0; g < 5; g++) {
      const group = track.openGroup();
      group.writeFrame(text(`key ${g}`));
      if (g < 4) group.close();
    }
    const sub = client.subscribe("cam", "video");
    const group = await within(sub.nextGroup(), 5000, "latest group");
    expect(group?.sequence).toBe(4);
    expect(str(await group!.readFrame())).toBe("key 4");
    const next = track.openGroup();
    next.writeFrame(text("key 5"));
    next.close();
    const g5 = await within(sub.nextGroup(), 5000, "next group");
    expect(g5?.sequence).toBe(5);
    sub.close();
  });

  it("ends a subscription with the publisher's reset code", async () => {
    const { server, client } = await setup(c);
    server.mux.publish("errs", async (writer) => {
      const group = writer.openGroup();
      group.writeFrame(text("before"));
      group.close();
      setTimeout(() => writer.closeWithError(64 + 6, "app error"), 50);
    });
    const sub = client.subscribe("errs", "t");
    const g = await within(sub.nextGroup(), 5000, "group");
    expect(str(await g!.readFrame())).toBe("before");
    const end = await within(sub.closed, 5000, "reset");
    expect(end?.code).toBe(70);
  });

  it("refuses an unknown broadcast with code 13 and keeps the session", async () => {
    const { client } = await setup(c);
    const sub = client.subscribe("nobody/here", "t");
    const end = await within(sub.closed, 5000, "refusal");
    expect(end?.code).toBe(ErrorCode.NotFound);
    await expect(sub.nextGroup()).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(client.isClosed).toBe(false);
  });

  it("tells the publisher when everything was read", async () => {
    const { server, client } = await setup(c);
    let delivered: Promise<boolean> | undefined;
    server.mux.publish("acked", async (writer, request) => {
      delivered = request.delivered;
      const g = writer.openGroup();
      g.writeFrame(text("all of it"));
      g.close();
      writer.close();
    });
    const sub = client.subscribe("acked", "t");
    await within(sub.closed, 5000, "end");
    expect(await within(delivered!, 5000, "delivery ack")).toBe(true);
  });

  it("tells the publisher when the subscriber leaves", async () => {
    const { server, client } = await setup(c);
    let resolveEnded!: (v: unknown) => void;
    const ended = new Promise((r) => (resolveEnded = r));
    server.mux.publish("leave", async (writer) => {
      writer.openGroup().writeFrame(text("x"));
      resolveEnded(await writer.closed);
    });
    const sub = client.subscribe("leave", "t");
    await within(sub.nextGroup(), 5000, "group");
    sub.close();
    expect(await within(ended, 5000, "publisher notices")).toMatchObject({ code: ErrorCode.Cancelled });
  });

  it("traces streams, messages, groups and frames", async () => {
    const { server, client } = await setup(c);
    const events: TimedEvent[] = [];
    client.on((e) => events.push(e));
    server.mux.publish("traced", async (writer) => {
      const g = writer.openGroup();
      g.writeFrame(text("abc"));
      g.close();
      writer.close();
    });
    const sub = client.subscribe("traced", "t");
    const group = await within(sub.nextGroup(), 5000, "group");
    while ((await group!.readFrame()) !== undefined);
    await within(sub.closed, 5000, "end");
    const kinds = events.map((e) => (e.type === "message" ? `${e.direction} ${e.name}` : e.type));
    expect(kinds).toContain("sent SUBSCRIBE");
    expect(kinds).toContain("received SUBSCRIBE_OK");
    expect(kinds).toContain("received GROUP");
    expect(events.find((e) => e.type === "frame")).toMatchObject({ direction: "received", size: 3, index: 0 });
    expect(events.some((e) => e.type === "stream-ended" && e.how === "fin")).toBe(true);
    expect(events.every((e) => typeof e.at === "number")).toBe(true);
  });

  it("counts bytes in both directions", async () => {
    const { server, client } = await setup(c);
    server.mux.publish("bytes", async (writer) => {
      const g = writer.openGroup();
      g.writeFrame(new Uint8Array(10_000));
      g.close();
      writer.close();
    });
    const sub = client.subscribe("bytes", "t");
    await within(sub.closed, 5000, "end");
    const stats = client.stats();
    expect(stats.bytesReceived).toBeGreaterThan(10_000);
    expect(stats.bytesSent).toBeGreaterThan(10);
  });

  it("closes with a code the peer sees", async () => {
    const { server, client } = await setup(c);
    const serverSession = server.sessions[0] ?? (await server.nextSession());
    client.closeWithError(64 + 1, "bye now");
    const info = await within(serverSession.closed, 5000, "server sees close");
    expect(info.by).toBe("remote");
    expect(info.code).toBe(65);
  });
});

describe.each(cases.filter((c) => c.expect !== "moq-lite-02"))("probe and fetch: $name", (c) => {
  it("reports the server's send bitrate (and RTT on 04)", async () => {
    const { server, client } = await setup(c);
    server.mux.publish("load", async (writer) => {
      for (let i = 0; i < 20 && !client.isClosed; i++) {
        const g = writer.openGroup();
        g.writeFrame(new Uint8Array(20_000));
        g.close();
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    const sub = client.subscribe("load", "t");
    const probe = client.probe();
    const first = await within(probe.next(), 5000, "first probe report");
    expect(first).toBeDefined();
    let report = first!;
    for (let i = 0; i < 10 && report.bitrate === 0; i++) report = (await within(probe.next(), 5000, "probe report"))!;
    expect(report.bitrate).toBeGreaterThan(0);
    if (c.expect === "moq-lite-04") expect(report.rttMs).toBeGreaterThan(0);
    else expect(report.rttMs).toBe(0);
    probe.close();
    sub.close();
  });

  it("fetches a cached group", async () => {
    const { server, client } = await setup(c);
    const broadcast = new BroadcastProducer();
    const track = broadcast.createTrack("t");
    server.mux.publishBroadcast("past", broadcast);
    for (let g = 0; g < 3; g++) {
      const group = track.openGroup();
      group.writeFrame(text(`g${g}a`));
      group.writeFrame(text(`g${g}b`));
      group.close();
    }
    const reader = client.fetch({ broadcast: "past", track: "t", group: 1 });
    expect(str(await within(reader.readFrame(), 5000, "frame"))).toBe("g1a");
    expect(str(await reader.readFrame())).toBe("g1b");
    expect(await reader.readFrame()).toBeUndefined();
    const missing = client.fetch({ broadcast: "past", track: "t", group: 99 });
    await expect(within(missing.readFrame(), 5000, "refusal")).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
