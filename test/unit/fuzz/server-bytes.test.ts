import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BidiStreamType, UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import type { TestServer } from "../../helpers/server.ts";
import { chunking, concat, hex, split, streamBody } from "./bytes.ts";
import { RSS_BUDGET, type ProcessGuard } from "./guard.ts";
import { sendBidi, sendUni } from "./raw-peer.ts";
import { fuzzRuns, fuzzSeed } from "./seed.ts";
import { expectOpenOrViolation, runAgainstServer, withFuzzServer } from "./server-harness.ts";

// A valid stream type followed by arbitrary bytes and FIN, on a fresh connection each run: the
// server session must either stay open (and keep serving) or close with protocol violation (15).
// Nothing else: no other close code, no hang, no exception escaping into the process.

const ALL: Version[] = ["moq-lite-03", "moq-lite-04", "moq-lite-05", "moq-lite-06"];
const kinds: { name: string; type: number; uni: boolean; versions: Version[] }[] = [
  { name: "announce (bidi 0x1)", type: BidiStreamType.Announce, uni: false, versions: ALL },
  { name: "subscribe (bidi 0x2)", type: BidiStreamType.Subscribe, uni: false, versions: ALL },
  { name: "fetch (bidi 0x3)", type: BidiStreamType.Fetch, uni: false, versions: ALL },
  { name: "probe (bidi 0x4)", type: BidiStreamType.Probe, uni: false, versions: ALL },
  { name: "goaway (bidi 0x5)", type: BidiStreamType.Goaway, uni: false, versions: ["moq-lite-04"] },
  { name: "track (bidi 0x6)", type: BidiStreamType.Track, uni: false, versions: ["moq-lite-05", "moq-lite-06"] },
  { name: "group (uni 0x0)", type: UniStreamType.Group, uni: true, versions: ALL },
];

let server: TestServer;
let guard: ProcessGuard;
withFuzzServer((s, g) => {
  server = s;
  guard = g;
});

describe("server session fed arbitrary bytes after a valid stream type", () => {
  it.each(kinds.map((k, i) => [k.name, k, i] as const))(
    "%s",
    async (_name, kind, index) => {
      const tally = { open: 0, closed: 0 };
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...kind.versions), streamBody, chunking, async (version, body, cuts) => {
          const bytes = concat([kind.type], body);
          const outcome = await runAgainstServer(server, version, async ({ transport }) => {
            const chunks = split(bytes, cuts);
            if (kind.uni) return { settled: (await sendUni(transport, chunks)).stopped };
            return { settled: (await sendBidi(transport, chunks)).ended };
          });
          guard.sample();
          tally[outcome.open ? "open" : "closed"]++;
          expectOpenOrViolation(outcome, `${version} ${kind.name} bytes ${hex(bytes)}`);
        }),
        { seed: fuzzSeed(0x5eed00 + index), numRuns: fuzzRuns(100) },
      );
      // Most random bodies are malformed; a run where nothing ever closed means the bytes never
      // reached a decoder.
      expect(tally.closed).toBeGreaterThan(0);
    },
    120_000,
  );

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
