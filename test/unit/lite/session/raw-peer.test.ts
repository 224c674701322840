import { afterEach, describe, expect, it } from "vitest";
import { Writer } from "../../../../main/moq/coding/writer.ts";
import { StreamReader } from "../../../../main/moq/coding/stream-reader.ts";
import { listen } from "../../../../main/moq/transport/listener.ts";
import type { Listener } from "../../../../main/moq/transport/listener.ts";
import type { Transport } from "../../../../main/moq/transport/types.ts";
import { encodeGroupHeader, encodeFrame } from "../../../../main/moq/lite/wire/group.ts";
import { decodeSubscribe, encodeSubscribeOk } from "../../../../main/moq/lite/wire/subscribe.ts";
import { connectTo } from "../../../helpers/server.ts";
import type { Session } from "../../../../main/moq/lite/session/session.ts";
import { str, text, within } from "../../../helpers/wait.ts";

// A hand-written peer that controls byte order and timing, for behaviour a well-behaved
// implementation never shows.

let listener: Listener | undefined;
let client: Session | undefined;
afterEach(async () => {
  client?.close();
  await listener?.close();
});

async function rawServer(onTransport: (t: Transport) => Promise<void>): Promise<string> {
  listener = await listen({
    versions: ["moq-lite-04"],
    http3: false,
    onSession: (t) => void onTransport(t).catch(() => {}),
  });
  return `ws://127.0.0.1:${listener.port}/`;
}

async function write(stream: WritableStream<Uint8Array>, ...chunks: Uint8Array[]) {
  const w = stream.getWriter();
  for (const c of chunks) await w.write(c);
  w.releaseLock();
}

/** How the other side ended its half of a stream: "fin" or "reset <code>" (bytes before it are skipped). */
async function readToEnd(readable: ReadableStream<Uint8Array>): Promise<string> {
  const reader = readable.getReader();
  try {
    while (!(await reader.read()).done);
    return "fin";
  } catch (err) {
    return `reset ${(err as { streamErrorCode?: number }).streamErrorCode}`;
  }
}

describe("session against a raw peer", () => {
  it("accepts group data that arrives before SUBSCRIBE_OK", async () => {
    // The peer holds SUBSCRIBE_OK back until our client has read the early group.
    let groupRead!: () => void;
    const readEarly = new Promise<void>((resolve) => (groupRead = resolve));
    const url = await rawServer(async (t) => {
      await t.session.ready;
      const incoming = t.session.incomingBidirectionalStreams.getReader();
      const { value: bidi } = await incoming.read();
      const reader = new StreamReader(bidi!.readable);
      expect(await reader.varint()).toBe(2);
      const subscribe = decodeSubscribe(await reader.message(65536), "moq-lite-04");
      // Group first, on its own stream, complete with FIN ...
      const uni = await t.session.createUnidirectionalStream();
      await write(
        uni,
        Uint8Array.of(0),
        encodeGroupHeader({ subscribeId: subscribe.id, sequence: 7 }, "moq-lite-04"),
        encodeFrame(text("early")),
      );
      await uni.close();
      await readEarly;
      // ... then the OK, then FIN the subscription.
      await write(bidi!.writable, encodeSubscribeOk({ priority: 1, ordered: false, maxLatencyMs: 0 }, "moq-lite-04"));
      await bidi!.writable.close();
    });
    client = await connectTo(url, { versions: ["moq-lite-04"], legacy: false, transport: "websocket" });
    const sub = client.subscribe("raw", "t");
    const group = await within(sub.nextGroup(), 5000, "early group");
    expect(group?.sequence).toBe(7);
    expect(str(await within(group!.readFrame(), 5000, "the early frame"))).toBe("early");
    groupRead();
    expect(await within(sub.ok, 5000, "SUBSCRIBE_OK")).toMatchObject({ priority: 1 });
    expect(await within(sub.closed, 5000, "FIN")).toBeUndefined();
  });

  it("resets an unknown bidi stream type with code 10 and stays up", async () => {
    let answered!: (what: { reset: unknown; probe: string }) => void;
    const seen = new Promise<{ reset: unknown; probe: string }>((resolve) => (answered = resolve));
    const url = await rawServer(async (t) => {
      await t.session.ready;
      const bidi = await t.session.createBidirectionalStream();
      await write(bidi.writable, new Writer().varint(0x3f).finish());
      const reset = await readToEnd(bidi.readable);
      // Then a stream it knows: an empty probe stream (type 4, FIN) is complete and gets a FIN back.
      const probe = await t.session.createBidirectionalStream();
      await write(probe.writable, Uint8Array.of(4));
      await probe.writable.close();
      answered({ reset, probe: await readToEnd(probe.readable) });
    });
    client = await connectTo(url, { versions: ["moq-lite-04"], legacy: false, transport: "websocket" });
    expect(await within(seen, 5000, "the client's answers on both streams")).toEqual({
      reset: "reset 10",
      probe: "fin",
    });
    expect(client.isClosed).toBe(false);
  });
});
