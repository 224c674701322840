import { readFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Pattern, PatternError, reduce } from "../../../main/moq/relay/pattern.ts";

const p = (s: string) => Pattern.parse(s);
const texts = (ps: Pattern[]) => ps.map(String);

describe("Pattern", () => {
  it("parses, refuses with a reason, and prints the canonical form", () => {
    expect(String(p("a/*/**/b"))).toBe("a/**/*/b");
    expect(String(p("*/*/**"))).toBe("**/*/*");
    expect(p("").segments).toEqual([]);
    for (const [text, kind] of [
      ["/a", "empty-segment"],
      ["a//b", "empty-segment"],
      ["**/x/**", "multiple-globstars"],
      ["***", "invalid-segment"],
      ["a*b*c", "invalid-segment"],
      [Array(33).fill("x").join("/"), "too-many-segments"],
    ] as const) {
      expect(() => p(text), text).toThrow(PatternError);
      expect(() => p(text)).toThrow(expect.objectContaining({ kind }));
    }
  });

  it("matches whole segments", () => {
    const cases: [string, string, boolean][] = [
      ["", "", true],
      ["", "a", false],
      ["**", "", true],
      ["a/**", "a", true],
      ["a/**", "ab", false],
      ["anon/**", "anonymous/x", false],
      ["**/c", "a/b/c", true],
      ["**/c", "a/c/b", false],
      ["a/*/c", "a/c", false],
      ["pid/*/chat", "pid/room/chat", true],
      ["**/*.hang", "pid/cam.hang", true],
      ["**/*.hang", "pid/cam.hang/x", false],
      ["a*a", "a", false],
      ["a*a", "aa", true],
      ["a", "/a/", true],
    ];
    for (const [pattern, path, want] of cases) expect(p(pattern).matches(path), `${pattern} ~ ${path}`).toBe(want);
  });

  it("knows its head and whether it is literal", () => {
    expect(p("a/b/*/c").head).toBe("a/b");
    expect(p("**/a").head).toBe("");
    expect(p("live/cam").isLiteral).toBe(true);
    expect(String(Pattern.subtree("/a//b/"))).toBe("a/b/**");
    expect(String(Pattern.subtree(""))).toBe("**");
  });

  it("decides containment, both ways", () => {
    const cases: [string, string, boolean][] = [
      ["**", "a/*/b", true],
      ["", "**", false],
      ["a/**", "a", true],
      ["a/**", "**/a", false],
      ["**/*", "*/x/**", true],
      ["*/*/**", "a/**", false],
      ["a/**/c", "a/**/x/c", true],
      ["*.hang", "cam*.hang", true],
      ["*.hang", "cam*hang", false],
      ["foo*", "foo.*.hang", true],
    ];
    for (const [outer, inner, want] of cases) expect(p(outer).contains(p(inner)), `${outer} ⊇ ${inner}`).toBe(want);
  });

  it("moves between roots", () => {
    expect(texts(p("a/**").rebase("a/b"))).toEqual(["**"]);
    expect(texts(p("a/**").rebase("b"))).toEqual([]);
    expect(texts(p("**/a").rebase("a"))).toEqual(["", "**/a"]);
    expect(texts(p("a/**/b/c").rebase("a/b"))).toEqual(["**/b/c", "c"]);
    expect(String(p("*/c").rooted("/r//"))).toBe("r/*/c");
    expect(texts(reduce([p("a/**"), p("a/b"), p("**/c")]))).toEqual(["**/c", "a/**"]);
  });
});

// moq-pattern's golden vectors (shared by its Rust and JS implementations), read where the crate
// source is in the local cargo registry (after `cargo install moq-relay`); nothing is copied here.
const golden = findGoldenVectors();

describe.runIf(golden)("Pattern against moq-pattern's golden vectors", () => {
  type Vectors = Record<string, Record<string, unknown>[]>;
  const v = golden ? (JSON.parse(readFileSync(golden, "utf8")) as Vectors) : {};

  it("parse", () => {
    for (const c of v.parse!) {
      const text = c.text as string;
      if (c.error) expect(() => p(text), text).toThrow(expect.objectContaining({ kind: c.error }));
      else expect(String(p(text)), text).toBe((c.canonical as string | undefined) ?? text);
    }
  });
  it("matches", () => {
    for (const c of v.matches!)
      expect(p(c.pattern as string).matches(c.path as string), `${c.pattern} ~ ${c.path}`).toBe(c.expect);
  });
  it("contains", () => {
    for (const c of v.contains!)
      expect(p(c.outer as string).contains(p(c.inner as string)), `${c.outer} ⊇ ${c.inner}`).toBe(c.expect);
  });
  it("rebase (as sets) and rooted", () => {
    for (const c of v.rebase!) {
      const got = texts(p(c.pattern as string).rebase(c.root as string)).sort();
      expect(got, `${c.pattern} at ${c.root}`).toEqual([...(c.expect as string[])].sort());
    }
    for (const c of v.rooted!) {
      const rooted = () => String(p(c.pattern as string).rooted(c.root as string));
      if (c.error) expect(rooted).toThrow(expect.objectContaining({ kind: c.error }));
      else expect(rooted()).toBe(c.expect);
    }
  });
  it("union", () => {
    for (const c of v.union!) expect(texts(reduce((c.input as string[]).map(p)))).toEqual(c.reduced);
  });
});
if (!golden) console.log("moq-pattern golden vectors skipped: no moq-pattern crate source in ~/.cargo/registry");

function findGoldenVectors(): string | undefined {
  const src = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "registry", "src");
  try {
    for (const index of readdirSync(src)) {
      const crates = readdirSync(join(src, index)).filter((d) => /^moq-pattern-\d/.test(d));
      const newest = crates.sort().at(-1);
      if (newest) return join(src, index, newest, "tests", "pattern.json");
    }
  } catch {
    // No cargo registry here.
  }
  return undefined;
}
