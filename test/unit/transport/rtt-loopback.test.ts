// RTT over real transports on 127.0.0.1: a 0.1 ms path must read as one (well under 5 ms) within
// two seconds of the session being up, on both ends, for WebSocket (ws ping/pong) and WebTransport
// over HTTP/2 (HTTP/2 PING); and a closed session leaves no ping timer or ping in flight behind.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Relay } from "../../../main/moq/relay/relay.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { RttPinger } from "../../../main/moq/transport/rtt.ts";
import { connectTo, startServer, type TestServer } from "../../helpers/server.ts";
import { within } from "../../helpers/wait.ts";

/** Generous for a loopback path; the old estimator read 7-20 ms here for seconds. */
const LOOPBACK_BOUND_MS = 5;

const transports = [
  { name: "WebSocket", transport: "websocket", url: (port: number) => `ws://127.0.0.1:${port}/`, kind: "websocket" },
  {
    name: "WebTransport over HTTP/2",
    transport: "webtransport",
    url: (port: number) => `http://127.0.0.1:${port}/`,
    kind: "webtransport-h2",
  },
] as const;

/** Poll `read` each 20 ms until it returns a value; fails naming `what` after `ms`. */
function until<T>(read: () => T | undefined, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setInterval> | undefined;
  const found = new Promise<T>((resolve) => {
    const check = () => {
      const v = read();
      if (v !== undefined) resolve(v);
    };
    timer = setInterval(check, 20);
    check();
  });
  return within(found, ms, what).finally(() => clearInterval(timer));
}

function pingerOf(session: Session): RttPinger {
  const pinger = (session.transport as { pinger?: RttPinger }).pinger;
  if (!pinger) throw new Error(`the ${session.transport.info.kind} transport measures no RTT of its own`);
  return pinger;
}

/** Resolves with the stats once both the smoothed RTT and the latest sample are under the bound. */
async function loopbackRtt(session: Session) {
  // Event-driven start: the first sample after setup; then 2 s for the estimate to read right.
  await until(() => session.stats().rttMs, 10_000, "a first RTT sample");
  return until(
    () => {
      const s = session.stats();
      return s.rttMs !== undefined &&
        s.rttLatestMs !== undefined &&
        s.rttMs < LOOPBACK_BOUND_MS &&
        s.rttLatestMs < LOOPBACK_BOUND_MS
        ? s
        : undefined;
    },
    2_000,
    `the RTT to read under ${LOOPBACK_BOUND_MS} ms on loopback (now ${JSON.stringify(session.stats())})`,
  );
}

describe("loopback RTT against our relay", () => {
  let relay: Relay;
  const clients: Session[] = [];
  beforeAll(async () => {
    relay = await Relay.start({ http3: false, onLog: () => {} });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await relay.close();
  });

  for (const t of transports) {
    it(`${t.name}: smoothed and latest RTT under ${LOOPBACK_BOUND_MS} ms within 2 s`, { timeout: 30_000 }, async () => {
      const client = await connectTo(t.url(relay.port), { transport: t.transport });
      clients.push(client);
      expect(client.connectionState().transport).toBe(t.kind);
      const s = await loopbackRtt(client);
      expect(s.rttMs).toBeGreaterThan(0);
      expect(s.rttLatestMs).toBeGreaterThan(0);
    });

    it(`${t.name}: a closed session leaves no ping timer or ping in flight`, { timeout: 30_000 }, async () => {
      const client = await connectTo(t.url(relay.port), { transport: t.transport });
      const pinger = pingerOf(client);
      await until(() => client.stats().rttLatestMs, 10_000, "a first RTT sample");
      expect(pinger.pending).toBe(true);
      client.close();
      await client.closed;
      // A ping in flight at close answers or fails with the connection; nothing is scheduled after.
      await until(() => (pinger.pending ? undefined : true), 10_000, "the pinger to go idle after close");
      expect(pinger.pending).toBe(false);
    });
  }
});

describe("loopback RTT on the server's end", () => {
  let server: TestServer;
  const sessions: Session[] = [];
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const s of sessions) s.close();
    await server.close();
  });

  for (const t of transports) {
    it(
      `${t.name}: the server's session reads under ${LOOPBACK_BOUND_MS} ms within 2 s`,
      { timeout: 30_000 },
      async () => {
        const accepted = server.nextSession();
        sessions.push(await connectTo(t.url(server.listener.port), { transport: t.transport }));
        const serverSession = await within(accepted, 10_000, "the server session");
        sessions.push(serverSession);
        await loopbackRtt(serverSession);
      },
    );

    it(`${t.name}: the server's pinger goes idle when the client leaves`, { timeout: 30_000 }, async () => {
      const accepted = server.nextSession();
      const client = await connectTo(t.url(server.listener.port), { transport: t.transport });
      const serverSession = await within(accepted, 10_000, "the server session");
      const pinger = pingerOf(serverSession);
      await until(() => serverSession.stats().rttLatestMs, 10_000, "a first RTT sample on the server");
      client.close();
      await within(serverSession.closed, 10_000, "the server session to close");
      await until(() => (pinger.pending ? undefined : true), 10_000, "the server's pinger to go idle");
    });
  }
});
