// Tearing things down in awkward orders, over real sockets: a client closing right after it
// connected, the server closing its session and then the listener at once (what a relay does on
// exit), both ends closing in the same tick, the listener closing while a client is mid-handshake.
// None of these may crash the process or leave listener.close() pending. Each order runs several
// times: the failures this guards against depended on which close frame was still in flight.

import { afterEach, describe, expect, it } from "vitest";
import { connectTransport } from "../../../main/moq/transport/connect.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { startServer, type TestServer } from "./helpers.ts";

const VERSIONS = ["moq-lite-04", "moq-lite-03"];
const ROUNDS = 4;
// Generous: only a hang should ever reach these.
const CLOSE_DEADLINE_MS = 5_000;
const SETTLE_DEADLINE_MS = 5_000;

interface Pair {
  server: TestServer;
  client: Transport;
  accepted: Transport;
}

type Dialect = "webtransport" | "websocket" | "secure websocket";
const DIALECTS: Dialect[] = ["webtransport", "websocket", "secure websocket"];

function urlFor(dialect: Dialect, server: TestServer): string {
  const where = `127.0.0.1:${server.port}/`;
  if (dialect === "webtransport") return `https://${where}`;
  return dialect === "websocket" ? `ws://${where}` : `wss://${where}`;
}

async function dial(dialect: Dialect, server: TestServer, timeoutMs = 5_000): Promise<Transport> {
  const t = await connectTransport(urlFor(dialect, server), {
    transport: dialect === "webtransport" ? "webtransport" : "websocket",
    versions: VERSIONS,
    fingerprint: server.listener.fingerprint,
    timeoutMs,
  });
  cleanup.push(() => {
    t.session.close();
    t.dispose();
  });
  return t;
}

async function connected(dialect: Dialect): Promise<Pair> {
  const server = await startServer({ versions: VERSIONS, http3: false });
  cleanup.push(() => server.close());
  const next = server.next();
  const client = await dial(dialect, server);
  const { transport: accepted } = await next;
  return { server, client, accepted };
}

/** Resolves when `p` settles either way; rejects if it has not after `ms`. */
async function settles(p: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([
      p.then(
        () => {},
        () => {},
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  const steps = cleanup.reverse();
  cleanup = [];
  for (const step of steps) await Promise.resolve(step()).catch(() => {});
});

describe.each(DIALECTS)("shutdown over %s", (dialect) => {
  it("client closes right after connecting, then the server closes its session and the listener", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { server, client, accepted } = await connected(dialect);
      client.session.close({ closeCode: 0, reason: "bye" });
      accepted.session.close({ closeCode: 0, reason: "bye too" });
      await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
      await settles(client.session.closed, SETTLE_DEADLINE_MS, "client session closed");
      await settles(accepted.session.closed, SETTLE_DEADLINE_MS, "server session closed");
    }
  });

  it("client closes after a tick, then the listener closes at once", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { server, client, accepted } = await connected(dialect);
      await tick();
      client.session.close();
      await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
      await settles(accepted.session.closed, SETTLE_DEADLINE_MS, "server session closed");
    }
  });

  it("server closes its session twice and the listener right after a client connects", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { server, client, accepted } = await connected(dialect);
      accepted.session.close({ closeCode: 0, reason: "going away" });
      accepted.session.close({ closeCode: 0, reason: "going away" });
      await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
      await settles(client.session.closed, SETTLE_DEADLINE_MS, "client session closed");
    }
  });

  it("listener closes right after a client connects, with nobody closing a session first", async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const { server, client } = await connected(dialect);
      await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
      await settles(client.session.closed, SETTLE_DEADLINE_MS, "client session closed");
    }
  });

  it("both ends close in the same tick while the listener keeps serving", async () => {
    const server = await startServer({ versions: VERSIONS, http3: false });
    cleanup.push(() => server.close());
    for (let i = 0; i < ROUNDS; i++) {
      const next = server.next();
      const client = await dial(dialect, server);
      const { transport: accepted } = await next;
      client.session.close({ closeCode: 0, reason: "client done" });
      accepted.session.close({ closeCode: 0, reason: "server done" });
      await settles(client.session.closed, SETTLE_DEADLINE_MS, "client session closed");
      await settles(accepted.session.closed, SETTLE_DEADLINE_MS, "server session closed");
      // Let whatever the two closes left behind run before the next round dials.
      await new Promise((r) => setTimeout(r, 20));
    }
    // The listener is still healthy afterwards.
    const next = server.next();
    const client = await dial(dialect, server);
    const { transport: accepted } = await next;
    expect(client.session.protocol).toBe("moq-lite-04");
    expect(accepted.session.protocol).toBe("moq-lite-04");
    await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
  });

  it("listener closes while a client is still in its handshake", async () => {
    // A different moment of the handshake each round (TCP, TLS, HTTP/2 settings, CONNECT, upgrade).
    for (let i = 0; i < 8; i++) {
      const server = await startServer({ versions: VERSIONS, http3: false });
      cleanup.push(() => server.close());
      // A handshake deadline far beyond the one below: the client must notice the server leaving,
      // not give up on its own.
      const dialing = dial(dialect, server, 30_000);
      dialing.catch(() => {});
      await new Promise((r) => setTimeout(r, i * 2));
      await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
      // Either the handshake fails, or it completed and the server's close reaches the session.
      const outcome = dialing.then(
        (t) =>
          t.session.closed.then(
            () => "closed",
            () => "closed",
          ),
        () => "refused",
      );
      await settles(outcome, SETTLE_DEADLINE_MS, "the client to see the server go");
      expect(["closed", "refused"]).toContain(await outcome);
    }
  });

  it("listener.close() called twice resolves both times", async () => {
    const { server } = await connected(dialect);
    const first = server.close();
    const second = server.close();
    await settles(Promise.all([first, second]), CLOSE_DEADLINE_MS, "both listener.close() calls");
  });
});

describe("WebTransport close while data is in flight", () => {
  it("both ends close right after the server queued megabytes on a stream", async () => {
    const server = await startServer({ versions: VERSIONS, http3: false });
    cleanup.push(() => server.close());
    for (let i = 0; i < ROUNDS; i++) {
      const next = server.next();
      const client = await dial("webtransport", server);
      const { transport: accepted } = await next;
      const uni = await accepted.session.createUnidirectionalStream();
      const writer = uni.getWriter();
      for (let k = 0; k < 8; k++) writer.write(new Uint8Array(1024 * 1024)).catch(() => {});
      await tick();
      accepted.session.close({ closeCode: 0, reason: "server done" });
      client.session.close({ closeCode: 0, reason: "client done" });
      await settles(client.session.closed, SETTLE_DEADLINE_MS, "client session closed");
      await settles(accepted.session.closed, SETTLE_DEADLINE_MS, "server session closed");
    }
    await settles(server.close(), CLOSE_DEADLINE_MS, "listener.close()");
  });
});
