import { toPath } from "../../../../main/moq/model/path.ts";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../../main/moq/errors.ts";
import {
  decodeSubscribe,
  decodeSubscribeDrop,
  decodeSubscribeOk,
  decodeSubscribeResponse,
  decodeSubscribeUpdate,
  encodeSubscribe,
  encodeSubscribeDrop,
  encodeSubscribeOk,
  encodeSubscribeUpdate,
  SubscribeResponseType,
  subscribeResponsesTyped,
  type Subscribe,
  type SubscribeOk,
} from "../../../../main/moq/lite/wire/index.ts";
import { ascii, checkVector, hex } from "./helpers.ts";

const DEFAULTS = { ordered: false, maxLatencyMs: 0, startGroup: undefined, endGroup: undefined };

describe("SUBSCRIBE (§7.1, §13.3)", () => {
  const roomVideo: Subscribe = { id: 0, broadcast: toPath("demo/room1"), track: "video", priority: 2, ...DEFAULTS };
  const demoAudio: Subscribe = {
    id: 1,
    broadcast: toPath("demo"),
    track: "audio",
    priority: 200,
    ordered: true,
    maxLatencyMs: 500,
    startGroup: 10,
    endGroup: 20,
  };

  it.each(["moq-lite-03", "moq-lite-04"] as const)("%s vectors", (v) => {
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      v,
      roomVideo,
      "17 00 0a 64 65 6d 6f 2f 72 6f 6f 6d 31 05 76 69 64 65 6f 02 00 00 00 00",
    );
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      v,
      demoAudio,
      "12 01 04 64 65 6d 6f 05 61 75 64 69 6f c8 01 41 f4 0b 15",
    );
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      v,
      { id: 0, broadcast: toPath("live/cam"), track: "t", priority: 7, ...DEFAULTS },
      "11 00 08 6c 69 76 65 2f 63 61 6d 01 74 07 00 00 00 00",
    );
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      v,
      { id: 9, broadcast: toPath("room/alice"), track: "t", priority: 3, ...DEFAULTS },
      `13 09 0a ${ascii("room/alice")} 01 74 03 00 00 00 00`,
    );
  });

  it("+1 encoding: group 0 is 01, absent is 00", () => {
    const bytes = encodeSubscribe({ ...roomVideo, startGroup: 0, endGroup: undefined }, "moq-lite-04");
    expect(bytes.subarray(-2)).toEqual(hex("01 00"));
    expect(decodeSubscribe(bytes.subarray(1), "moq-lite-04")).toMatchObject({ startGroup: 0, endGroup: undefined });
  });

  it.each(["moq-lite-01", "moq-lite-02"] as const)("%s: id, path, track, priority only", (v) => {
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      v,
      roomVideo,
      "13 00 0a 64 65 6d 6f 2f 72 6f 6f 6d 31 05 76 69 64 65 6f 02",
    );
    checkVector(encodeSubscribe, decodeSubscribe, v, demoAudio, "0d 01 04 64 65 6d 6f 05 61 75 64 69 6f c8", {
      decoded: { id: 1, broadcast: toPath("demo"), track: "audio", priority: 200, ...DEFAULTS },
    });
    checkVector(
      encodeSubscribe,
      decodeSubscribe,
      v,
      { id: 0, broadcast: toPath("live/cam"), track: "t", priority: 7, ...DEFAULTS },
      "0d 00 08 6c 69 76 65 2f 63 61 6d 01 74 07",
    );
  });

  it("ordered must be 0 or 1", () => {
    expect(() => decodeSubscribe(hex("00 01 61 01 74 07 02 00 00 00"), "moq-lite-04")).toThrow(DecodeError);
  });

  it("rejects leftovers and truncation", () => {
    expect(() => decodeSubscribe(hex("00 01 61 01 74 07 00 00 00 00 00"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeSubscribe(hex("00 01 61 01 74 07 00 00 00"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeSubscribe(hex("00 01 61 01 74 07 00"), "moq-lite-02")).toThrow(DecodeError);
  });

  it("encoders validate ranges", () => {
    expect(() => encodeSubscribe({ ...roomVideo, priority: 256 }, "moq-lite-04")).toThrow(RangeError);
    expect(() => encodeSubscribe({ ...roomVideo, priority: -1 }, "moq-lite-02")).toThrow(RangeError);
    expect(() => encodeSubscribe({ ...roomVideo, priority: 1.5 }, "moq-lite-03")).toThrow(RangeError);
    expect(() => encodeSubscribe({ ...roomVideo, id: -1 }, "moq-lite-04")).toThrow(RangeError);
    expect(() => encodeSubscribe({ ...roomVideo, maxLatencyMs: 0.5 }, "moq-lite-04")).toThrow(RangeError);
    expect(() => encodeSubscribe({ ...roomVideo, startGroup: Number.MAX_SAFE_INTEGER }, "moq-lite-04")).toThrow(
      RangeError,
    );
    expect(() => encodeSubscribe({ ...roomVideo, endGroup: -1 }, "moq-lite-04")).toThrow(RangeError);
    expect(() => encodeSubscribe({ ...roomVideo, broadcast: toPath("a\nb") }, "moq-lite-04")).toThrow(RangeError);
  });
});

describe("SUBSCRIBE_UPDATE (§7.3, §13.3)", () => {
  it.each(["moq-lite-03", "moq-lite-04"] as const)("%s vector", (v) => {
    checkVector(
      encodeSubscribeUpdate,
      decodeSubscribeUpdate,
      v,
      { priority: 3, ordered: true, maxLatencyMs: 250, startGroup: undefined, endGroup: undefined },
      "06 03 01 40 fa 00 00",
    );
  });

  it.each(["moq-lite-01", "moq-lite-02"] as const)("%s: priority only", (v) => {
    checkVector(encodeSubscribeUpdate, decodeSubscribeUpdate, v, { priority: 3, ...DEFAULTS }, "01 03");
  });
});

describe("subscribe responses (§7.2, §13.3)", () => {
  const ok = (priority: number, rest: Partial<SubscribeOk> = {}): SubscribeOk => ({ priority, ...DEFAULTS, ...rest });

  it.each(["moq-lite-03", "moq-lite-04"] as const)("%s: typed SUBSCRIBE_OK and SUBSCRIBE_DROP", (v) => {
    const typed = { framing: "typed" as const };
    checkVector(encodeSubscribeOk, decodeSubscribeOk, v, ok(2), "00 05 02 00 00 00 00", { ...typed, expectType: 0 });
    checkVector(
      encodeSubscribeOk,
      decodeSubscribeOk,
      v,
      ok(2, { ordered: true, maxLatencyMs: 1000, startGroup: 42 }),
      "00 06 02 01 43 e8 2b 00",
      typed,
    );
    checkVector(encodeSubscribeOk, decodeSubscribeOk, v, ok(7, { ordered: true }), "00 05 07 01 00 00 00", typed);
    checkVector(encodeSubscribeOk, decodeSubscribeOk, v, ok(4), "00 05 04 00 00 00 00", typed);
    checkVector(encodeSubscribeOk, decodeSubscribeOk, v, ok(3, { ordered: true }), "00 05 03 01 00 00 00", typed);
    checkVector(
      encodeSubscribeDrop,
      decodeSubscribeDrop,
      v,
      { startGroup: 5, endGroup: 7, errorCode: 0 },
      "01 03 05 07 00",
      { ...typed, expectType: 1 },
    );
    expect(subscribeResponsesTyped(v)).toBe(true);
  });

  it("01: SUBSCRIBE_OK is the priority, untyped", () => {
    checkVector(encodeSubscribeOk, decodeSubscribeOk, "moq-lite-01", ok(2), "01 02");
    checkVector(encodeSubscribeOk, decodeSubscribeOk, "moq-lite-01", ok(2, { ordered: true, startGroup: 4 }), "01 02", {
      decoded: ok(2),
    });
    expect(subscribeResponsesTyped("moq-lite-01")).toBe(false);
  });

  it("02: SUBSCRIBE_OK is empty, untyped", () => {
    checkVector(encodeSubscribeOk, decodeSubscribeOk, "moq-lite-02", ok(7), "00", { decoded: ok(0) });
    expect(() => decodeSubscribeOk(hex("07"), "moq-lite-02")).toThrow(DecodeError);
    expect(() => encodeSubscribeOk(ok(300), "moq-lite-02")).toThrow(RangeError);
  });

  it("SUBSCRIBE_DROP does not exist before 03", () => {
    expect(() => encodeSubscribeDrop({ startGroup: 0, endGroup: 0, errorCode: 0 }, "moq-lite-02")).toThrow(RangeError);
    expect(() => decodeSubscribeDrop(hex("00 00 00"), "moq-lite-01")).toThrow(DecodeError);
  });

  it("decodeSubscribeResponse dispatches on the type", () => {
    expect(SubscribeResponseType).toEqual({ Ok: 0, Drop: 1 });
    expect(decodeSubscribeResponse(0, hex("02 00 00 00 00"), "moq-lite-04")).toEqual({ type: "ok", ok: ok(2) });
    expect(decodeSubscribeResponse(1, hex("05 07 00"), "moq-lite-03")).toEqual({
      type: "drop",
      drop: { startGroup: 5, endGroup: 7, errorCode: 0 },
    });
    expect(decodeSubscribeResponse(undefined, hex("02"), "moq-lite-01")).toEqual({ type: "ok", ok: ok(2) });
    expect(() => decodeSubscribeResponse(2, hex(""), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeSubscribeResponse(undefined, hex("02 00 00 00 00"), "moq-lite-04")).toThrow(DecodeError);
    expect(() => decodeSubscribeResponse(0, hex(""), "moq-lite-02")).toThrow(DecodeError);
  });
});
