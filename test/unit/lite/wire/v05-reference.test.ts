// moq-lite-05 messages against the reference: @moq/net 0.3.4's own encoders (its internal lite/
// modules, loaded by file) write the same messages, and every byte must match ours, both ways.
// The spec's hand-derived vectors (spec §14) are checked here too.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as W from "../../../../main/moq/lite/wire/index.ts";
import { toPath } from "../../../../main/moq/model/path.ts";
import * as NetAnnounce from "../../../../node_modules/@moq/net/lite/announce.js";
import * as NetGroup from "../../../../node_modules/@moq/net/lite/group.js";
import * as NetSetup from "../../../../node_modules/@moq/net/lite/setup.js";
import * as NetSubscribe from "../../../../node_modules/@moq/net/lite/subscribe.js";
import * as NetTrack from "../../../../node_modules/@moq/net/lite/track.js";
import { Version as NetVersion } from "../../../../node_modules/@moq/net/lite/version.js";
import { Datagram as NetDatagram } from "../../../../node_modules/@moq/net/lite/datagram.js";
import { Writer as NetWriter } from "../../../../node_modules/@moq/net/stream.js";
import type { Valid as NetPath } from "../../../../node_modules/@moq/net/path.js";
import { arbs, concat, hex, toHex, varintNumber } from "./helpers.ts";

const V = "moq-lite-05" as const;
const NET_05 = NetVersion.DRAFT_05;

/** What @moq/net writes to a stream when `write` runs. */
async function netBytes(write: (w: NetWriter) => Promise<void>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const sink = new WritableStream<Uint8Array>({
    write(chunk) {
      chunks.push(chunk.slice());
    },
  });
  const w = new NetWriter(sink);
  await write(w);
  w.close();
  await w.closed;
  return concat(...chunks);
}

const netPath = (p: string) => p as NetPath;
const RUNS = { numRuns: 150 };

describe("moq-lite-05 encodings equal @moq/net 0.3.4's", () => {
  it("SETUP (the Setup stream's message)", async () => {
    await fc.assert(
      fc.asyncProperty(arbs.sessionSetup, async (m) => {
        const theirs = await netBytes((w) =>
          new NetSetup.Setup({
            probe: m.probe as NetSetup.ProbeLevel,
            path: m.path,
            role: m.role as NetSetup.Role,
          }).encode(w, NET_05),
        );
        // 06's Cost and Hop are left out: @moq/net's 05 encoder has no fields for them.
        const ours = W.encodeSessionSetup({ probe: m.probe, path: m.path, role: m.role }, V);
        expect(toHex(ours)).toBe(toHex(theirs));
      }),
      RUNS,
    );
  });

  it("ANNOUNCE_REQUEST, ANNOUNCE_OK and ANNOUNCE", async () => {
    await fc.assert(
      fc.asyncProperty(arbs.announceInterest, arbs.announceOk, arbs.announce, async (interest, ok, announce) => {
        const request = await netBytes((w) =>
          new NetAnnounce.AnnounceRequest(netPath(interest.prefix), BigInt(interest.excludeHop)).encode(w, NET_05),
        );
        expect(toHex(W.encodeAnnounceInterest(interest, V))).toBe(toHex(request));
        const okBytes = await netBytes((w) =>
          new NetAnnounce.AnnounceOk(BigInt(ok.hop) as never, ok.activeCount).encode(w, NET_05),
        );
        expect(toHex(W.encodeAnnounceOk(ok, V))).toBe(toHex(okBytes));
        const msg = announce.active
          ? { status: "active" as const, suffix: netPath(announce.suffix), hops: announce.hops.map((h) => BigInt(h)) }
          : { status: "ended" as const, suffix: netPath(announce.suffix) };
        const theirs = await netBytes((w) => NetAnnounce.encodeAnnounceBroadcast(w, msg as never, NET_05));
        // An `ended` carries no hops in @moq/net; ours writes what it is given.
        const ours = W.encodeAnnounce(announce.active ? announce : { ...announce, hops: [] }, V);
        expect(toHex(ours)).toBe(toHex(theirs));
      }),
      RUNS,
    );
  });

  it("TRACK and TRACK_INFO", async () => {
    await fc.assert(
      fc.asyncProperty(arbs.trackRequest, arbs.trackInfo, async (request, info) => {
        const theirs = await netBytes((w) =>
          new NetTrack.Track(netPath(request.broadcast), request.track).encode(w, NET_05),
        );
        expect(toHex(W.encodeTrackRequest(request, V))).toBe(toHex(theirs));
        const infoBytes = await netBytes((w) =>
          new NetTrack.TrackInfo({
            priority: info.priority,
            ordered: info.ordered,
            latencyMax: info.maxLatencyMs,
            timescale: info.timescale,
          }).encode(w, NET_05),
        );
        expect(toHex(W.encodeTrackInfo(info, V))).toBe(toHex(infoBytes));
        expect(W.decodeTrackInfo(infoBytes.subarray(lengthPrefix(infoBytes)), V)).toEqual(info);
      }),
      RUNS,
    );
  });

  it("SUBSCRIBE, SUBSCRIBE_UPDATE and the typed responses START, END, DROP", async () => {
    await fc.assert(
      fc.asyncProperty(arbs.subscribe, varintNumber, arbs.subscribeDrop, async (sub, group, drop) => {
        const theirs = await netBytes((w) =>
          new NetSubscribe.Subscribe({
            id: BigInt(sub.id),
            broadcast: netPath(sub.broadcast),
            track: sub.track,
            priority: sub.priority,
            ordered: sub.ordered,
            maxLatency: sub.maxLatencyMs,
            startGroup: sub.startGroup,
            endGroup: sub.endGroup,
          } as never).encode(w, NET_05),
        );
        expect(toHex(W.encodeSubscribe(sub, V))).toBe(toHex(theirs));
        const update = await netBytes((w) =>
          new NetSubscribe.SubscribeUpdate({
            priority: sub.priority,
            ordered: sub.ordered,
            maxLatency: sub.maxLatencyMs,
            startGroup: sub.startGroup,
            endGroup: sub.endGroup,
          }).encode(w, NET_05),
        );
        expect(toHex(W.encodeSubscribeUpdate(sub, V))).toBe(toHex(update));
        const start = await netBytes((w) =>
          NetSubscribe.encodeSubscribeResponse(w, { start: new NetSubscribe.SubscribeStart(group) } as never, NET_05),
        );
        expect(toHex(W.encodeSubscribeStart(group, V))).toBe(toHex(start));
        const end = await netBytes((w) =>
          NetSubscribe.encodeSubscribeResponse(w, { end: new NetSubscribe.SubscribeEnd(group) } as never, NET_05),
        );
        expect(toHex(W.encodeSubscribeEnd(group, V))).toBe(toHex(end));
        const dropped = await netBytes((w) =>
          NetSubscribe.encodeSubscribeResponse(
            w,
            {
              drop: new NetSubscribe.SubscribeDrop({
                start: drop.startGroup,
                end: drop.endGroup,
                error: drop.errorCode,
              }),
            } as never,
            NET_05,
          ),
        );
        expect(toHex(W.encodeSubscribeDrop(drop, V))).toBe(toHex(dropped));
      }),
      RUNS,
    );
  });

  it("GROUP, and a datagram", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbs.groupHeader,
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.uint8Array({ maxLength: 64 }),
        async (header, timestamp, payload) => {
          const theirs = await netBytes((w) =>
            new NetGroup.Group(BigInt(header.subscribeId), header.sequence).encode(w),
          );
          expect(toHex(W.encodeGroupHeader(header, V))).toBe(toHex(theirs));
          const small = { subscribeId: header.subscribeId % 1000, sequence: header.sequence % 100_000 };
          const datagram = new NetDatagram(BigInt(small.subscribeId), small.sequence, timestamp, payload).encode();
          const ours = W.encodeDatagram({ ...small, timestamp, payload }, V);
          expect(toHex(ours)).toBe(toHex(datagram));
          expect(W.decodeDatagram(datagram, V)).toEqual({ ...small, timestamp, payload });
        },
      ),
      RUNS,
    );
  });

  it("decodes what @moq/net writes", async () => {
    const setup = await netBytes((w) => new NetSetup.Setup({ probe: 2, path: "/room?jwt=x" }).encode(w, NET_05));
    expect(W.decodeSessionSetup(setup.subarray(1), V)).toEqual({
      probe: 2,
      path: "/room?jwt=x",
      role: 0,
      unknown: new Map(),
    });
    const ok = await netBytes((w) => new NetAnnounce.AnnounceOk(42n as never, 3).encode(w, NET_05));
    expect(W.decodeAnnounceOk(ok.subarray(1), V)).toEqual({ hop: 42, activeCount: 3 });
    const track = await netBytes((w) => new NetTrack.Track(netPath("demo"), "video").encode(w, NET_05));
    expect(W.decodeTrackRequest(track.subarray(1), V)).toEqual({ broadcast: toPath("demo"), track: "video" });
  });
});

/** Bytes taken by the length prefix at the start of `message`. */
function lengthPrefix(message: Uint8Array): number {
  return 1 << (message[0]! >> 6);
}

describe("moq-lite-05 vectors (spec §14)", () => {
  it("SETUP: empty, Probe=1, and Probe=2 with a path", () => {
    const none = { probe: 0, role: 0 } as const;
    expect(toHex(W.encodeSessionSetup(none, V))).toBe("01 00");
    expect(toHex(W.encodeSessionSetup({ ...none, probe: 1 }, V))).toBe("04 01 01 01 01");
    expect(toHex(W.encodeSessionSetup({ probe: 2, path: "/room?jwt=x", role: 0 }, V))).toBe(
      toHex(hex("11 02 01 01 02 02 0b 2f 72 6f 6f 6d 3f 6a 77 74 3d 78")),
    );
  });

  it("SETUP decoding: unknown ids kept aside, a repeated id and a non-varint value refused", () => {
    expect(W.decodeSessionSetup(hex("01 09 01 ff"), V).unknown.get(9)).toEqual(hex("ff"));
    expect(() => W.decodeSessionSetup(hex("02 01 01 01 01 01 01"), V)).toThrow(/appears twice/);
    expect(() => W.decodeSessionSetup(hex("01 01 02 01 01"), V)).toThrow(/exactly one varint/);
    // A future probe level reads as the highest we know; an unknown role as "both".
    expect(W.decodeSessionSetup(hex("02 01 01 07 03 01 09"), V)).toMatchObject({ probe: 2, role: 0 });
    expect(() => W.decodeSessionSetup(hex("00"), "moq-lite-04")).toThrow(/does not exist in moq-lite-04/);
  });

  it("ANNOUNCE_OK, ANNOUNCE (with restart), TRACK, TRACK_INFO", () => {
    expect(toHex(W.encodeAnnounceOk({ hop: 42, activeCount: 1 }, V))).toBe("02 2a 01");
    expect(toHex(W.encodeAnnounce({ active: true, suffix: toPath("room1"), hops: [] }, V))).toBe(
      "08 01 05 72 6f 6f 6d 31 00",
    );
    expect(W.decodeAnnounce(hex("02 05 72 6f 6f 6d 31 00"), V)).toEqual({
      active: true,
      suffix: toPath("room1"),
      hops: [],
      restart: true,
    });
    expect(() => W.decodeAnnounce(hex("03 05 72 6f 6f 6d 31 00"), V)).toThrow(/announce status 3/);
    expect(() => W.decodeAnnounce(hex("02 05 72 6f 6f 6d 31 00"), "moq-lite-04")).toThrow();
    expect(toHex(W.encodeTrackRequest({ broadcast: toPath("demo"), track: "video" }, V))).toBe(
      "0b 04 64 65 6d 6f 05 76 69 64 65 6f",
    );
    const info = { priority: 2, ordered: false, maxLatencyMs: 5000, timescale: 1000 };
    expect(toHex(W.encodeTrackInfo(info, V))).toBe("06 02 00 53 88 43 e8");
    expect(() => W.decodeTrackInfo(hex("02 00 00 00"), V)).toThrow(/timescale must not be 0/);
  });

  it("SUBSCRIBE_START/END/DROP, and SUBSCRIBE_OK gone", () => {
    expect(toHex(W.encodeSubscribeStart(10, V))).toBe("00 01 0a");
    expect(toHex(W.encodeSubscribeEnd(11, V))).toBe("01 01 0b");
    expect(toHex(W.encodeSubscribeDrop({ startGroup: 5, endGroup: 7, errorCode: 0 }, V))).toBe("02 03 05 07 00");
    expect(W.decodeSubscribeResponse(0, hex("0a"), V)).toEqual({ type: "start", group: 10 });
    expect(W.decodeSubscribeResponse(2, hex("05 07 00"), V)).toEqual({
      type: "drop",
      drop: { startGroup: 5, endGroup: 7, errorCode: 0 },
    });
    expect(() => W.decodeSubscribeResponse(3, hex("00"), V)).toThrow(/unknown subscribe response type 3/);
    const ok = { priority: 0, ordered: false, maxLatencyMs: 0, startGroup: undefined, endGroup: undefined };
    expect(() => W.encodeSubscribeOk(ok, V)).toThrow(/SUBSCRIBE_OK does not exist in moq-lite-05/);
  });

  it("FRAME timestamps: zigzag deltas from the previous frame of the group", () => {
    expect([0, -1, 1, -2, 2, -33].map(W.zigzagEncode)).toEqual([0, 1, 2, 3, 4, 65]);
    expect([0, 1, 2, 3, 4, 65].map(W.zigzagDecode)).toEqual([0, -1, 1, -2, 2, -33]);
    const text = (s: string) => new TextEncoder().encode(s);
    expect(toHex(W.encodeTimedFrame(1000, text("hello"), V))).toBe("47 d0 05 68 65 6c 6c 6f");
    expect(toHex(W.encodeTimedFrame(33, text("hi"), V))).toBe("40 42 02 68 69");
    expect(toHex(W.encodeTimedFrame(-43, new Uint8Array(), V))).toBe("40 55 00");
    expect(() => W.encodeTimedFrame(1, new Uint8Array(), "moq-lite-04")).toThrow(/needs moq-lite-05/);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 }), (d) => {
        expect(W.zigzagDecode(W.zigzagEncode(d))).toBe(d);
      }),
    );
  });

  it("datagrams: sub 0, seq 7, ts 48000, 'op'; over 1200 bytes refused both ways", () => {
    const op = new TextEncoder().encode("op");
    expect(toHex(W.encodeDatagram({ subscribeId: 0, sequence: 7, timestamp: 48000, payload: op }, V))).toBe(
      "00 07 80 00 bb 80 6f 70",
    );
    const big = { subscribeId: 0, sequence: 0, timestamp: 0, payload: new Uint8Array(1198) };
    expect(() => W.encodeDatagram(big, V)).toThrow(/at most 1200 bytes/);
    expect(() => W.decodeDatagram(new Uint8Array(1201), V)).toThrow(/over the 1200-byte limit/);
  });
});
