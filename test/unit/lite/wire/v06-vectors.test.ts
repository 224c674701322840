// moq-lite-06 byte vectors, as the Rust moq-net 0.3.18 (what moq-relay 0.17 runs) encodes them:
// each was read from the crate's own encoding tests or produced by its encoders.

import { describe, expect, it } from "vitest";
import {
  decodeAnnounce06,
  decodeAnnounceInterest,
  decodeFetch,
  decodeGroupHeader,
  decodeSessionSetup,
  decodeSubscribe,
  decodeSubscribeUpdate,
  decodeTrackInfo,
  encodeAnnounce06,
  encodeAnnounceInterest,
  encodeFetch,
  encodeGroupHeader,
  encodeSessionSetup,
  encodeSubscribe,
  encodeSubscribeUpdate,
  encodeTrackInfo,
} from "../../../../main/moq/lite/wire/index.ts";
import { toPath } from "../../../../main/moq/model/path.ts";
import { checkVector, hex, split, toHex } from "./helpers.ts";

const V = "moq-lite-06";
const room = toPath("room");

describe("moq-lite-06 vectors (moq-net 0.3.18)", () => {
  it("ANNOUNCE_INTEREST lost the exclude hop (06 says it once, in SETUP)", () => {
    checkVector(
      encodeAnnounceInterest,
      decodeAnnounceInterest,
      V,
      { prefix: room, excludeHop: 0 },
      "05 04 72 6f 6f 6d",
    );
    checkVector(encodeAnnounceInterest, decodeAnnounceInterest, V, { prefix: toPath(""), excludeHop: 0 }, "01 00");
    // 05 for comparison: the hop follows the prefix.
    checkVector(
      encodeAnnounceInterest,
      decodeAnnounceInterest,
      "moq-lite-05",
      { prefix: room, excludeHop: 42 },
      "06 04 72 6f 6f 6d 2a",
    );
  });

  it("typed ANNOUNCE_START / END / RESTART, with route cost", () => {
    const decode = (bytes: string) => {
      const { type, body } = split(hex(bytes), "typed");
      return decodeAnnounce06(type!, body, V);
    };
    const cases: [Parameters<typeof encodeAnnounce06>[0], string][] = [
      [
        { kind: "start", suffix: toPath("room/cam"), hops: [7], cost: { warm: 12, cold: 30 } },
        "00 0d 08 72 6f 6f 6d 2f 63 61 6d 01 07 0c 1e",
      ],
      [{ kind: "start", suffix: toPath("cam"), hops: [], cost: { warm: 0, cold: 0 } }, "00 07 03 63 61 6d 00 00 00"],
      [{ kind: "end", id: 3 }, "01 01 03"],
      [{ kind: "end", id: 42 }, "01 01 2a"],
      [{ kind: "restart", id: 3, hops: [7], cost: { warm: 12, cold: 30 } }, "02 05 03 01 07 0c 1e"],
    ];
    for (const [msg, bytes] of cases) {
      expect(toHex(encodeAnnounce06(msg, V))).toBe(bytes);
      expect(decode(bytes)).toEqual(msg);
    }
    // A type 06 does not define is skipped whole and takes no id.
    expect(decode("04 0c 08 72 6f 6f 6d 2f 63 61 6d 00 00 00")).toEqual({ kind: "unknown", type: 4 });
    // A saturated cost (2^62-1) is held as Infinity and written back the same.
    const drained = { kind: "start" as const, suffix: toPath("x"), hops: [], cost: { warm: Infinity, cold: Infinity } };
    const bytes = "00 13 01 78 00 ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff";
    expect(toHex(encodeAnnounce06(drained, V))).toBe(bytes);
    expect(decode(bytes)).toEqual(drained);
  });

  it("refuses what 06 forbids in announcements", () => {
    const decode = (bytes: string) => {
      const { type, body } = split(hex(bytes), "typed");
      return decodeAnnounce06(type!, body, V);
    };
    // A hop id twice in one chain; bytes left over in a known type.
    expect(() => decode("00 09 03 63 61 6d 02 07 07 00 00")).toThrow(/hop 7 appears twice/);
    expect(() => decode("01 02 03 00")).toThrow();
    // Anonymous hops (0) may repeat.
    expect(decode("00 09 03 63 61 6d 02 00 00 00 00")).toMatchObject({ hops: [0, 0] });
    expect(() => encodeAnnounce06({ kind: "end", id: 1 }, "moq-lite-05")).toThrow(RangeError);
  });

  it("SETUP's Cost (0x4) and Hop (0x5) parameters", () => {
    const setup = (bytes: string) => decodeSessionSetup(split(hex(bytes), "length").body, V);
    expect(setup("05 01 04 02 40 64")).toMatchObject({ cost: 100, hop: undefined });
    expect(setup("04 01 05 01 2a")).toMatchObject({ hop: 42 });
    expect(setup("04 01 04 01 00")).toMatchObject({ cost: 0 });
    // A hop of 0 means none.
    expect(setup("04 01 05 01 00").hop).toBeUndefined();
    // Past 2^53 (u62 on the wire): a cost saturates, as a 06 announcement's does; a level or role
    // is one we do not know; a hop id, which must stay exact, is refused.
    expect(setup("0b 01 04 08 ff ff ff ff ff ff ff ff").cost).toBe(Number.MAX_SAFE_INTEGER);
    expect(setup("0b 01 01 08 ff ff ff ff ff ff ff ff")).toMatchObject({ probe: 2 });
    expect(setup("0b 01 03 08 ff ff ff ff ff ff ff fe")).toMatchObject({ role: 0 });
    expect(() => setup("0b 01 05 08 ff ff ff ff ff ff ff ff")).toThrow(/hop .* beyond 2\^53/);
    expect(toHex(encodeSessionSetup({ probe: 0, role: 0, cost: 100 }, V))).toBe("05 01 04 02 40 64");
    expect(toHex(encodeSessionSetup({ probe: 0, role: 0, hop: 42 }, V))).toBe("04 01 05 01 2a");
  });

  it("SUBSCRIBE: no Ordered byte, Group Start as a plain floor, frame bounds", () => {
    const base = { id: 1, broadcast: room, track: "video", priority: 3, ordered: false, maxLatencyMs: 250 };
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      V,
      { ...base, startGroup: 7, endGroup: 9, startFrame: 4, endFrame: 2 },
      "13 01 04 72 6f 6f 6d 05 76 69 64 65 6f 03 40 fa 07 0a 04 03",
    );
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      V,
      { ...base, startGroup: undefined, endGroup: 9 },
      "13 01 04 72 6f 6f 6d 05 76 69 64 65 6f 03 40 fa 00 0a 00 00",
    );
    // 05 wrote the Ordered byte and Group Start + 1.
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      "moq-lite-05",
      { ...base, startGroup: undefined, endGroup: 9 },
      "12 01 04 72 6f 6f 6d 05 76 69 64 65 6f 03 00 40 fa 00 0a",
    );
    // The Group Start byte alone: third from the end on 05, fifth from the end on 06.
    const group = (v: "moq-lite-05" | "moq-lite-06", startGroup: number | undefined) =>
      toHex(encodeSubscribe({ ...base, startGroup, endGroup: 9 }, v))
        .split(" ")
        .at(v === "moq-lite-06" ? -4 : -2);
    expect([group("moq-lite-05", undefined), group("moq-lite-05", 0), group("moq-lite-05", 4)]).toEqual([
      "00",
      "01",
      "05",
    ]);
    expect([group(V, undefined), group(V, 0), group(V, 4)]).toEqual(["00", "00", "04"]);
    // Group 0 with a start frame is a real group 0.
    const partway = encodeSubscribe({ ...base, startGroup: 0, endGroup: undefined, startFrame: 4 }, V);
    expect(toHex(partway).endsWith("40 fa 00 00 04 00")).toBe(true);
    expect(decodeSubscribe(split(partway, "length").body, V)).toMatchObject({ startGroup: 0, startFrame: 4 });
    // An end frame needs an end group; 05 cannot carry frame bounds at all.
    expect(() => decodeSubscribe(hex("01 04 72 6f 6f 6d 05 76 69 64 65 6f 03 40 fa 00 00 00 03"), V)).toThrow(
      /end frame needs an end group/,
    );
    expect(() => encodeSubscribe({ ...base, startGroup: 1, startFrame: 2 }, "moq-lite-05")).toThrow(RangeError);
  });

  it("SUBSCRIBE_UPDATE", () => {
    const base = { priority: 3, ordered: false, maxLatencyMs: 250 };
    checkVector(
      encodeSubscribeUpdate,
      decodeSubscribeUpdate,
      V,
      { ...base, startGroup: 7, endGroup: 9, startFrame: 4, endFrame: 2 },
      "07 03 40 fa 07 0a 04 03",
    );
    checkVector(encodeSubscribeUpdate, decodeSubscribeUpdate, V, { ...base }, "07 03 40 fa 00 00 00 00");
    checkVector(encodeSubscribeUpdate, decodeSubscribeUpdate, V, { ...base, startGroup: 7 }, "07 03 40 fa 07 00 00 00");
    checkVector(
      encodeSubscribeUpdate,
      decodeSubscribeUpdate,
      "moq-lite-05",
      { ...base, startGroup: 7 },
      "06 03 00 40 fa 08 00",
    );
  });

  it("FETCH with frame bounds", () => {
    const base = { broadcast: room, track: "video", priority: 3, group: 7 };
    checkVector(encodeFetch, decodeFetch, V, base, "0f 04 72 6f 6f 6d 05 76 69 64 65 6f 03 07 00 00");
    checkVector(
      encodeFetch,
      decodeFetch,
      V,
      { ...base, startFrame: 2, endFrame: 6 },
      "0f 04 72 6f 6f 6d 05 76 69 64 65 6f 03 07 02 07",
    );
    checkVector(encodeFetch, decodeFetch, "moq-lite-05", base, "0d 04 72 6f 6f 6d 05 76 69 64 65 6f 03 07");
    expect(() => decodeFetch(hex("04 72 6f 6f 6d 05 76 69 64 65 6f 03 07 05 03"), V)).toThrow(/before its start frame/);
  });

  it("GROUP names the first frame it carries", () => {
    checkVector(encodeGroupHeader, decodeGroupHeader, V, { subscribeId: 1, sequence: 7 }, "03 01 07 00");
    checkVector(encodeGroupHeader, decodeGroupHeader, V, { subscribeId: 1, sequence: 7, firstFrame: 4 }, "03 01 07 04");
    checkVector(encodeGroupHeader, decodeGroupHeader, "moq-lite-05", { subscribeId: 1, sequence: 7 }, "02 01 07");
    expect(() => encodeGroupHeader({ subscribeId: 1, sequence: 7, firstFrame: 4 }, "moq-lite-05")).toThrow(RangeError);
  });

  it("TRACK_INFO lost the Ordered byte", () => {
    const defaults = { priority: 127, ordered: false, maxLatencyMs: 5000, timescale: 1000 };
    checkVector(encodeTrackInfo, decodeTrackInfo, V, defaults, "05 7f 53 88 43 e8");
    checkVector(encodeTrackInfo, decodeTrackInfo, "moq-lite-05", defaults, "06 7f 00 53 88 43 e8");
    const micro = { priority: 7, ordered: false, maxLatencyMs: 2000, timescale: 1_000_000 };
    checkVector(encodeTrackInfo, decodeTrackInfo, V, micro, "07 07 47 d0 80 0f 42 40");
  });
});
