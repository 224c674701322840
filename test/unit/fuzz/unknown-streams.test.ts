import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import type { TestServer } from "../../helpers/server.ts";
import { concat, hex, streamBody, varintOfSize } from "./bytes.ts";
import { RSS_BUDGET, type ProcessGuard } from "./guard.ts";
import { sendBidi, sendUni, type StreamEnd } from "./raw-peer.ts";
import { fuzzRuns, fuzzSeed } from "./seed.ts";
import { runAgainstServer, withFuzzServer } from "./server-harness.ts";

// Drafts 03+ (spec §12.3): a stream type the version does not define resets that stream with
// "unexpected stream type" (10) and the session carries on, still serving. Types are varints, so
// 2-, 4- and 8-byte forms are just as legal as 1-byte ones.

let server: TestServer;
let guard: ProcessGuard;
withFuzzServer((s, g) => {
  server = s;
  guard = g;
});

type Size = 1 | 2 | 4 | 8;
const minimalSize = (v: bigint): Size => (v < 64n ? 1 : v < 16_384n ? 2 : v < 2n ** 30n ? 4 : 8);
const SIZES: Size[] = [1, 2, 4, 8];

/** A stream type value and an encoding size that can carry it (minimal or longer). */
const encodedType = (values: fc.Arbitrary<bigint>) =>
  values.chain((value) =>
    fc.constantFrom(...SIZES.filter((s) => s >= minimalSize(value))).map((size) => ({ value, size })),
  );

/** Bidi types no 03/04 session defines: 0x0 (01/02 draft session), 0x6.., 0x20 (SETUP) included. */
const unknownBidi = (version: Version) =>
  encodedType(
    fc.oneof(
      fc.constantFrom(0n, 0x20n, ...(version === "moq-lite-03" ? [5n] : [])),
      fc.bigInt({ min: 6n, max: 0x3fn }),
      fc.bigInt({ min: 0x40n, max: 0x3fffn }),
      fc.bigInt({ min: 0x4000n, max: 2n ** 30n - 1n }),
      fc.bigInt({ min: 2n ** 30n, max: 2n ** 53n - 1n }),
    ),
  );
const unknownUni = encodedType(
  fc.oneof(fc.bigInt({ min: 1n, max: 0x3fn }), fc.bigInt({ min: 0x40n, max: 2n ** 53n - 1n })),
);

interface Seen {
  response?: StreamEnd;
  stopped?: number | undefined | "fin";
}

async function unknownBidiRun(version: Version, type: Uint8Array, body: Uint8Array) {
  const seen: Seen = {};
  const outcome = await runAgainstServer(server, version, async ({ transport }) => {
    // No FIN: the STOP_SENDING must come from the server, not from us finishing first.
    const { ended, writer } = await sendBidi(transport, [concat(type, body)], { fin: false });
    const stopped = writer.closed.then(
      () => "fin" as const,
      (err: { streamErrorCode?: number }) => err?.streamErrorCode,
    );
    return { settled: Promise.all([ended.then((e) => (seen.response = e)), stopped.then((s) => (seen.stopped = s))]) };
  });
  guard.sample();
  return { outcome, seen };
}

async function unknownUniRun(version: Version, type: Uint8Array, body: Uint8Array) {
  const seen: Seen = {};
  const outcome = await runAgainstServer(server, version, async ({ transport }) => {
    const { stopped } = await sendUni(transport, [concat(type, body)], { fin: false });
    return { settled: stopped.then((s) => (seen.stopped = s)) };
  });
  guard.sample();
  return { outcome, seen };
}

describe("unknown stream types", () => {
  it.each(["moq-lite-03", "moq-lite-04"] as const)(
    "bidi, %s: reset and stopped with 10, session serves on",
    async (version) => {
      await fc.assert(
        fc.asyncProperty(unknownBidi(version), streamBody, async ({ value, size }, body) => {
          const type = varintOfSize(value, size);
          const { outcome, seen } = await unknownBidiRun(version, type, body);
          const what = `${version} bidi type 0x${value.toString(16)} as ${hex(type)}`;
          expect(outcome, what).toEqual({ open: true });
          expect(seen.response, what).toEqual({ how: "reset", code: ErrorCode.UnexpectedStream });
          expect(seen.stopped, what).toBe(ErrorCode.UnexpectedStream);
        }),
        { seed: fuzzSeed(0x7e0000), numRuns: fuzzRuns(40) },
      );
    },
    120_000,
  );

  it.each(["moq-lite-03", "moq-lite-04"] as const)(
    "uni, %s: stopped with 10, session serves on",
    async (version) => {
      await fc.assert(
        fc.asyncProperty(unknownUni, streamBody, async ({ value, size }, body) => {
          const type = varintOfSize(value, size);
          const { outcome, seen } = await unknownUniRun(version, type, body);
          const what = `${version} uni type 0x${value.toString(16)} as ${hex(type)}`;
          expect(outcome, what).toEqual({ open: true });
          expect(seen.stopped, what).toBe(ErrorCode.UnexpectedStream);
        }),
        { seed: fuzzSeed(0x7e0001), numRuns: fuzzRuns(40) },
      );
    },
    120_000,
  );

  // The largest varints are stream types too: above 2^53 they cannot be a JS number, but they
  // are still just an unknown type, not malformed bytes.
  it.each([2n ** 53n, 2n ** 62n - 1n])(
    "bidi and uni type %s (beyond 2^53) are unknown types, not fatal",
    async (value) => {
      const type = varintOfSize(value, 8);
      const bidi = await unknownBidiRun("moq-lite-04", type, new Uint8Array([1, 2, 3]));
      expect(bidi.outcome).toEqual({ open: true });
      expect(bidi.seen.response).toEqual({ how: "reset", code: ErrorCode.UnexpectedStream });
      const uni = await unknownUniRun("moq-lite-04", type, new Uint8Array([1, 2, 3]));
      expect(uni.outcome).toEqual({ open: true });
      expect(uni.seen.stopped).toBe(ErrorCode.UnexpectedStream);
    },
  );

  it("known types in longer varint forms are served as those types", async () => {
    // 0x1 as `40 01`: an Announce stream; a valid 04 ANNOUNCE_INTEREST "" then FIN gets FIN back.
    const seen: { end?: StreamEnd } = {};
    const outcome = await runAgainstServer(server, "moq-lite-04", async ({ transport }) => {
      const { ended } = await sendBidi(transport, [concat(varintOfSize(1n, 2), [0x02, 0x00, 0x00])]);
      return { settled: ended.then((e) => (seen.end = e)) };
    });
    expect(outcome).toEqual({ open: true });
    expect(seen.end).toEqual({ how: "fin" });
  });

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
