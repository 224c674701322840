// Stream semantics over every transport the listener serves: data and FIN both ways, reset and
// stop-sending codes, session close, and a 1 MiB transfer (which stalls over HTTP/2 WebTransport
// when its flow-control windows are left at the defaults).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamErrorCode } from "../../../main/moq/errors.ts";
import { connectTransport } from "../../../main/moq/transport/connect.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { nextOf, pattern, readAll, rejectionOf, startServer, str, text, until, type TestServer } from "./helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const dialers: Record<string, (port: number) => Promise<Transport>> = {
  "websocket ws://": (port) =>
    connectTransport(`ws://127.0.0.1:${port}/`, { transport: "websocket", versions: ["moq-lite-04"] }),
  "websocket wss:// (pinned)": (port) =>
    connectTransport(`wss://127.0.0.1:${port}/`, {
      transport: "websocket",
      versions: ["moq-lite-04"],
      fingerprint: server.listener.fingerprint,
    }),
  "webtransport over HTTP/2": (port) =>
    connectTransport(`https://127.0.0.1:${port}/`, {
      transport: "webtransport",
      versions: ["moq-lite-04"],
      fingerprint: server.listener.fingerprint,
    }),
};

describe.each(Object.entries(dialers))("%s", (name, dial) => {
  let client: Transport;
  let peer: Transport;

  beforeAll(async () => {
    const accepted = server.next();
    client = await dial(server.port);
    peer = (await accepted).transport;
    await peer.session.ready;
  });
  afterAll(() => {
    client.dispose();
  });

  it("reports the kind and protocol on both sides", () => {
    expect(client.info.kind).toBe(name.startsWith("webtransport") ? "webtransport-h2" : "websocket");
    expect(client.session.protocol).toBe("moq-lite-04");
    expect(peer.session.protocol).toBe("moq-lite-04");
    expect(peer.info.kind).toBe(client.info.kind);
  });

  it("echoes 1 MiB on a bidirectional stream and sees FIN both ways", async () => {
    const payload = pattern(1024 * 1024);
    const bidi = await client.session.createBidirectionalStream();
    const echoed = (async () => {
      const incoming = await nextOf(peer.session.incomingBidirectionalStreams);
      const got = await readAll(incoming.readable); // resolves only on FIN
      const w = incoming.writable.getWriter();
      await w.write(got);
      await w.close();
      return got.byteLength;
    })();
    // Read while writing: flow control stops the echo if nobody drains it.
    const backPromise = readAll(bidi.readable);
    const w = bidi.writable.getWriter();
    await w.write(payload);
    await w.close();
    expect(await echoed).toBe(payload.byteLength);
    const back = await backPromise;
    expect(back.byteLength).toBe(payload.byteLength);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(payload))).toBe(0);
  });

  it("carries unidirectional streams both ways", async () => {
    const up = await client.session.createUnidirectionalStream();
    const upWriter = up.getWriter();
    await upWriter.write(text("to server"));
    await upWriter.close();
    const atPeer = await nextOf(peer.session.incomingUnidirectionalStreams);
    expect(str(await readAll(atPeer))).toBe("to server");

    const down = await peer.session.createUnidirectionalStream();
    const downWriter = down.getWriter();
    await downWriter.write(text("to client"));
    await downWriter.close();
    const atClient = await nextOf(client.session.incomingUnidirectionalStreams);
    expect(str(await readAll(atClient))).toBe("to client");
  });

  it("delivers RESET_STREAM code 13 to the peer", async () => {
    const bidi = await client.session.createBidirectionalStream();
    const w = bidi.writable.getWriter();
    await w.write(text("partial"));
    const incoming = await nextOf(peer.session.incomingBidirectionalStreams);
    await w.abort(client.streamError(13));
    const err = await rejectionOf(readAll(incoming.readable));
    expect(streamErrorCode(err)).toBe(13);
  });

  it("delivers STOP_SENDING code 7 to the peer", async () => {
    const bidi = await client.session.createBidirectionalStream();
    const w = bidi.writable.getWriter();
    await w.write(text("first"));
    const incoming = await nextOf(peer.session.incomingBidirectionalStreams);
    await incoming.readable.cancel(peer.streamError(7));
    const err = await rejectionOf(w.closed);
    expect(streamErrorCode(err)).toBe(7);
  });

  it("opens streams from the server side too", async () => {
    const bidi = await peer.session.createBidirectionalStream();
    const w = bidi.writable.getWriter();
    await w.write(text("ping"));
    await w.close();
    const incoming = await nextOf(client.session.incomingBidirectionalStreams);
    expect(str(await readAll(incoming.readable))).toBe("ping");
  });

  it("delivers the session close code and reason", async () => {
    client.session.close({ closeCode: 42, reason: "done here" });
    const info = (await peer.session.closed) as { closeCode?: number; reason?: string };
    expect(info.closeCode).toBe(42);
    expect(info.reason).toBe("done here");
  });
});

describe("round-trip time", () => {
  it("is measured over WebSocket by ping/pong", async () => {
    const accepted = server.next();
    const client = await dialers["websocket ws://"]!(server.port);
    const { transport: peer } = await accepted;
    const rtt = await until(() => client.stats().smoothedRttMs, "a client RTT sample");
    expect(rtt).toBeGreaterThan(0);
    const peerRtt = await until(() => peer.stats().smoothedRttMs, "a server RTT sample");
    expect(peerRtt).toBeGreaterThan(0);
    client.session.close();
    client.dispose();
  });

  it("is measured over WebTransport/HTTP2 by HTTP/2 PING", async () => {
    const accepted = server.next();
    const client = await dialers["webtransport over HTTP/2"]!(server.port);
    const { transport: peer } = await accepted;
    expect(await until(() => client.stats().smoothedRttMs, "a client RTT sample")).toBeGreaterThan(0);
    expect(await until(() => peer.stats().smoothedRttMs, "a server RTT sample")).toBeGreaterThan(0);
    client.session.close();
    client.dispose();
  });
});
