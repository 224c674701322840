import { toPath } from "../../../../main/moq/model/path.ts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../../main/moq/coding/limits.ts";
import { StreamReader } from "../../../../main/moq/coding/stream-reader.ts";
import { encodeVarint } from "../../../../main/moq/coding/varint.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import * as W from "../../../../main/moq/lite/wire/index.ts";
import { arbs, concat, hex, split } from "./helpers.ts";

// Messages arrive in arbitrary transport chunks (§3.7): the same bytes split anywhere must decode
// to the same messages.

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

/** Read an Announce response stream (04): ANNOUNCE × n until FIN. */
async function readAnnounces(readable: ReadableStream<Uint8Array>, version: W.Version): Promise<W.Announce[]> {
  const r = new StreamReader(readable);
  const out: W.Announce[] = [];
  for (;;) {
    const body = await r.messageOrEnd(DEFAULT_LIMITS.maxMessageBytes, "ANNOUNCE");
    if (body === undefined) return out;
    out.push(W.decodeAnnounce(body, version));
  }
}

/** Read a whole group stream: type, GROUP, frames until FIN. */
async function readGroupStream(
  readable: ReadableStream<Uint8Array>,
): Promise<{ header: W.GroupHeader; frames: Uint8Array[] }> {
  const r = new StreamReader(readable);
  expect(await r.varint("stream type")).toBe(W.UniStreamType.Group);
  const header = W.decodeGroupHeader(await r.message(DEFAULT_LIMITS.maxMessageBytes, "GROUP"), "moq-lite-04");
  const frames: Uint8Array[] = [];
  for (;;) {
    const frame = await r.messageOrEnd(DEFAULT_LIMITS.maxFrameBytes, "FRAME");
    if (frame === undefined) return { header, frames };
    frames.push(frame.slice());
  }
}

/** Read the subscriber's view of a 03/04 subscribe stream: typed responses until FIN. */
async function readResponses(readable: ReadableStream<Uint8Array>, version: W.Version): Promise<W.SubscribeResponse[]> {
  const r = new StreamReader(readable);
  const out: W.SubscribeResponse[] = [];
  for (;;) {
    const type = await r.varintOrEnd("response type");
    if (type === undefined) return out;
    out.push(W.decodeSubscribeResponse(type, await r.message(DEFAULT_LIMITS.maxMessageBytes), version));
  }
}

describe("StreamReader with chunked input", () => {
  const announces: W.Announce[] = [
    { active: true, suffix: toPath("cam"), hops: [] },
    { active: true, suffix: toPath("room/alice"), hops: [7, 300, 123456789] },
    { active: false, suffix: toPath("cam"), hops: [] },
  ];
  const announceBytes = concat(...announces.map((a) => W.encodeAnnounce(a, "moq-lite-04")));

  it("decodes the same announces at every single split position", async () => {
    for (let i = 0; i <= announceBytes.length; i++) {
      expect(await readAnnounces(streamOf([announceBytes.slice(0, i), announceBytes.slice(i)]), "moq-lite-04")).toEqual(
        announces,
      );
    }
  });

  it("decodes the same announces one byte at a time", async () => {
    const bytes = Array.from(announceBytes, (b) => Uint8Array.of(b));
    expect(await readAnnounces(streamOf(bytes), "moq-lite-04")).toEqual(announces);
  });

  it("decodes the §8.1 group stream at every split position", async () => {
    const live = hex("00 02 00 00 01 41 02 42 43");
    for (let i = 0; i <= live.length; i++) {
      const { header, frames } = await readGroupStream(streamOf([live.slice(0, i), live.slice(i)]));
      expect(header).toEqual({ subscribeId: 0, sequence: 0 });
      expect(frames).toEqual([hex("41"), hex("42 43")]);
    }
  });

  it("decodes typed subscribe responses at every split position", async () => {
    const bytes = hex("00 06 02 01 43 e8 2b 00 01 03 05 07 00");
    const expected = [
      { type: "ok", ok: { priority: 2, ordered: true, maxLatencyMs: 1000, startGroup: 42, endGroup: undefined } },
      { type: "drop", drop: { startGroup: 5, endGroup: 7, errorCode: 0 } },
    ];
    for (let i = 0; i <= bytes.length; i++) {
      expect(await readResponses(streamOf([bytes.slice(0, i), bytes.slice(i)]), "moq-lite-04")).toEqual(expected);
    }
  });

  it("reads the 01/02 SETUP exchange with its 16-bit length at every split position", async () => {
    const wire = hex(
      "21 00 1b c0 00 00 00 ff 0d ad 02 02 02 80 00 a4 55 07 0b 6d 6f 71 2d 6c 69 74 65 2d 6a 73 04 80 0f 42 40",
    );
    for (let i = 0; i <= wire.length; i++) {
      const r = new StreamReader(streamOf([wire.slice(0, i), wire.slice(i)]));
      expect(await r.varint()).toBe(W.SERVER_SETUP_TYPE);
      const setup = W.decodeServerSetup(await r.exact(await r.u16()));
      expect(W.versionFromCode(setup.version)).toBe("moq-lite-02");
      expect(W.decodeSessionUpdate(await r.message(64), "moq-lite-02")).toEqual({ bitrate: 1_000_000 });
      expect(await r.done()).toBe(true);
    }
  });

  it("any sequence of messages, split anywhere, decodes the same (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbs.subscribe, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("moq-lite-01", "moq-lite-02", "moq-lite-03", "moq-lite-04") as fc.Arbitrary<W.Version>,
        fc.array(fc.nat(), { maxLength: 8 }),
        async (msgs, version, cuts) => {
          const bytes = concat(...msgs.map((m) => W.encodeSubscribe(m, version)));
          const r = new StreamReader(streamOf(splitAt(bytes, cuts)));
          const got: W.Subscribe[] = [];
          for (let body; (body = await r.messageOrEnd(1 << 20)) !== undefined;)
            got.push(W.decodeSubscribe(body, version));
          // The same messages decoded one by one from unsplit bytes.
          const expected = msgs.map((m) =>
            W.decodeSubscribe(split(W.encodeSubscribe(m, version), "length").body, version),
          );
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("StreamReader at the edges", () => {
  it("FIN inside a message is a DecodeError; FIN at a boundary is a clean end", async () => {
    const r1 = new StreamReader(streamOf([hex("05 01 02")]));
    await expect(r1.messageOrEnd(64)).rejects.toThrow(DecodeError);
    const r2 = new StreamReader(streamOf([hex("40")]));
    await expect(r2.messageOrEnd(64)).rejects.toThrow(DecodeError);
    const r3 = new StreamReader(streamOf([hex("01 07")]));
    expect(await r3.messageOrEnd(64)).toEqual(hex("07"));
    expect(await r3.messageOrEnd(64)).toBeUndefined();
  });

  it.each([
    ["just above the limit", encodeVarint(DEFAULT_LIMITS.maxMessageBytes + 1)],
    ["2^40", encodeVarint(2 ** 40)],
    ["2^53-1", encodeVarint(Number.MAX_SAFE_INTEGER)],
    ["2^62-1", encodeVarint((1n << 62n) - 1n)],
  ])("a length of %s is refused before any body is read or allocated", async (_name, lengthBytes) => {
    // The stream never ends and never offers more than the length: a reader that tried to wait
    // for (or allocate) the body would hang here instead of rejecting.
    let pulls = 0;
    const readable = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          if (pulls === 1) controller.enqueue(lengthBytes);
          // Later pulls are left pending forever.
        },
      },
      { highWaterMark: 0 },
    );
    const r = new StreamReader(readable);
    await expect(r.messageOrEnd(DEFAULT_LIMITS.maxMessageBytes, "ANNOUNCE")).rejects.toThrow(DecodeError);
    expect(pulls).toBe(1);
  });
});
