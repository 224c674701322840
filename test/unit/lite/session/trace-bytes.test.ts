// The trace accounts for every byte: summed over a session's events, the bytes sent and received
// equal what went through the transport's streams (counted by a tap underneath the session), and
// each message and frame is counted the same on the side that wrote it and the side that read it.

import { afterEach, describe, expect, it } from "vitest";
import { BroadcastProducer } from "../../../../main/moq/model/broadcast.ts";
import { TrackMux } from "../../../../main/moq/mux.ts";
import type { TimedEvent } from "../../../../main/moq/lite/session/events.ts";
import { Session } from "../../../../main/moq/lite/session/session.ts";
import { connectTransport } from "../../../../main/moq/transport/connect.ts";
import { startServer, type TestServer } from "../../transport/helpers.ts";
import { within } from "../../../helpers/wait.ts";
import { tapTransport, type WireTap } from "./wire-tap.ts";

const cases = [
  { name: "04 over WebSocket", scheme: "ws", versions: ["moq-lite-04"], transport: "websocket", probe: true },
  { name: "03 over WebSocket", scheme: "ws", versions: ["moq-lite-03"], transport: "websocket", probe: true },
  {
    name: "04 over WebTransport/HTTP2",
    scheme: "http",
    versions: ["moq-lite-04"],
    transport: "webtransport",
    probe: true,
  },
  {
    name: "03 over WebTransport/HTTP2",
    scheme: "http",
    versions: ["moq-lite-03"],
    transport: "webtransport",
    probe: true,
  },
  { name: "02 (SETUP) over WebSocket", scheme: "ws", versions: [], transport: "websocket", probe: false },
] as const;

// Payload sizes on both sides of every varint-length boundary and of the publisher's 16 KiB
// split between one write and two.
const FRAME_SIZES = [0, 1, 63, 64, 16_383, 16_384, 16_385, 70_000];

let server: TestServer | undefined;
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  await server?.close();
  server = undefined;
});

/** One side of the connection: its session, the tap under it, and every event from the first. */
interface Side {
  session: Session;
  tap: WireTap;
  events: TimedEvent[];
}

async function connectPair(c: (typeof cases)[number], serverMux: TrackMux): Promise<{ client: Side; server: Side }> {
  server = await startServer({ legacy: true, http3: false });
  const accepted = server.next();
  const inner = await connectTransport(`${c.scheme}://127.0.0.1:${server.port}/`, {
    transport: c.transport,
    versions: [...c.versions],
    legacy: c.versions.length === 0,
    timeoutMs: 10_000,
  });
  const clientEvents: TimedEvent[] = [];
  const serverEvents: TimedEvent[] = [];
  const clientTap = tapTransport(inner);
  const clientSession = Session.establish(clientTap.transport, "client", { onEvent: (e) => clientEvents.push(e) });
  const serverTap = tapTransport((await accepted).transport);
  const serverSession = await Session.establish(serverTap.transport, "server", {
    mux: serverMux,
    onEvent: (e) => serverEvents.push(e),
  });
  sessions.push(serverSession, await clientSession);
  return {
    client: { session: await clientSession, tap: clientTap, events: clientEvents },
    server: { session: serverSession, tap: serverTap, events: serverEvents },
  };
}

/** Bytes an event accounts for, by direction. */
function bytesOf(e: TimedEvent): { sent: number; received: number } {
  const n = "bytes" in e && typeof e.bytes === "number" ? e.bytes : 0;
  switch (e.type) {
    case "message":
    case "frame":
      return e.direction === "sent" ? { sent: n, received: 0 } : { sent: 0, received: n };
    case "stream-opened":
      return e.initiator === "local" ? { sent: n, received: 0 } : { sent: 0, received: n };
    case "stream-ended":
      return e.half === "send" ? { sent: n, received: 0 } : { sent: 0, received: n };
    default:
      return { sent: 0, received: 0 };
  }
}

function totals(events: TimedEvent[]): { sent: number; received: number } {
  const sum = { sent: 0, received: 0 };
  for (const e of events) {
    const b = bytesOf(e);
    sum.sent += b.sent;
    sum.received += b.received;
  }
  return sum;
}

/** Bytes per message name (frames as "frame"), in one direction. */
function byName(events: TimedEvent[], direction: "sent" | "received"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    if ((e.type !== "message" && e.type !== "frame") || e.direction !== direction) continue;
    const key = e.type === "frame" ? "frame" : e.name;
    out[key] = (out[key] ?? 0) + bytesOf(e)[direction];
  }
  return out;
}

/**
 * Resolves once every stream this side saw (the long-lived legacy setup stream aside) has ended
 * in each direction it carries. Checked on each event, so no polling.
 */
function quiet(side: Side): Promise<void> {
  const isQuiet = () => {
    const open = new Map<number, Set<"send" | "recv">>();
    for (const e of side.events) {
      if (e.type === "stream-opened" && e.kind !== "setup-compat") {
        const halves = new Set<"send" | "recv">();
        if (e.dir === "bidi" || e.initiator === "local") halves.add("send");
        if (e.dir === "bidi" || e.initiator === "remote") halves.add("recv");
        open.set(e.stream, halves);
      } else if (e.type === "stream-ended") {
        open.get(e.stream)?.delete(e.half);
      }
    }
    return [...open.values()].every((halves) => halves.size === 0);
  };
  if (isQuiet()) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = side.session.on(() => {
      if (!isQuiet()) return;
      stop();
      resolve();
    });
  });
}

describe.each(cases)("trace bytes: $name", (c) => {
  it("every byte on the wire is in exactly one event, counted alike on both ends", async () => {
    const mux = new TrackMux();
    let go!: () => void;
    const updated = new Promise<void>((resolve) => (go = resolve));
    mux.publish("live", async (writer) => {
      await updated;
      for (let g = 0; g < 3; g++) {
        const group = writer.openGroup();
        for (const size of FRAME_SIZES) group.writeFrame(new Uint8Array(size).fill(g));
        group.close();
      }
      writer.close();
    });
    const past = new BroadcastProducer();
    const pastTrack = past.createTrack("t");
    const cached = pastTrack.openGroup();
    for (const size of FRAME_SIZES) cached.writeFrame(new Uint8Array(size));
    cached.close();
    mux.publishBroadcast("past", past);

    const { client, server } = await connectPair(c, mux);

    const announced = client.session.announced("");
    const paths = new Set<string>();
    while (paths.size < 2) {
      const change = await within(announced.next(), 5000, "announcements");
      if (change?.active) paths.add(change.path);
    }
    announced.close();

    const sub = client.session.subscribe("live", "t", { ordered: true });
    await within(sub.ok, 5000, "SUBSCRIBE_OK");
    await sub.update({ ordered: true, priority: 7 });
    go();
    let frames = 0;
    for (let g; (g = await within(sub.nextGroup(), 5000, "group"));)
      while ((await g.readFrame()) !== undefined) frames++;
    expect(frames).toBe(3 * FRAME_SIZES.length);
    expect(await sub.closed).toBeUndefined();

    if (c.probe) {
      const probe = client.session.probe();
      expect(await within(probe.next(), 5000, "a probe report")).toBeDefined();
      probe.close();
      const fetched = client.session.fetch({ broadcast: "past", track: "t", group: 0 });
      let n = 0;
      while ((await within(fetched.readFrame(), 5000, "fetched frame")) !== undefined) n++;
      expect(n).toBe(FRAME_SIZES.length);
    }

    await within(Promise.all([quiet(client), quiet(server)]), 10_000, "every stream to end on both sides");

    for (const side of [client, server]) {
      const traced = totals(side.events);
      expect(traced.sent, `${side.session.role}: bytes sent`).toBe(side.tap.written());
      expect(traced.received, `${side.session.role}: bytes received`).toBe(side.tap.read());
      const stats = side.session.stats();
      expect({ sent: stats.bytesSent, received: stats.bytesReceived }).toEqual({
        sent: side.tap.written(),
        received: side.tap.read(),
      });
    }
    expect(client.tap.written()).toBe(server.tap.read());
    expect(server.tap.written()).toBe(client.tap.read());
    expect(byName(client.events, "sent")).toEqual(byName(server.events, "received"));
    expect(byName(server.events, "sent")).toEqual(byName(client.events, "received"));
  });
});
