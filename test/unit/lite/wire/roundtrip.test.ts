import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CASES, split } from "./helpers.ts";

// Every message in every version it exists in: decode(encode(m)) is what that version can carry,
// and re-encoding the decoded message gives the same bytes.
describe("round trips (fast-check)", () => {
  it.each(CASES.map((c) => [c.codec.name, c.version, c] as const))(
    "%s in %s",
    (_name, _version, { codec, version }) => {
      fc.assert(
        fc.property(codec.arbitrary, (msg) => {
          const bytes = codec.encode(msg, version);
          const { body } = split(bytes, codec.framing(version));
          const decoded = codec.decode(body, version);
          expect(decoded).toEqual(codec.project(msg, version));
          expect(codec.encode(decoded, version)).toEqual(bytes);
        }),
        { numRuns: 200 },
      );
    },
  );
});
