// Where a JSON text goes wrong, in words that quote nothing from it. Node 20's JSON.parse error
// gives no position and quotes a slice of the input (which may hold a token), so after a failed
// parse this scanner walks the text once more to say "line 3, column 9: expected ',' or '}'".
// It runs only on text that already failed to parse; it allocates nothing per value.

export interface JsonSyntaxError {
  /** 0-based offset into the text. */
  offset: number;
  /** 1-based line and column (columns count UTF-16 code units, as editors mostly do). */
  line: number;
  column: number;
  /** What the text should have held there: "a value", "',' or '}'", "end of text", … */
  expected: string;
  /** True when the text ended before the JSON did (a cut-off file or line). */
  endOfText: boolean;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX4 = /[0-9a-fA-F]{4}/y;

/** The first syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  // Containers still open, innermost last: "{" or "[" (iterative, so deep nesting cannot overflow).
  const open: string[] = [];
  let pos = 0;

  const fail = (at: number, expected: string): JsonSyntaxError => position(text, at, expected);
  const skipSpace = () => {
    while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
  };
  /** Scans a string starting at its opening quote; returns an error or null with pos after it. */
  const scanString = (): JsonSyntaxError | null => {
    pos++;
    for (;;) {
      if (pos >= text.length) return fail(pos, "'\"' to end the string");
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return null;
      }
      if (c < 0x20) return fail(pos, "no control character inside a string (write it escaped)");
      if (c === 0x5c) {
        const e = text[pos + 1];
        if (e === undefined) return fail(pos + 1, "an escape after '\\'");
        if (e === "u") {
          HEX4.lastIndex = pos + 2;
          if (!HEX4.test(text)) return fail(pos + 2, "four hex digits after '\\u'");
          pos += 6;
        } else if (ESCAPES.has(e)) {
          pos += 2;
        } else {
          return fail(pos + 1, "a valid escape after '\\'");
        }
        continue;
      }
      pos++;
    }
  };
  /** Scans one scalar or opens a container; pos ends after the scalar or after the bracket. */
  const scanValueStart = (): JsonSyntaxError | null => {
    skipSpace();
    if (pos >= text.length) return fail(pos, "a value");
    const c = text[pos]!;
    if (c === "{" || c === "[") {
      open.push(c);
      pos++;
      return null;
    }
    if (c === '"') return scanString();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return null;
      }
    }
    NUMBER.lastIndex = pos;
    if (NUMBER.test(text)) {
      pos = NUMBER.lastIndex;
      return null;
    }
    return fail(pos, "a value");
  };
  /** In an object, after "{" or ",": a key string and a colon. */
  const scanKey = (): JsonSyntaxError | null => {
    skipSpace();
    if (text[pos] !== '"') return fail(pos, "a '\"'-quoted key");
    const bad = scanString();
    if (bad) return bad;
    skipSpace();
    if (text[pos] !== ":") return fail(pos, "':' after the key");
    pos++;
    return null;
  };

  // "value": a value is due; "first": just inside a bracket (it may close at once); "after": a value ended.
  let state: "value" | "first" | "after" = "value";
  for (;;) {
    if (state === "value") {
      const depth = open.length;
      const bad = scanValueStart();
      if (bad) return bad;
      state = open.length > depth ? "first" : "after";
      continue;
    }
    skipSpace();
    const top = open.at(-1);
    if (top === undefined) return pos < text.length ? fail(pos, "end of text (one JSON value only)") : null;
    const close = top === "{" ? "}" : "]";
    if (text[pos] === close) {
      open.pop();
      pos++;
      state = "after";
      continue;
    }
    if (state === "after") {
      if (text[pos] !== ",") return fail(pos, `',' or '${close}'`);
      pos++;
    }
    if (top === "{") {
      const bad = scanKey();
      if (bad) return bad;
    }
    state = "value";
  }
}

function position(text: string, offset: number, expected: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1, expected, endOfText: offset >= text.length };
}

/** "line 3, column 9: expected ',' or '}'" (or "the text ends early: expected …"). */
export function describeJsonSyntaxError(e: JsonSyntaxError, withLine = true): string {
  const where = withLine ? `line ${e.line}, column ${e.column}` : `column ${e.column}`;
  return e.endOfText ? `${where}: the text ends early, expected ${e.expected}` : `${where}: expected ${e.expected}`;
}
