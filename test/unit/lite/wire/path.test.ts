// Paths on the wire (spec §3.4): read as Path (normalised once, control characters refused) and
// written as they are. The path algebra itself is tested in test/unit/model/path.test.ts.
import { describe, expect, it } from "vitest";
import { BytesReader } from "../../../../main/moq/coding/bytes-reader.ts";
import { Writer } from "../../../../main/moq/coding/writer.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import { toPath } from "../../../../main/moq/model/path.ts";
import { decodePath, writePath } from "../../../../main/moq/lite/wire/index.ts";

function encodeString(s: string): Uint8Array {
  return new Writer().string(s).finish();
}

describe("decodePath / writePath", () => {
  it("normalises what it reads", () => {
    expect(decodePath(new BytesReader(encodeString("/live//cam/")), "path")).toBe("live/cam");
    expect(decodePath(new BytesReader(encodeString("räum/😀")), "path")).toBe("räum/😀");
  });

  it.each(["\u0000", "a\u0001b", "tab\there", "new\nline", "\u001f", "del\u007f"])(
    "rejects control characters in %j",
    (s) => {
      expect(() => decodePath(new BytesReader(encodeString(s)), "broadcast path")).toThrow(DecodeError);
      expect(() => decodePath(new BytesReader(encodeString(s)), "broadcast path")).toThrow(
        /^broadcast path contains control character/,
      );
    },
  );

  it("rejects invalid UTF-8 and truncation", () => {
    expect(() => decodePath(new BytesReader(Uint8Array.of(2, 0xc3, 0x28)), "path")).toThrow(DecodeError);
    expect(() => decodePath(new BytesReader(Uint8Array.of(5, 0x61)), "path")).toThrow(DecodeError);
  });

  it("writes a Path as a string and reads it back unchanged", () => {
    const w = new Writer();
    writePath(w, toPath("/demo//room1/"));
    expect(decodePath(new BytesReader(w.finish()), "path")).toBe("demo/room1");
  });
});
