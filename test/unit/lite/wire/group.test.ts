import { describe, expect, it } from "vitest";
import { BytesReader } from "../../../../main/moq/coding/bytes-reader.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import {
  decodeGroupHeader,
  encodeFrame,
  encodeFrameHeader,
  encodeGroupHeader,
  UniStreamType,
} from "../../../../main/moq/lite/wire/index.ts";
import { UNTIL_05, checkVector, concat, hex, toHex } from "./helpers.ts";

const text = new TextEncoder();

describe("GROUP and FRAME (§8.1)", () => {
  it.each(UNTIL_05)("%s: GROUP vectors", (v) => {
    checkVector(encodeGroupHeader, decodeGroupHeader, v, { subscribeId: 0, sequence: 0 }, "02 00 00");
    checkVector(encodeGroupHeader, decodeGroupHeader, v, { subscribeId: 5, sequence: 1234 }, "03 05 44 d2");
    checkVector(encodeGroupHeader, decodeGroupHeader, v, { subscribeId: 9, sequence: 0 }, "02 09 00");
  });

  it("FRAME vectors", () => {
    expect(toHex(encodeFrame(text.encode("hello")))).toBe("05 68 65 6c 6c 6f");
    expect(toHex(encodeFrame(new Uint8Array(0)))).toBe("00");
    expect(toHex(encodeFrameHeader(5))).toBe("05");
    expect(toHex(encodeFrameHeader(1234))).toBe("44 d2");
    const big = new Uint8Array(70_000).fill(7);
    const framed = encodeFrame(big);
    expect(toHex(framed.subarray(0, 4))).toBe("80 01 11 70");
    expect(framed.subarray(4)).toEqual(big);
  });

  it("whole streams, byte for byte", () => {
    const stream = concat(
      Uint8Array.of(UniStreamType.Group),
      encodeGroupHeader({ subscribeId: 0, sequence: 0 }, "moq-lite-04"),
      encodeFrame(text.encode("hi")),
      encodeFrame(new Uint8Array(0)),
    );
    expect(toHex(stream)).toBe("00 02 00 00 02 68 69 00");
    const live = concat(
      Uint8Array.of(0),
      encodeGroupHeader({ subscribeId: 0, sequence: 0 }, "moq-lite-04"),
      encodeFrame(text.encode("A")),
      encodeFrame(text.encode("BC")),
    );
    expect(live).toEqual(hex("00 02 00 00 01 41 02 42 43"));
  });

  it("parses the §16.5 capture", () => {
    const r = new BytesReader(hex(`00 02 09 00 02 ${"78 31"} 02 ${"78 32"}`));
    expect(r.varint()).toBe(UniStreamType.Group);
    expect(decodeGroupHeader(r.bytes(), "moq-lite-04")).toEqual({ subscribeId: 9, sequence: 0 });
    expect(new TextDecoder().decode(r.bytes())).toBe("x1");
    expect(new TextDecoder().decode(r.bytes())).toBe("x2");
    expect(r.remaining).toBe(0);
  });

  it("rejects leftovers, truncation and bad encoder input", () => {
    expect(() => decodeGroupHeader(hex("00 00 00"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeGroupHeader(hex("00"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => encodeGroupHeader({ subscribeId: -1, sequence: 0 }, "moq-lite-04")).toThrow(RangeError);
    expect(() => encodeFrameHeader(-1)).toThrow(RangeError);
  });
});
