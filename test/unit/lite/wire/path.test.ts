import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BytesReader } from "../../../../main/moq/coding/bytes-reader.ts";
import { Writer } from "../../../../main/moq/coding/writer.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import { decodePath, hasPrefix, joinPath, normalizePath, stripPrefix, writePath } from "../../../../main/moq/lite/wire/index.ts";
import { pathArb } from "./helpers.ts";

function encodeString(s: string): Uint8Array {
  return new Writer().string(s).finish();
}

describe("paths (§3.4)", () => {
  it.each([
    ["/demo/room1/", "demo/room1"],
    ["demo//room1", "demo/room1"],
    ["///", ""],
    ["", ""],
    ["a", "a"],
    ["//a///b//c//", "a/b/c"],
  ])("normalizePath(%j) = %j", (input, out) => {
    expect(normalizePath(input)).toBe(out);
  });

  it("matches prefixes on segment boundaries", () => {
    expect(hasPrefix("", "anything/at/all")).toBe(true);
    expect(hasPrefix("demo", "demo")).toBe(true);
    expect(hasPrefix("demo", "demo/room1")).toBe(true);
    expect(hasPrefix("demo", "demox")).toBe(false);
    expect(hasPrefix("dem", "demo/room1")).toBe(false);
    expect(hasPrefix("demo/", "/demo/room1")).toBe(true);
    expect(hasPrefix("demo/room1", "demo")).toBe(false);
  });

  it("strips prefixes as @moq/lite does", () => {
    expect(stripPrefix("demo", "demo/room1")).toBe("room1");
    expect(stripPrefix("demo", "demo")).toBe("");
    expect(stripPrefix("dem", "demo/room1")).toBeUndefined();
    expect(stripPrefix("", "demo")).toBe("demo");
    expect(stripPrefix("demo", "demox/a")).toBeUndefined();
    expect(stripPrefix("a/b", "a/b/c/d")).toBe("c/d");
  });

  it("joins with one slash unless a side is empty", () => {
    expect(joinPath("room", "alice")).toBe("room/alice");
    expect(joinPath("", "alice")).toBe("alice");
    expect(joinPath("room", "")).toBe("room");
    expect(joinPath("", "")).toBe("");
    expect(joinPath("/room/", "/alice/")).toBe("room/alice");
  });

  it("join and strip are inverses on normalised paths", () => {
    fc.assert(
      fc.property(pathArb, pathArb, (prefix, suffix) => {
        const full = joinPath(prefix, suffix);
        expect(hasPrefix(prefix, full)).toBe(true);
        expect(stripPrefix(prefix, full)).toBe(suffix);
        expect(normalizePath(full)).toBe(full);
      }),
    );
  });

  it("normalizePath is idempotent and leaves no empty segments", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("/", "a", "b", "é") }), (s) => {
        const n = normalizePath(s);
        expect(normalizePath(n)).toBe(n);
        expect(n.startsWith("/") || n.endsWith("/") || n.includes("//")).toBe(false);
      }),
    );
  });
});

describe("decodePath / writePath", () => {
  it("normalises what it reads", () => {
    expect(decodePath(new BytesReader(encodeString("/live//cam/")), "path")).toBe("live/cam");
    expect(decodePath(new BytesReader(encodeString("räum/😀")), "path")).toBe("räum/😀");
  });

  it.each(["\u0000", "a\u0001b", "tab\there", "new\nline", "\u001f", "del\u007f"])("rejects control characters in %j", (s) => {
    expect(() => decodePath(new BytesReader(encodeString(s)), "path")).toThrow(DecodeError);
    expect(() => writePath(new Writer(), s, "path")).toThrow(RangeError);
  });

  it("rejects invalid UTF-8 and truncation", () => {
    expect(() => decodePath(new BytesReader(Uint8Array.of(2, 0xc3, 0x28)), "path")).toThrow(DecodeError);
    expect(() => decodePath(new BytesReader(Uint8Array.of(5, 0x61)), "path")).toThrow(DecodeError);
  });

  it("writes normalised paths", () => {
    const w = new Writer();
    writePath(w, "/demo//room1/", "path");
    expect(decodePath(new BytesReader(w.finish()), "path")).toBe("demo/room1");
  });
});
