import { afterEach, describe, expect, it } from "vitest";
import { Writer } from "../../../main/moq/coding/writer.ts";
import { StreamReader } from "../../../main/moq/coding/stream-reader.ts";
import { listen } from "../../../main/moq/transport/listener.ts";
import type { Listener } from "../../../main/moq/transport/listener.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { encodeGroupHeader, encodeFrame } from "../../../main/moq/wire/group.ts";
import { decodeSubscribe, encodeSubscribeOk } from "../../../main/moq/wire/subscribe.ts";
import { connectTo } from "../../helpers/server.ts";
import type { Session } from "../../../main/moq/session/session.ts";
import { str, text, within } from "../../helpers/wait.ts";

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

describe("session against a raw peer", () => {
  it("accepts group data that arrives before SUBSCRIBE_OK", async () => {
    const url = await rawServer(async (t) => {
      await t.session.ready;
      const incoming = t.session.incomingBidirectionalStreams.getReader();
      const { value: bidi } = await incoming.read();
      const reader = new StreamReader(bidi!.readable);
      expect(await reader.varint()).toBe(2);
      const subscribe = decodeSubscribe(await reader.message(65536), "moq-lite-04");
      // Group first, on its own stream, complete with FIN ...
      const uni = await t.session.createUnidirectionalStream();
      await write(uni, Uint8Array.of(0), encodeGroupHeader({ subscribeId: subscribe.id, sequence: 7 }, "moq-lite-04"), encodeFrame(text("early")));
      await uni.close();
      await new Promise((r) => setTimeout(r, 100));
      // ... then the OK, then FIN the subscription.
      await write(bidi!.writable, encodeSubscribeOk({ priority: 1, ordered: false, maxLatencyMs: 0 }, "moq-lite-04"));
      await bidi!.writable.close();
    });
    client = await connectTo(url, { versions: ["moq-lite-04"], legacy: false, transport: "websocket" });
    const sub = client.subscribe("raw", "t");
    const group = await within(sub.nextGroup(), 5000, "early group");
    expect(group?.sequence).toBe(7);
    expect(str(await group!.readFrame())).toBe("early");
    expect(await within(sub.ok, 5000, "SUBSCRIBE_OK")).toMatchObject({ priority: 1 });
    expect(await within(sub.closed, 5000, "FIN")).toBeUndefined();
  });

  it("resets an unknown bidi stream type with code 10 and stays up", async () => {
    let code: unknown;
    const url = await rawServer(async (t) => {
      await t.session.ready;
      const bidi = await t.session.createBidirectionalStream();
      await write(bidi.writable, new Writer().varint(0x3f).finish());
      try {
        await bidi.readable.getReader().read();
      } catch (err) {
        code = (err as { streamErrorCode?: number }).streamErrorCode;
      }
    });
    client = await connectTo(url, { versions: ["moq-lite-04"], legacy: false, transport: "websocket" });
    await within(
      (async () => {
        while (code === undefined) await new Promise((r) => setTimeout(r, 20));
      })(),
      5000,
      "reset of the unknown stream",
    );
    expect(code).toBe(10);
    expect(client.isClosed).toBe(false);
  });
});
