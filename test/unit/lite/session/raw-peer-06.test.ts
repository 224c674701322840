// A hand-written moq-lite-06 publisher, for what a well-behaved one never does: 06 makes
// SUBSCRIBE_END exclusive ("no group from N on"), so an END at or below a group already
// received, or a group at or after the END, ends that track with ProtocolViolation. The session
// goes on: the next subscription on it still works.

import { afterEach, describe, expect, it } from "vitest";
import { StreamReader } from "../../../../main/moq/coding/stream-reader.ts";
import { ErrorCode } from "../../../../main/moq/errors.ts";
import type { Session } from "../../../../main/moq/lite/session/session.ts";
import { encodeGroupHeader } from "../../../../main/moq/lite/wire/group.ts";
import { decodeSubscribe, encodeSubscribeEnd, encodeSubscribeStart } from "../../../../main/moq/lite/wire/subscribe.ts";
import { encodeTrackInfo } from "../../../../main/moq/lite/wire/track.ts";
import { listen } from "../../../../main/moq/transport/listener.ts";
import type { Listener } from "../../../../main/moq/transport/listener.ts";
import type { BidiStream, Transport } from "../../../../main/moq/transport/types.ts";
import { connectTo } from "../../../helpers/server.ts";
import { within } from "../../../helpers/wait.ts";

const V = "moq-lite-06";
const T = 5000;
let listener: Listener | undefined;
let client: Session | undefined;
afterEach(async () => {
  client?.close();
  await listener?.close();
});

async function write(stream: WritableStream<Uint8Array>, ...chunks: Uint8Array[]): Promise<void> {
  const w = stream.getWriter();
  for (const c of chunks) await w.write(c);
  w.releaseLock();
}

/** Per SUBSCRIBE: the script for what the publisher then sends, given the subscription id. */
type Script = (t: Transport, subscribe: BidiStream, id: number) => Promise<void>;

/** A 06 publisher that answers TRACK with a millisecond timescale and each SUBSCRIBE with the next script. */
async function rawPublisher(scripts: Script[]): Promise<string> {
  listener = await listen({
    versions: [V],
    http3: false,
    onSession: (t) =>
      void (async () => {
        await t.session.ready;
        const setup = await t.session.createUnidirectionalStream();
        await write(setup, Uint8Array.of(0x01, 0x01, 0x00)); // an empty SETUP
        await setup.close();
        const incoming = t.session.incomingBidirectionalStreams.getReader();
        for (;;) {
          const { value: bidi, done } = await incoming.read();
          if (done) return;
          const reader = new StreamReader(bidi.readable);
          const type = await reader.varint();
          const body = await reader.message(65536);
          if (type === 0x6) {
            await write(
              bidi.writable,
              encodeTrackInfo({ priority: 0, ordered: false, maxLatencyMs: 0, timescale: 1000 }, V),
            );
            await bidi.writable.close();
          } else if (type === 0x2) {
            const { id } = decodeSubscribe(body, V);
            void scripts.shift()?.(t, bidi, id);
          }
        }
      })().catch(() => {}),
  });
  return `ws://127.0.0.1:${listener.port}/`;
}

/** An empty group `sequence` on its own stream. */
async function group(t: Transport, id: number, sequence: number): Promise<void> {
  const uni = await t.session.createUnidirectionalStream();
  await write(uni, Uint8Array.of(0x00), encodeGroupHeader({ subscribeId: id, sequence }, V));
  await uni.close();
}

/** A well-behaved one: group 0, then END 1. */
const fine: Script = async (t, sub, id) => {
  await write(sub.writable, encodeSubscribeStart(0, V));
  await group(t, id, 0);
  await write(sub.writable, encodeSubscribeEnd(1, V));
  await sub.writable.close();
};

describe("moq-lite-06 SUBSCRIBE_END is exclusive", () => {
  it("an END at or below a group already received ends the track with ProtocolViolation, not the session", async () => {
    const url = await rawPublisher([
      async (t, sub, id) => {
        await write(sub.writable, encodeSubscribeStart(5, V));
        await group(t, id, 5);
        await new Promise((r) => setTimeout(r, 100)); // let the group arrive first
        await write(sub.writable, encodeSubscribeEnd(5, V)); // inclusive, as 05 peers wrote it
      },
      fine,
    ]);
    client = await connectTo(url, { versions: [V], legacy: false, transport: "websocket" });
    const bad = client.subscribe("raw", "t");
    expect((await within(bad.nextGroup(), T, "group 5"))?.sequence).toBe(5);
    const info = await within(bad.closed, T, "the track's end");
    expect(info).toMatchObject({ code: ErrorCode.ProtocolViolation });
    expect(info?.reason).toMatch(/no group from 5 on, but group 5 already came/);
    expect(client.isClosed).toBe(false);
    // The session is fine: the next subscription ends cleanly.
    const good = client.subscribe("raw", "t");
    expect((await within(good.nextGroup(), T, "group 0"))?.sequence).toBe(0);
    expect(await within(good.closed, T, "the clean end")).toBeUndefined();
  });

  it("a group at or after the END ends the track with ProtocolViolation", async () => {
    const url = await rawPublisher([
      async (t, sub, id) => {
        await write(sub.writable, encodeSubscribeStart(0, V), encodeSubscribeEnd(3, V));
        await new Promise((r) => setTimeout(r, 100)); // let the END arrive first
        await group(t, id, 3);
      },
    ]);
    client = await connectTo(url, { versions: [V], legacy: false, transport: "websocket" });
    const sub = client.subscribe("raw", "t");
    const info = await within(sub.closed, T, "the track's end");
    expect(info).toMatchObject({ code: ErrorCode.ProtocolViolation });
    expect(info?.reason).toMatch(/group 3 came after SUBSCRIBE_END said no group from 3 on/);
    expect(client.isClosed).toBe(false);
  });
});
