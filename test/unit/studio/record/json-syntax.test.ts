// The JSON syntax locator agrees with JSON.parse on what is valid, and places the first error
// where the text stops being a prefix of some valid JSON.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeJsonSyntaxError, findJsonSyntaxError } from "../../../../main/studio/record/json-syntax.ts";

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("findJsonSyntaxError", () => {
  it("finds nothing in valid JSON", () => {
    fc.assert(
      fc.property(fc.json(), (text) => findJsonSyntaxError(text) === null),
      { numRuns: 300 },
    );
  });

  it("agrees with JSON.parse on damaged JSON (a cut, a character dropped or added)", () => {
    const damaged = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom("cut", "drop", "add"), fc.constantFrom(...'{}[],:"\\x1 \n'))
      .map(([text, n, how, c]) => {
        const at = text.length === 0 ? 0 : n % text.length;
        if (how === "cut") return text.slice(0, at);
        if (how === "drop") return text.slice(0, at) + text.slice(at + 1);
        return text.slice(0, at) + c + text.slice(at);
      });
    fc.assert(
      fc.property(damaged, (text) => {
        const error = findJsonSyntaxError(text);
        expect(error === null).toBe(parses(text));
        if (error !== null) expect(error.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 1000 },
    );
  });

  it("says where and what, in lines and columns", () => {
    const error = findJsonSyntaxError('{\n  "a": [1, 2\n  "b": 3\n}')!;
    expect(describeJsonSyntaxError(error)).toBe("line 3, column 3: expected ',' or ']'");
    expect(describeJsonSyntaxError(findJsonSyntaxError('{"a":')!)).toBe(
      "line 1, column 6: the text ends early, expected a value",
    );
    expect(findJsonSyntaxError("[".repeat(100_000))?.endOfText).toBe(true);
  });
});
