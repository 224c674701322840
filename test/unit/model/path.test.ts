import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PathError, ROOT, hasPrefix, joinPath, stripPrefix, toPath } from "../../../main/moq/model/path.ts";

// Path segments as they appear in real broadcast names, without "/" or control characters.
const segment = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[/\u0000-\u001f\u007f]/.test(s));
const pathArb = fc.array(segment, { maxLength: 4 }).map((segments) => toPath(segments.join("/")));

describe("Path (spec §3.4)", () => {
  it.each([
    ["/demo/room1/", "demo/room1"],
    ["demo//room1", "demo/room1"],
    ["///", ""],
    ["", ""],
    ["a", "a"],
    ["//a///b//c//", "a/b/c"],
  ])("toPath(%j) = %j", (input, out) => {
    expect(toPath(input)).toBe(out);
  });

  it("refuses control characters and says where", () => {
    expect(() => toPath("demo/\nroom", "broadcast")).toThrow(PathError);
    expect(() => toPath("demo/\nroom", "broadcast")).toThrow("broadcast contains control character 0x0a at 5");
    expect(() => toPath("a\u007f")).toThrow("path contains control character 0x7f at 1");
    expect(() => toPath(42 as unknown as string)).toThrow("path must be a string, not number");
  });

  it("matches prefixes on segment boundaries", () => {
    const p = toPath;
    expect(hasPrefix(ROOT, p("anything/at/all"))).toBe(true);
    expect(hasPrefix(p("demo"), p("demo"))).toBe(true);
    expect(hasPrefix(p("demo"), p("demo/room1"))).toBe(true);
    expect(hasPrefix(p("demo"), p("demox"))).toBe(false);
    expect(hasPrefix(p("dem"), p("demo/room1"))).toBe(false);
    expect(hasPrefix(p("demo/"), p("/demo/room1"))).toBe(true);
    expect(hasPrefix(p("demo/room1"), p("demo"))).toBe(false);
  });

  it("strips prefixes as the reference implementations do", () => {
    const p = toPath;
    expect(stripPrefix(p("demo"), p("demo/room1"))).toBe("room1");
    expect(stripPrefix(p("demo"), p("demo"))).toBe("");
    expect(stripPrefix(p("dem"), p("demo/room1"))).toBeUndefined();
    expect(stripPrefix(ROOT, p("demo"))).toBe("demo");
    expect(stripPrefix(p("demo"), p("demox/a"))).toBeUndefined();
    expect(stripPrefix(p("a/b"), p("a/b/c/d"))).toBe("c/d");
  });

  it("joins with one slash unless a side is empty", () => {
    const p = toPath;
    expect(joinPath(p("room"), p("alice"))).toBe("room/alice");
    expect(joinPath(ROOT, p("alice"))).toBe("alice");
    expect(joinPath(p("room"), ROOT)).toBe("room");
    expect(joinPath(ROOT, ROOT)).toBe("");
    expect(joinPath(p("/room/"), p("/alice/"))).toBe("room/alice");
  });

  it("keeps normal form: join and strip are inverses, and toPath is idempotent", () => {
    fc.assert(
      fc.property(pathArb, pathArb, (prefix, suffix) => {
        const full = joinPath(prefix, suffix);
        expect(toPath(full)).toBe(full);
        expect(hasPrefix(prefix, full)).toBe(true);
        expect(stripPrefix(prefix, full)).toBe(suffix);
      }),
    );
  });

  it("leaves no empty segments, whatever the slashes", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("/", "a", "b", "é") }), (s) => {
        const n = toPath(s);
        expect(toPath(n)).toBe(n);
        expect(n.startsWith("/") || n.endsWith("/") || n.includes("//")).toBe(false);
      }),
    );
  });
});
