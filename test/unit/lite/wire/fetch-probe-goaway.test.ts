import { toPath } from "../../../../main/moq/model/path.ts";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../../main/moq/errors.ts";
import {
  decodeFetch,
  decodeGoaway,
  decodeProbe,
  encodeFetch,
  encodeGoaway,
  encodeProbe,
  MAX_GOAWAY_URI_BYTES,
} from "../../../../main/moq/lite/wire/index.ts";
import { ascii, checkVector, hex, split } from "./helpers.ts";

describe("FETCH (§9)", () => {
  it.each(["moq-lite-03", "moq-lite-04"] as const)("%s vector", (v) => {
    checkVector(
      encodeFetch,
      decodeFetch,
      v,
      { broadcast: toPath("demo"), track: "video", priority: 1, group: 3 },
      "0d 04 64 65 6d 6f 05 76 69 64 65 6f 01 03",
    );
  });

  it("does not exist before 03", () => {
    expect(() => encodeFetch({ broadcast: toPath("a"), track: "b", priority: 0, group: 0 }, "moq-lite-02")).toThrow(
      RangeError,
    );
    expect(() => decodeFetch(hex("01 61 01 62 00 00"), "moq-lite-01")).toThrow(DecodeError);
  });

  it("validates priority and rejects leftovers", () => {
    expect(() => encodeFetch({ broadcast: toPath("a"), track: "b", priority: 256, group: 0 }, "moq-lite-04")).toThrow(
      RangeError,
    );
    expect(() => decodeFetch(hex("01 61 01 62 00 00 00"), "moq-lite-04")).toThrow(DecodeError);
  });
});

describe("PROBE (§10.1)", () => {
  it("03: bitrate only", () => {
    checkVector(encodeProbe, decodeProbe, "moq-lite-03", { bitrate: 2_500_000, rttMs: 0 }, "04 80 26 25 a0");
    checkVector(encodeProbe, decodeProbe, "moq-lite-03", { bitrate: 2_500_000, rttMs: 25 }, "04 80 26 25 a0", {
      decoded: { bitrate: 2_500_000, rttMs: 0 },
    });
  });

  it("04: bitrate and RTT", () => {
    checkVector(encodeProbe, decodeProbe, "moq-lite-04", { bitrate: 2_500_000, rttMs: 25 }, "05 80 26 25 a0 19");
    checkVector(encodeProbe, decodeProbe, "moq-lite-04", { bitrate: 0, rttMs: 0 }, "02 00 00");
    checkVector(encodeProbe, decodeProbe, "moq-lite-04", { bitrate: 2_500_000, rttMs: 0 }, "05 80 26 25 a0 00");
    checkVector(encodeProbe, decodeProbe, "moq-lite-04", { bitrate: 4_000_000, rttMs: 0 }, "05 80 3d 09 00 00");
  });

  it("a 03 report is not a 04 report", () => {
    expect(() => decodeProbe(hex("80 26 25 a0"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeProbe(hex("80 26 25 a0 19"), "moq-lite-03")).toThrow(DecodeError);
  });

  it("does not exist before 03", () => {
    expect(() => encodeProbe({ bitrate: 1, rttMs: 0 }, "moq-lite-02")).toThrow(RangeError);
    expect(() => decodeProbe(hex("01"), "moq-lite-02")).toThrow(DecodeError);
  });
});

describe("GOAWAY (§11)", () => {
  it("04 vectors", () => {
    checkVector(encodeGoaway, decodeGoaway, "moq-lite-04", { uri: "" }, "01 00");
    checkVector(
      encodeGoaway,
      decodeGoaway,
      "moq-lite-04",
      { uri: "https://r2.example/moq" },
      `17 16 ${ascii("https://r2.example/moq")}`,
    );
  });

  it("caps the URI at 8192 bytes", () => {
    const ok = "h".repeat(MAX_GOAWAY_URI_BYTES);
    expect(decodeGoaway(split(encodeGoaway({ uri: ok }, "moq-lite-04"), "length").body, "moq-lite-04")).toEqual({
      uri: ok,
    });
    expect(() => encodeGoaway({ uri: ok + "h" }, "moq-lite-04")).toThrow(RangeError);
    // Multi-byte characters count in bytes, not characters.
    expect(() => encodeGoaway({ uri: "é".repeat(4097) }, "moq-lite-04")).toThrow(RangeError);
    // A peer's 8193-byte URI: varint length 0x2001 then the bytes.
    const long = new Uint8Array(2 + MAX_GOAWAY_URI_BYTES + 1).fill(0x68);
    long.set(hex("60 01"));
    expect(() => decodeGoaway(long, "moq-lite-04")).toThrow(/8192/);
  });

  it("does not exist before 04", () => {
    expect(() => encodeGoaway({ uri: "" }, "moq-lite-03")).toThrow(RangeError);
    expect(() => decodeGoaway(hex("00"), "moq-lite-03")).toThrow(DecodeError);
  });
});
