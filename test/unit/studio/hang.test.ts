// What the inspector reads inside hang frames (../shared/spec/hang.md): catalogs in the current
// and old shapes, the legacy timestamp prefix, and H.264 NAL units in Annex B and AVCC payloads.

import { describe, expect, it } from "vitest";
import { decodeCatalog, decodeTimestamp, listNalUnits } from "../../../main/studio/observe/hang.ts";
import { retryDelay, isPermanentFailure } from "../../../main/studio/connections/retry.ts";
import { dialUrl, shownUrl, targetFromUrl } from "../../../main/studio/connections/target.ts";
import { ErrorCode, MoqError } from "../../../main/moq/index.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

describe("hang catalog", () => {
  it("lists the renditions of the spec's example A", () => {
    const { renditions } = decodeCatalog(
      JSON.stringify({
        video: {
          renditions: {
            "video/hd": { codec: "avc1.42c01e", codedWidth: 640, codedHeight: 360, framerate: 30, bitrate: 1_000_000 },
          },
        },
        audio: {
          renditions: { "audio/data": { codec: "opus", sampleRate: 48000, numberOfChannels: 2, bitrate: 64000 } },
        },
      }),
    );
    expect(renditions).toEqual([
      {
        track: "video/hd",
        kind: "video",
        codec: "avc1.42c01e",
        width: 640,
        height: 360,
        framerate: 30,
        bitrate: 1_000_000,
        sampleRate: null,
        channels: null,
      },
      {
        track: "audio/data",
        kind: "audio",
        codec: "opus",
        width: null,
        height: null,
        framerate: null,
        bitrate: 64000,
        sampleRate: 48000,
        channels: 2,
      },
    ]);
  });

  it("reads the old array shape and says what is wrong with a bad one", () => {
    const old = decodeCatalog(JSON.stringify({ video: [{ track: { name: "v" }, config: { codec: "vp8" } }] }));
    expect(old.renditions[0]).toMatchObject({ track: "v", codec: "vp8", kind: "video" });
    expect(decodeCatalog("{}").renditions).toEqual([]);
    expect(() => decodeCatalog("{not json")).toThrow(/not JSON/);
    expect(() => decodeCatalog("[]")).toThrow(/not a JSON object/);
    expect(() => decodeCatalog(JSON.stringify({ video: { renditions: { v: { width: 3 } } } }))).toThrow(
      /"v" has no codec/,
    );
  });
});

describe("hang frames", () => {
  it("decodes the legacy timestamp prefix (spec §6.1 table)", () => {
    expect(decodeTimestamp(hex("00 aa"))).toEqual({ timestampUs: 0, payloadOffset: 1 });
    expect(decodeTimestamp(hex("74 bc"))).toEqual({ timestampUs: 13_500, payloadOffset: 2 });
    expect(decodeTimestamp(hex("80 00 82 35 00 00 01 33"))).toEqual({ timestampUs: 33_333, payloadOffset: 4 });
    expect(decodeTimestamp(hex("c0 00 00 00 40 00 00 05"))?.timestampUs).toBe(2 ** 30 + 5);
    expect(decodeTimestamp(hex("80 00"))).toBeNull();
    expect(decodeTimestamp(new Uint8Array())).toBeNull();
  });

  it("lists NAL units of Annex B and AVCC payloads", () => {
    const annexB = hex("00 00 00 01 67 42 c0 1e  00 00 00 01 68 ce 0f c8  00 00 01 65 88 84 00");
    expect(listNalUnits(annexB)).toEqual([
      { type: 7, name: "SPS", size: 4 },
      { type: 8, name: "PPS", size: 4 },
      { type: 5, name: "IDR slice", size: 4 },
    ]);
    const avcc = hex("00 00 00 03 41 9a 20  00 00 00 02 06 05");
    expect(listNalUnits(avcc)).toEqual([
      { type: 1, name: "non-IDR slice", size: 3 },
      { type: 6, name: "SEI", size: 2 },
    ]);
    expect(listNalUnits(hex("ff ff ff ff 01"))).toBeNull();
  });
});

describe("connection targets and retries", () => {
  it("keeps the token apart from the URL and out of what is shown", () => {
    const target = targetFromUrl("https://relay.example.com/anon?jwt=SECRET&x=1", { transport: "websocket" });
    expect(target.url).toBe("https://relay.example.com/anon?x=1");
    expect(target.token).toBe("SECRET");
    expect(dialUrl(target)).toContain("jwt=SECRET");
    expect(shownUrl("https://relay.example.com/anon?jwt=SECRET")).not.toContain("SECRET");
    expect(() => targetFromUrl("ftp://x/")).toThrow(/unsupported URL scheme "ftp"/);
  });

  it("backs off from 0.5 s doubling to 15 s with jitter, and gives up only where retrying cannot help", () => {
    expect(retryDelay(1, () => 0.5)).toBe(500);
    expect(retryDelay(2, () => 0.5)).toBe(1000);
    expect(retryDelay(10, () => 0.5)).toBe(15_000);
    expect(retryDelay(1, () => 0)).toBe(400);
    expect(retryDelay(1, () => 1)).toBe(600);
    expect(isPermanentFailure(new MoqError(ErrorCode.Unauthorized, "no"))).toBe(true);
    expect(isPermanentFailure(new Error("server at ws://x/ refused the session with HTTP 401: bad token"))).toBe(true);
    expect(isPermanentFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(false);
    expect(isPermanentFailure(Object.assign(new Error("mismatch"), { code: "FINGERPRINT_MISMATCH" }))).toBe(true);
  });
});
