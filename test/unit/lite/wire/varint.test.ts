import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BytesReader } from "../../../../main/moq/coding/bytes-reader.ts";
import {
  encodeVarint,
  MAX_VARINT,
  readVarintAt,
  readVarintBigAt,
  varintSize,
} from "../../../../main/moq/coding/varint.ts";
import { Writer } from "../../../../main/moq/coding/writer.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import { hex, toHex } from "./helpers.ts";

// §3.1 vectors, produced by @moq/lite's Writer.u62.
const VECTORS: [number, string][] = [
  [0, "00"],
  [37, "25"],
  [63, "3f"],
  [64, "40 40"],
  [15293, "7b bd"],
  [16383, "7f ff"],
  [16384, "80 00 40 00"],
  [494878333, "9d 7f 3e 7d"],
  [1073741823, "bf ff ff ff"],
  [1073741824, "c0 00 00 00 40 00 00 00"],
  [0xff0dad02, "c0 00 00 00 ff 0d ad 02"],
];

describe("varint vectors (§3.1)", () => {
  it.each(VECTORS)("%d encodes as %s and decodes back", (value, bytes) => {
    expect(toHex(encodeVarint(value))).toBe(bytes);
    expect(toHex(encodeVarint(BigInt(value)))).toBe(bytes);
    expect(readVarintAt(hex(bytes), 0)).toBe(value);
    expect(readVarintBigAt(hex(bytes), 0)).toBe(BigInt(value));
    expect(new BytesReader(hex(bytes)).varint()).toBe(value);
  });

  it("151288809941952652 needs a bigint: exact with readVarintBigAt, refused by readVarintAt", () => {
    const bytes = "c2 19 7c 5e ff 14 e8 8c";
    expect(toHex(encodeVarint(151288809941952652n))).toBe(bytes);
    expect(readVarintBigAt(hex(bytes), 0)).toBe(151288809941952652n);
    expect(() => readVarintAt(hex(bytes), 0)).toThrow(DecodeError);
    expect(new BytesReader(hex(bytes)).varintBig()).toBe(151288809941952652n);
  });
});

describe("varint range boundaries", () => {
  it("2^53-1 is the largest number: encodes, decodes exactly", () => {
    const max = Number.MAX_SAFE_INTEGER;
    const bytes = encodeVarint(max);
    expect(toHex(bytes)).toBe("c0 1f ff ff ff ff ff ff");
    expect(readVarintAt(bytes, 0)).toBe(max);
  });

  it("2^53 is refused as a number on both sides, exact as a bigint", () => {
    expect(() => encodeVarint(2 ** 53)).toThrow(RangeError);
    const bytes = encodeVarint(2n ** 53n);
    expect(toHex(bytes)).toBe("c0 20 00 00 00 00 00 00");
    expect(() => readVarintAt(bytes, 0)).toThrow(DecodeError);
    expect(() => new BytesReader(bytes).varint()).toThrow(DecodeError);
    expect(readVarintBigAt(bytes, 0)).toBe(2n ** 53n);
  });

  it("MAX_VARINT (2^62-1) is the largest encodable value", () => {
    expect(MAX_VARINT).toBe(2n ** 62n - 1n);
    const bytes = encodeVarint(MAX_VARINT);
    expect(toHex(bytes)).toBe("ff ff ff ff ff ff ff ff");
    expect(readVarintBigAt(bytes, 0)).toBe(MAX_VARINT);
    expect(() => readVarintAt(bytes, 0)).toThrow(DecodeError);
    expect(() => encodeVarint(MAX_VARINT + 1n)).toThrow(RangeError);
  });

  it("negative, fractional and non-finite values are refused", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => encodeVarint(bad)).toThrow(RangeError);
    expect(() => encodeVarint(-1n)).toThrow(RangeError);
    expect(() => new Writer().varint(-1)).toThrow(RangeError);
  });

  it("uses the shortest form at each size boundary", () => {
    const cases: [number, number][] = [
      [63, 1],
      [64, 2],
      [16383, 2],
      [16384, 4],
      [1073741823, 4],
      [1073741824, 8],
    ];
    for (const [v, size] of cases) {
      expect(varintSize(v)).toBe(size);
      expect(encodeVarint(v).length).toBe(size);
    }
  });

  it("accepts longer-than-needed encodings", () => {
    for (const bytes of ["25", "40 25", "80 00 00 25", "c0 00 00 00 00 00 00 25"])
      expect(new BytesReader(hex(bytes)).varint()).toBe(37);
  });

  it("a truncated varint is a DecodeError", () => {
    for (const bytes of ["", "40", "80 00 00", "c0 00 00 00 00 00 00"]) {
      expect(() => new BytesReader(hex(bytes)).varint()).toThrow(DecodeError);
      expect(() => new BytesReader(hex(bytes)).varintBig()).toThrow(DecodeError);
    }
  });
});

describe("varint properties", () => {
  it("numbers up to 2^53-1 round-trip in the shortest form", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const bytes = encodeVarint(v);
        expect(bytes.length).toBe(varintSize(v));
        expect(readVarintAt(bytes, 0)).toBe(v);
        expect(readVarintBigAt(bytes, 0)).toBe(BigInt(v));
      }),
    );
  });

  it("bigints up to 2^62-1 round-trip", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_VARINT }), (v) => {
        const bytes = encodeVarint(v);
        expect(readVarintBigAt(bytes, 0)).toBe(v);
        const r = new BytesReader(bytes);
        expect(r.varintBig()).toBe(v);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it("decoding any 8 bytes as a number either is exact or throws DecodeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const big = readVarintBigAt(bytes, 0);
        if (big <= BigInt(Number.MAX_SAFE_INTEGER)) expect(BigInt(readVarintAt(bytes, 0))).toBe(big);
        else expect(() => readVarintAt(bytes, 0)).toThrow(DecodeError);
      }),
    );
  });
});
