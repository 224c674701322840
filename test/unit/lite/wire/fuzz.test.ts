import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withLimits } from "../../../../main/moq/coding/limits.ts";
import { DecodeError } from "../../../../main/moq/errors.ts";
import { decodeSubscribeResponse, VERSIONS as W_VERSIONS } from "../../../../main/moq/lite/wire/index.ts";
import { CASES, type Codec } from "./helpers.ts";
import type { Version } from "../../../../main/moq/lite/wire/index.ts";
import { mutate, mutation } from "../../fuzz/bytes.ts";

// Bad input never crashes: any byte string either decodes or throws DecodeError. A hang would
// show up as the test timing out.

/** Run fn; anything thrown must be a DecodeError. Returns whether it decoded. */
function decodesOrDecodeError(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (!(err instanceof DecodeError)) throw new Error(`expected DecodeError, got ${String(err)}`, { cause: err });
    return false;
  }
}

const LIMITS = [undefined, withLimits({ maxHops: 2, maxSetupEntries: 2 })];
const label = (c: { codec: Codec; version: Version }) => [c.codec.name, c.version, c] as const;

describe("decoders on arbitrary bytes", () => {
  it.each(CASES.map(label))("%s in %s", (_n, _v, { codec, version }) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.constantFrom(...LIMITS), (body, limits) => {
        decodesOrDecodeError(() => codec.decode(body, version, limits));
        decodesOrDecodeError(() => codec.parse(body, version, limits));
      }),
      { numRuns: 300 },
    );
  });

  it("varint-heavy bodies (every length class, extreme values)", () => {
    const varintish = fc
      .array(fc.constantFrom(0x00, 0x3f, 0x40, 0x7f, 0xbf, 0xc0, 0xff, 0x01, 0x02), { maxLength: 40 })
      .map((a) => Uint8Array.from(a));
    for (const { codec, version } of CASES) {
      fc.assert(
        fc.property(varintish, (body) => {
          decodesOrDecodeError(() => codec.decode(body, version));
        }),
        { numRuns: 100 },
      );
    }
  });

  it("subscribe response dispatch with any type", () => {
    fc.assert(
      fc.property(
        fc.option(fc.maxSafeNat(), { nil: undefined }),
        fc.uint8Array({ maxLength: 24 }),
        fc.constantFrom(...W_VERSIONS) as fc.Arbitrary<Version>,
        (type, body, version) => {
          decodesOrDecodeError(() => decodeSubscribeResponse(type, body, version));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("decoders on mutated valid encodings", () => {
  it.each(CASES.map(label))("%s in %s", (_n, _v, { codec, version }) => {
    fc.assert(
      fc.property(
        codec.arbitrary,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...LIMITS),
        (msg, muts, limits) => {
          const bytes = mutate(codec.encode(msg, version), muts);
          // Whole encoding (type/length framing included) and the raw bytes as a body.
          decodesOrDecodeError(() => codec.parse(bytes, version, limits));
          decodesOrDecodeError(() => codec.decode(bytes, version, limits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(CASES.map(label))(
    "%s in %s: every truncation of a valid body fails cleanly",
    (_n, _v, { codec, version }) => {
      fc.assert(
        fc.property(codec.arbitrary, (msg) => {
          const bytes = codec.encode(msg, version);
          for (let i = 0; i < bytes.length; i++) {
            // A strict prefix of a whole encoding never parses: the length no longer matches.
            expect(decodesOrDecodeError(() => codec.parse(bytes.subarray(0, i), version))).toBe(false);
          }
        }),
        { numRuns: 50 },
      );
    },
  );
});
