import { joinPath, toPath } from "../../../../main/moq/model/path.ts";
import { describe, expect, it } from "vitest";
import { withLimits } from "../../../../main/moq/coding/limits.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import {
  decodeAnnounce,
  decodeAnnounceInit,
  decodeAnnounceInterest,
  encodeAnnounce,
  encodeAnnounceInit,
  encodeAnnounceInterest,
  type Version,
} from "../../../../main/moq/lite/wire/index.ts";
import { ascii, checkVector, hex } from "./helpers.ts";

const interest = (v: Version, prefix: string, excludeHop: number, bytes: string, decoded?: unknown) =>
  checkVector(encodeAnnounceInterest, decodeAnnounceInterest, v, { prefix: toPath(prefix), excludeHop }, bytes, {
    decoded,
  });
const announce = (v: Version, active: boolean, suffix: string, hops: number[], bytes: string, decodedHops = hops) =>
  checkVector(encodeAnnounce, decodeAnnounce, v, { active, suffix: toPath(suffix), hops }, bytes, {
    decoded: { active, suffix: toPath(suffix), hops: decodedHops },
  });

describe("ANNOUNCE_PLEASE / ANNOUNCE_INTEREST (§6.1, §13.3)", () => {
  it("03: prefix only, exclude hop not on the wire", () => {
    interest("moq-lite-03", "", 0, "01 00");
    interest("moq-lite-03", "demo", 42, "05 04 64 65 6d 6f", { prefix: toPath("demo"), excludeHop: 0 });
    interest("moq-lite-03", "live", 0, "05 04 6c 69 76 65");
    interest("moq-lite-03", "room", 0, "05 04 72 6f 6f 6d");
  });

  it("04: prefix and exclude hop", () => {
    interest("moq-lite-04", "", 0, "02 00 00");
    interest("moq-lite-04", "demo", 42, "06 04 64 65 6d 6f 2a");
    interest("moq-lite-04", "live", 0, "06 04 6c 69 76 65 00");
    interest("moq-lite-04", "room", 0, "06 04 72 6f 6f 6d 00");
  });

  it.each(["moq-lite-01", "moq-lite-02"] as const)("%s: ANNOUNCE_PLEASE has the prefix only", (v) => {
    interest(v, "", 0, "01 00");
    interest(v, "demo", 0, "05 04 64 65 6d 6f");
    interest(v, "live", 0, "05 04 6c 69 76 65");
  });

  it("normalises the prefix on both sides", () => {
    expect(encodeAnnounceInterest({ prefix: toPath("/demo/"), excludeHop: 0 }, "moq-lite-04")).toEqual(
      hex("06 04 64 65 6d 6f 00"),
    );
    expect(decodeAnnounceInterest(hex(`06 ${ascii("/demo/")} 00`), "moq-lite-04")).toEqual({
      prefix: toPath("demo"),
      excludeHop: 0,
    });
  });

  it("rejects leftovers and truncation", () => {
    expect(() => decodeAnnounceInterest(hex("04 64 65 6d 6f 00"), "moq-lite-03")).toThrow(DecodeError);
    expect(() => decodeAnnounceInterest(hex("04 64 65 6d 6f"), "moq-lite-04")).toThrow(DecodeError);
  });
});

describe("ANNOUNCE (§6.2)", () => {
  it("03 carries a hop count only; hops decode as unknown ids", () => {
    announce("moq-lite-03", true, "room1", [], "08 01 05 72 6f 6f 6d 31 00");
    announce("moq-lite-03", true, "room1", [7, 300], "08 01 05 72 6f 6f 6d 31 02", [0, 0]);
    announce("moq-lite-03", false, "room1", [], "08 00 05 72 6f 6f 6d 31 00");
    announce("moq-lite-03", true, "cam", [], "06 01 03 63 61 6d 00");
  });

  it("04 carries the hop id list", () => {
    announce("moq-lite-04", true, "room1", [], "08 01 05 72 6f 6f 6d 31 00");
    announce("moq-lite-04", true, "room1", [7, 300], "0b 01 05 72 6f 6f 6d 31 02 07 41 2c");
    announce("moq-lite-04", false, "room1", [], "08 00 05 72 6f 6f 6d 31 00");
    // Live captures (§6.2, §16.5).
    announce("moq-lite-04", true, "cam", [], "06 01 03 63 61 6d 00");
    announce("moq-lite-04", false, "cam", [], "06 00 03 63 61 6d 00");
    announce("moq-lite-04", true, "alice", [], "08 01 05 61 6c 69 63 65 00");
    announce("moq-lite-04", true, "raw/bc", [12345], "0b 01 06 72 61 77 2f 62 63 01 70 39");
  });

  it.each(["moq-lite-01", "moq-lite-02"] as const)("%s: status and suffix, no hops", (v) => {
    announce(v, true, "room1", [], "07 01 05 72 6f 6f 6d 31");
    announce(v, false, "room1", [], "07 00 05 72 6f 6f 6d 31");
    announce(v, false, "cam", [], "05 00 03 63 61 6d");
    // A 04 announcement bridged to 01/02 loses its hops.
    announce(v, true, "room1", [1, 2, 3], "07 01 05 72 6f 6f 6d 31", []);
  });

  it("joins the suffix to the requested prefix (§16.5 room + alice)", () => {
    const a = decodeAnnounce(hex("01 05 61 6c 69 63 65 00"), "moq-lite-04");
    expect(joinPath(toPath("room"), a.suffix)).toBe("room/alice");
  });

  it("the status byte must be exactly 0 or 1", () => {
    for (const v of ["moq-lite-01", "moq-lite-03", "moq-lite-04"] as const) {
      const tail = v === "moq-lite-01" ? "" : " 00";
      expect(() => decodeAnnounce(hex(`02 01 61${tail}`), v)).toThrow(DecodeError);
      expect(() => decodeAnnounce(hex(`ff 01 61${tail}`), v)).toThrow(DecodeError);
    }
  });

  it("bounds the hop count by limits.maxHops", () => {
    const hops = Array.from({ length: 33 }, (_, i) => i + 1);
    const body04 = encodeAnnounce({ active: true, suffix: toPath("a"), hops }, "moq-lite-04").subarray(1);
    expect(() => decodeAnnounce(body04, "moq-lite-04")).toThrow(/hop count 33 exceeds/);
    expect(decodeAnnounce(body04, "moq-lite-04", withLimits({ maxHops: 33 })).hops).toEqual(hops);
    // 03: a count with no ids behind it is still bounded, so it cannot allocate a huge array.
    expect(() => decodeAnnounce(hex("01 01 61 21"), "moq-lite-03")).toThrow(DecodeError);
    expect(() => decodeAnnounce(hex("01 01 61 c0 00 00 ff ff ff ff ff"), "moq-lite-03")).toThrow(DecodeError);
    // 04: a count larger than the bytes present.
    expect(() => decodeAnnounce(hex("01 01 61 05 01 02"), "moq-lite-04")).toThrow(DecodeError);
  });

  it("rejects leftovers, truncation and non-UTF-8 suffixes", () => {
    expect(() => decodeAnnounce(hex("01 01 61 00 00"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeAnnounce(hex("01 01 61 00"), "moq-lite-02")).toThrow(DecodeError);
    expect(() => decodeAnnounce(hex("01 05 61"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeAnnounce(hex("01 01 ff 00"), "moq-lite-04")).toThrow(DecodeError);
  });

  it("encoders refuse bad hop ids", () => {
    expect(() => encodeAnnounce({ active: true, suffix: toPath("a"), hops: [-1] }, "moq-lite-04")).toThrow(RangeError);
    expect(() => encodeAnnounce({ active: true, suffix: toPath("a"), hops: [2 ** 53] }, "moq-lite-04")).toThrow(
      RangeError,
    );
  });
});

describe("ANNOUNCE_INIT (§13.3, 01/02 only)", () => {
  it.each(["moq-lite-01", "moq-lite-02"] as const)("%s vectors", (v) => {
    checkVector(
      encodeAnnounceInit,
      decodeAnnounceInit,
      v,
      { suffixes: [toPath("a"), toPath("bc")] },
      "06 02 01 61 02 62 63",
    );
    checkVector(encodeAnnounceInit, decodeAnnounceInit, v, { suffixes: [] }, "01 00");
    checkVector(encodeAnnounceInit, decodeAnnounceInit, v, { suffixes: [toPath("cam")] }, "05 01 03 63 61 6d");
  });

  it("the ambiguity trap: the same bytes also parse as ANNOUNCE active", () => {
    expect(decodeAnnounce(hex("01 03 63 61 6d"), "moq-lite-02")).toEqual({
      active: true,
      suffix: toPath("cam"),
      hops: [],
    });
    expect(decodeAnnounceInit(hex("01 03 63 61 6d"), "moq-lite-02")).toEqual({ suffixes: [toPath("cam")] });
  });

  it("bounds the suffix count by the body length", () => {
    expect(() => decodeAnnounceInit(hex("05 01 61"), "moq-lite-02")).toThrow(/does not fit/);
    expect(() => decodeAnnounceInit(hex("bf ff ff ff"), "moq-lite-02")).toThrow(DecodeError);
  });

  it("does not exist in 03/04", () => {
    expect(() => encodeAnnounceInit({ suffixes: [] }, "moq-lite-03")).toThrow(RangeError);
    expect(() => decodeAnnounceInit(hex("00"), "moq-lite-04")).toThrow(DecodeError);
  });
});
