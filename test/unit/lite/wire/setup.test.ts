import { describe, expect, it } from "vitest";
import { withLimits } from "../../../../main/moq/coding/limits.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import {
  BidiStreamType,
  decodeClientSetup,
  decodeServerSetup,
  decodeSessionUpdate,
  encodeClientSetup,
  encodeServerSetup,
  encodeSessionUpdate,
  SERVER_SETUP_TYPE,
  SetupParamKey,
  VERSION_CODES,
  versionFromCode,
  type ClientSetup,
  type ServerSetup,
} from "../../../../main/moq/lite/wire/index.ts";
import { checkVector, concat, hex, split, toHex } from "./helpers.ts";

const impl = new TextEncoder().encode("moq-lite-js");
const JS_PARAMS = [
  { key: SetupParamKey.MaxRequestId, value: 42069 },
  { key: SetupParamKey.Implementation, value: impl },
];
const JS_CLIENT: ClientSetup = { versions: [0xff0dad02, 0xff0dad01, 0xff00000e], params: JS_PARAMS };
const JS_SERVER: ServerSetup = { version: 0xff0dad02, params: JS_PARAMS };

describe("CLIENT_SETUP / SERVER_SETUP (§4.3)", () => {
  it("@moq/lite's client setup, with the 0x20 stream type in front", () => {
    const wire = concat(Uint8Array.of(BidiStreamType.SetupCompat), encodeClientSetup(JS_CLIENT));
    expect(toHex(wire)).toBe(
      toHex(
        hex(
          "20 00 2c 03 c0 00 00 00 ff 0d ad 02 c0 00 00 00 ff 0d ad 01 c0 00 00 00 ff 00 00 0e 02 02 80 00 a4 55 07 0b 6d 6f 71 2d 6c 69 74 65 2d 6a 73",
        ),
      ),
    );
    const decoded = decodeClientSetup(split(wire.subarray(1), "u16").body);
    expect(decoded).toEqual(JS_CLIENT);
    expect(decoded.versions.map(versionFromCode)).toEqual(["moq-lite-02", "moq-lite-01", undefined]);
  });

  it("@moq/lite's server setup, with the 0x21 type in front", () => {
    const wire = concat(Uint8Array.of(SERVER_SETUP_TYPE), encodeServerSetup(JS_SERVER));
    expect(toHex(wire)).toBe(
      toHex(hex("21 00 1b c0 00 00 00 ff 0d ad 02 02 02 80 00 a4 55 07 0b 6d 6f 71 2d 6c 69 74 65 2d 6a 73")),
    );
    expect(decodeServerSetup(split(wire.subarray(1), "u16").body)).toEqual(JS_SERVER);
  });

  it("minimal forms (what Rust sends)", () => {
    const client = { versions: [VERSION_CODES["moq-lite-02"]], params: [] };
    expect(toHex(encodeClientSetup(client))).toBe("00 0a 01 c0 00 00 00 ff 0d ad 02 00");
    expect(decodeClientSetup(hex("01 c0 00 00 00 ff 0d ad 02 00"))).toEqual(client);
    const server = { version: VERSION_CODES["moq-lite-02"], params: [] };
    expect(toHex(encodeServerSetup(server))).toBe("00 09 c0 00 00 00 ff 0d ad 02 00");
    expect(decodeServerSetup(hex("c0 00 00 00 ff 0d ad 02 00"))).toEqual(server);
  });

  it("decoded byte parameters are copies, not views of the input", () => {
    const body = split(encodeServerSetup(JS_SERVER), "u16").body;
    const decoded = decodeServerSetup(body);
    body.fill(0);
    expect(decoded.params[1]!.value).toEqual(impl);
  });

  it("bounds counts by limits.maxSetupEntries and by the body", () => {
    const many = { versions: Array.from({ length: 5 }, (_, i) => i), params: [] };
    const body = split(encodeClientSetup(many), "u16").body;
    expect(decodeClientSetup(body, withLimits({ maxSetupEntries: 5 })).versions).toHaveLength(5);
    expect(() => decodeClientSetup(body, withLimits({ maxSetupEntries: 4 }))).toThrow(/exceeds the limit of 4/);
    expect(() => decodeClientSetup(hex("3f 00"))).toThrow(DecodeError);
    expect(() => decodeServerSetup(hex("00 10 02 00"))).toThrow(DecodeError);
  });

  it("rejects truncation and leftovers", () => {
    expect(() => decodeServerSetup(hex("c0 00 00 00 ff 0d ad 02 00 00"))).toThrow(DecodeError);
    expect(() => decodeServerSetup(hex("c0 00 00 00 ff 0d ad 02 01 07 05 61"))).toThrow(DecodeError);
    expect(() => decodeClientSetup(hex(""))).toThrow(DecodeError);
  });

  it("encoders insist that even keys carry numbers and odd keys carry bytes", () => {
    expect(() => encodeServerSetup({ version: 1, params: [{ key: 2, value: impl }] })).toThrow(RangeError);
    expect(() => encodeServerSetup({ version: 1, params: [{ key: 7, value: 5 }] })).toThrow(RangeError);
    expect(() => encodeServerSetup({ version: 1, params: [{ key: 7, value: new Uint8Array(70_000) }] })).toThrow(
      /16-bit/,
    );
  });
});

describe("SESSION_UPDATE (§13.2)", () => {
  it.each(["moq-lite-01", "moq-lite-02"] as const)("%s vector", (v) => {
    checkVector(encodeSessionUpdate, decodeSessionUpdate, v, { bitrate: 1_000_000 }, "04 80 0f 42 40");
  });

  it("does not exist in 03/04", () => {
    expect(() => encodeSessionUpdate({ bitrate: 1 }, "moq-lite-03")).toThrow(RangeError);
    expect(() => decodeSessionUpdate(hex("01"), "moq-lite-04")).toThrow(DecodeError);
  });
});
