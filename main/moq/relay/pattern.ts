// Path patterns, as moq-relay 0.17 and moq-auth grant access: "/"-separated segments where a
// segment is a literal, `*` (any one segment), `pre*suf` (one segment with that start and end,
// not overlapping) or `**` (any number of segments, at most one per pattern). "" has no
// segments and matches only the empty path, the session root itself; `**` matches everything.

/** Thrown for text that is not a pattern; `kind` is the reason in a word. */
export class PatternError extends RangeError {
  override name = "PatternError";
  constructor(
    readonly kind: "empty-segment" | "multiple-globstars" | "invalid-segment" | "too-many-segments",
    message: string,
  ) {
    super(message);
  }
}

export const MAX_PATTERN_SEGMENTS = 32;

type Segment =
  | { kind: "literal"; text: string }
  /** `pre*suf`; `*` alone has both empty. */
  | { kind: "glob"; pre: string; suf: string }
  | { kind: "globstar" };

export class Pattern {
  private constructor(readonly segments: readonly Segment[]) {}

  /** Parse `text`; a pattern's canonical form moves `**` ahead of the `*` segments next to it. */
  static parse(text: string): Pattern {
    if (text === "") return new Pattern([]);
    const parts = text.split("/");
    if (parts.length > MAX_PATTERN_SEGMENTS)
      throw new PatternError(
        "too-many-segments",
        `pattern ${JSON.stringify(text)} has more than ${MAX_PATTERN_SEGMENTS} segments`,
      );
    const segments = parts.map((part) => parseSegment(part, text));
    const stars = segments.filter((s) => s.kind === "globstar").length;
    if (stars > 1)
      throw new PatternError("multiple-globstars", `pattern ${JSON.stringify(text)} has more than one "**"`);
    let g = segments.findIndex((s) => s.kind === "globstar");
    while (g > 0 && isAnySegment(segments[g - 1]!)) {
      [segments[g - 1], segments[g]] = [segments[g]!, segments[g - 1]!];
      g--;
    }
    return new Pattern(segments);
  }

  /** `path/**`: the path and everything below it. */
  static subtree(path: string): Pattern {
    return Pattern.parse(joinSegments([...pathSegments(path), "**"]));
  }

  toString(): string {
    return joinSegments(this.segments.map(segmentText));
  }

  /** No wildcard: the pattern names exactly one path. */
  get isLiteral(): boolean {
    return this.segments.every((s) => s.kind === "literal");
  }

  /** The literal segments before the first wildcard: every match lies under this path. */
  get head(): string {
    const i = this.segments.findIndex((s) => s.kind !== "literal");
    return joinSegments(this.segments.slice(0, i < 0 ? undefined : i).map(segmentText));
  }

  /** Does `path` (normalised first: `/a//b/` is `a/b`) match? */
  matches(path: string): boolean {
    return matchFrom(this.segments, 0, pathSegments(path), 0);
  }

  /** Does every path `inner` matches also match this pattern? */
  contains(inner: Pattern): boolean {
    return containsPattern(this.segments, inner.segments);
  }

  /** The same paths, written under `root`'s literal segments (a root with `*` in it is refused). */
  rooted(root: string): Pattern {
    const literals = pathSegments(root).map((text) => {
      if (text.includes("*"))
        throw new PatternError("invalid-segment", `root ${JSON.stringify(root)} is a path, not a pattern`);
      return { kind: "literal" as const, text };
    });
    return new Pattern([...literals, ...this.segments]);
  }

  /**
   * The patterns that match, relative to `root`, what this one matches below (or at) it: none when
   * nothing is there, two when a `**` may or may not reach past the root (`**∕a` at `a` is "" and `**∕a`).
   */
  rebase(root: string): Pattern[] {
    const out: Pattern[] = [];
    rebaseFrom(this.segments, 0, pathSegments(root), 0, out);
    return reduce(out);
  }
}

/** Patterns without duplicates or members another member contains, in UTF-8 byte order. */
export function reduce(patterns: readonly Pattern[]): Pattern[] {
  const unique = [...new Map(patterns.map((p) => [p.toString(), p])).values()];
  // Two texts for the same set (`*.x` twice is deduplicated above) keep the one sorting first.
  const kept = unique.filter((p) =>
    unique.every(
      (q) => q === p || !q.contains(p) || (p.contains(q) && compareCodePoints(p.toString(), q.toString()) < 0),
    ),
  );
  return kept.sort((a, b) => compareCodePoints(a.toString(), b.toString()));
}

/** A path's segments, with empty ones (leading, trailing, doubled "/") dropped. */
export function pathSegments(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function joinSegments(segments: readonly string[]): string {
  return segments.join("/");
}

function parseSegment(part: string, text: string): Segment {
  if (part === "")
    throw new PatternError(
      "empty-segment",
      `pattern ${JSON.stringify(text)} has an empty segment (no leading, trailing or doubled "/")`,
    );
  if (part === "**") return { kind: "globstar" };
  const star = part.indexOf("*");
  if (star < 0) return { kind: "literal", text: part };
  if (part.indexOf("*", star + 1) >= 0)
    throw new PatternError(
      "invalid-segment",
      `pattern ${JSON.stringify(text)}: segment ${JSON.stringify(part)} may have one "*" (or be "**")`,
    );
  return { kind: "glob", pre: part.slice(0, star), suf: part.slice(star + 1) };
}

function isAnySegment(s: Segment): boolean {
  return s.kind === "glob" && s.pre === "" && s.suf === "";
}

function segmentText(s: Segment): string {
  if (s.kind === "literal") return s.text;
  if (s.kind === "globstar") return "**";
  return `${s.pre}*${s.suf}`;
}

function segmentMatches(s: Segment, text: string): boolean {
  if (s.kind === "literal") return s.text === text;
  if (s.kind === "globstar") return true;
  return text.length >= s.pre.length + s.suf.length && text.startsWith(s.pre) && text.endsWith(s.suf);
}

/** Outer and inner are single-segment (not `**`): does outer match every text inner matches? */
function segmentContains(outer: Segment, inner: Segment): boolean {
  if (inner.kind === "literal") return segmentMatches(outer, inner.text);
  if (outer.kind !== "glob" || inner.kind !== "glob") return false;
  return inner.pre.startsWith(outer.pre) && inner.suf.endsWith(outer.suf);
}

function matchFrom(p: readonly Segment[], i: number, path: readonly string[], j: number): boolean {
  if (i === p.length) return j === path.length;
  const s = p[i]!;
  if (s.kind === "globstar") {
    for (let k = j; k <= path.length; k++) if (matchFrom(p, i + 1, path, k)) return true;
    return false;
  }
  return j < path.length && segmentMatches(s, path[j]!) && matchFrom(p, i + 1, path, j + 1);
}

/** Split around the `**`: [before, after], or undefined for a fixed-length pattern. */
function splitAtGlobstar(p: readonly Segment[]): [readonly Segment[], readonly Segment[]] | undefined {
  const g = p.findIndex((s) => s.kind === "globstar");
  return g < 0 ? undefined : [p.slice(0, g), p.slice(g + 1)];
}

// With at most one `**` each, containment is decided position by position: the outer pattern's
// fixed segments line up with the inner's from the front and from the back, and where the inner
// has a `**` the outer must have one too (and only `*` may stand over the inner's `**`).
function containsPattern(outer: readonly Segment[], inner: readonly Segment[]): boolean {
  const o = splitAtGlobstar(outer);
  const n = splitAtGlobstar(inner);
  if (!o) return !n && outer.length === inner.length && outer.every((s, k) => segmentContains(s, inner[k]!));
  const [front, back] = o;
  const [innerFront, innerBack] = n ?? [inner, []];
  const innerFixed = n ? innerFront.length + innerBack.length : inner.length;
  if (innerFixed < front.length + back.length) return false;
  const fixed = n ? undefined : inner; // a fixed-length inner lines up from both ends
  for (let k = 0; k < front.length; k++) {
    const s = fixed ? fixed[k] : innerFront[k];
    if (s ? !segmentContains(front[k]!, s) : !isAnySegment(front[k]!)) return false;
  }
  for (let k = 1; k <= back.length; k++) {
    const s = fixed ? fixed[fixed.length - k] : innerBack[innerBack.length - k];
    if (s ? !segmentContains(back[back.length - k]!, s) : !isAnySegment(back[back.length - k]!)) return false;
  }
  return true;
}

function rebaseFrom(p: readonly Segment[], i: number, root: readonly string[], j: number, out: Pattern[]): void {
  if (j === root.length) {
    out.push(patternOf(p.slice(i)));
    return;
  }
  if (i === p.length) return;
  const s = p[i]!;
  if (s.kind === "globstar") {
    out.push(patternOf(p.slice(i))); // the `**` reaches past the root
    for (let k = j; k <= root.length; k++) rebaseFrom(p, i + 1, root, k, out);
    return;
  }
  if (segmentMatches(s, root[j]!)) rebaseFrom(p, i + 1, root, j + 1, out);
}

function patternOf(segments: readonly Segment[]): Pattern {
  return Pattern.parse(joinSegments(segments.map(segmentText)));
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
  return x.length - y.length;
}
