// Streams over WebTransport/HTTP2 through the adapter: finished streams are forgotten
// (stream-reaper.ts) and stream capsules cut by a read reach the stream whatever its id
// (capsule-framing.ts). Each workaround also has a test showing the bare package still needs it.

import { afterEach, describe, expect, it } from "vitest";
import type { AdaptedSession } from "../../../main/moq/transport/fails-adapter/index.ts";
import { loadFailsPackage } from "../../../main/moq/transport/fails-adapter/load.ts";
import type { CapsuleParserInternals, FailsClient } from "../../../main/moq/transport/fails-adapter/package-types.ts";
import { guardHttp2StreamClose } from "../../../main/moq/transport/fails-adapter/stream-guard.ts";
import {
  because,
  onCleanup,
  pair,
  runCleanup,
  startAdapterServer,
  type AdapterServer,
} from "./fails-adapter-harness.ts";
import { pattern, readAll, until } from "./helpers.ts";

afterEach(runCleanup);

/** Send `count` small unidirectional streams from `from`, each read to its end by `to`. */
async function sendUniStreams(
  from: { createUnidirectionalStream(): Promise<WritableStream<Uint8Array>> },
  to: AdaptedSession,
  count: number,
) {
  const incoming = to.session.incomingUnidirectionalStreams.getReader();
  try {
    for (let i = 0; i < count; i++) {
      const uni = await from.createUnidirectionalStream();
      const writer = uni.getWriter();
      void writer.write(pattern(100 + i)).then(() => writer.close());
      const { value } = await incoming.read();
      expect((await readAll(value!)).byteLength).toBe(100 + i);
    }
  } finally {
    incoming.releaseLock();
  }
}

/** The package's own client, not adapted: only the close guard, which keeps Node's runaway out of it. */
async function bareClient(server: AdapterServer): Promise<FailsClient> {
  const { mod } = await loadFailsPackage();
  const raw: FailsClient = new mod.WebTransport(`https://127.0.0.1:${server.port}/`, {
    forceReliable: true,
    serverCertificateHashes: [{ algorithm: "sha-256", value: Buffer.from(server.cert.fingerprintHex, "hex") }],
    protocols: ["moq-lite-04"],
    initialSessionFlowControlWindow: 15 * 1024 * 1024,
    sessionFlowControlWindowSizeLimit: 15 * 1024 * 1024,
  });
  raw.closed.catch(() => {});
  await raw.ready;
  guardHttp2StreamClose(raw.sessionint?.objint?.stream);
  onCleanup(() => raw.close());
  return raw;
}

const parserOf = (raw: FailsClient) => raw.sessionint?.objint?.capsParser as CapsuleParserInternals;

describe("finished streams are forgotten (stream-reaper.ts)", () => {
  it("keeps no stream once it ended, on either end, after 300 streams", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    await sendUniStreams(client.session, served.adapted, 300);
    // The sender forgets a stream once its FIN is written, the receiver once the FIN arrived.
    await until(() => (client.trackedStreams!() === 0 ? true : undefined), "the client to forget its streams");
    expect(served.adapted.trackedStreams!()).toBe(0);
  });

  it("is still needed: the bare package keeps every stream it ever sent", async () => {
    const server = await startAdapterServer();
    const arriving = server.next();
    const raw = await bareClient(server);
    const { adapted: peer } = await arriving;
    await sendUniStreams(raw, peer, 50);
    expect(
      parserOf(raw).wtstreams.size,
      because("the package now forgets finished streams itself: stream-reaper.ts can go"),
    ).toBeGreaterThanOrEqual(50);
  });

  it("returns the credit of bidirectional streams the peer opened, so more than the initial limit can be opened one after another", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    const accepting = served.adapted.session.incomingBidirectionalStreams.getReader();
    onCleanup(() => accepting.releaseLock());
    // The package's first MAX_STREAMS for bidirectional streams is 100.
    for (let i = 0; i < 250; i++) {
      const bidi = await client.session.createBidirectionalStream();
      const writer = bidi.writable.getWriter();
      await writer.write(pattern(10));
      await writer.close();
      const { value: accepted } = await accepting.read();
      expect((await readAll(accepted!.readable)).byteLength).toBe(10);
      const answer = accepted!.writable.getWriter();
      await answer.write(pattern(20));
      await answer.close();
      expect((await readAll(bidi.readable)).byteLength).toBe(20);
    }
    await until(() => (served.adapted.trackedStreams!() === 0 ? true : undefined), "the server to forget its streams");
  }, 30_000);

  it("drops bytes that arrive for a stream after we stopped reading it, and gives their credit back", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    const incoming = served.adapted.session.incomingUnidirectionalStreams.getReader();
    onCleanup(() => incoming.releaseLock());
    const uni = await client.session.createUnidirectionalStream();
    const writer = uni.getWriter();
    const chunk = pattern(256 * 1024);
    void writer.write(chunk).catch(() => {});
    const { value: first } = await incoming.read();
    const reader = first!.getReader();
    await reader.read();
    // STOP_SENDING: the server forgets the stream while the client's next writes are already on their way.
    await reader.cancel(5);
    for (let i = 0; i < 8; i++) void writer.write(chunk).catch(() => {});
    await writer.closed.catch(() => {});
    // The late bytes made no new stream: the next one to arrive is the next one sent, whole.
    const next = await client.session.createUnidirectionalStream();
    const nextWriter = next.getWriter();
    // More than the session window in total, so lost credit would stall it.
    const big = pattern(16 * 1024 * 1024);
    void nextWriter.write(big).then(() => nextWriter.close());
    const { value: second } = await incoming.read();
    expect((await readAll(second!)).byteLength).toBe(big.byteLength);
  }, 30_000);
});

describe("stream capsules cut by a read (capsule-framing.ts)", () => {
  // Over HTTP/2 the package numbers the client's streams odd, so id 0 is the server's first
  // bidirectional stream: a relay's first SUBSCRIBE to a publishing client.
  it("reach stream 0 whole: 4 MiB both ways on the server's first bidirectional stream", async () => {
    const server = await startAdapterServer();
    const { client, served } = await pair(server);
    const payload = pattern(4 * 1024 * 1024);
    const bidi = await served.adapted.session.createBidirectionalStream();
    const writer = bidi.writable.getWriter();
    void writer.write(payload).then(() => writer.close());
    const accepting = client.session.incomingBidirectionalStreams.getReader();
    const { value: accepted } = await accepting.read();
    accepting.releaseLock();
    expect(Buffer.from(await readAll(accepted!.readable)).equals(payload)).toBe(true);
    const answer = accepted!.writable.getWriter();
    void answer.write(payload).then(() => answer.close());
    expect(Buffer.from(await readAll(bidi.readable)).equals(payload)).toBe(true);
  }, 30_000);

  it("is still needed: the bare package loses the rest of a cut capsule on stream 0, and the stream stalls", async () => {
    const server = await startAdapterServer();
    const arriving = server.next();
    const raw = await bareClient(server);
    const { adapted: peer } = await arriving;
    const payload = pattern(4 * 1024 * 1024);
    const bidi = await peer.session.createBidirectionalStream();
    const writer = bidi.writable.getWriter();
    void writer
      .write(payload)
      .then(() => writer.close())
      .catch(() => {});
    const accepting = raw.incomingBidirectionalStreams.getReader();
    const { value: accepted } = await accepting.read();
    accepting.releaseLock();
    const received = await bytesWithin(accepted!.readable, 3_000);
    expect(
      received,
      because(
        "the package now continues a cut capsule on stream 0: capsule-framing.ts may go (the reaper still needs whole capsules)",
      ),
    ).toBeLessThan(payload.byteLength);
  }, 30_000);
});

/** How many bytes `readable` delivers before it ends or `ms` pass. */
async function bytesWithin(readable: ReadableStream<Uint8Array>, ms: number): Promise<number> {
  const reader = readable.getReader();
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), ms);
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
    }
  } catch {
    // cancelled or reset: what arrived so far is the answer
  } finally {
    clearTimeout(timer);
  }
  return total;
}
