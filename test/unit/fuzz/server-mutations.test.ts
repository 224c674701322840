import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import type { TestServer } from "../../helpers/server.ts";
import { HUGE_LENGTHS, chunking, hex, mutate, mutation, split } from "./bytes.ts";
import { RSS_BUDGET, type ProcessGuard } from "./guard.ts";
import { sendBidi, sendUni } from "./raw-peer.ts";
import { fuzzRuns, fuzzSeed } from "./seed.ts";
import {
  LIVE_BROADCAST,
  LIVE_TRACK,
  expectOpenOrViolation,
  runAgainstServer,
  type Acted,
  type RawRun,
  withFuzzServer,
} from "./server-harness.ts";
import { bytesOf, lieAboutLength, requestTemplates, setupTemplate, type Template } from "./templates.ts";

// Valid request streams (encoded by our own encoders), mutated: bytes flipped, set, inserted,
// deleted, truncated, or a length prefix replaced by a huge value. The server session must stay
// open and serving, or close with protocol violation (15); a huge length must never be allocated.

const VERSIONS: Version[] = ["moq-lite-03", "moq-lite-04", "moq-lite-05", "moq-lite-06"];
const LIVE = { broadcast: LIVE_BROADCAST, track: LIVE_TRACK };

let server: TestServer;
let guard: ProcessGuard;
withFuzzServer((s, g) => {
  server = s;
  guard = g;
});

/** Send a request; with FIN, wait for the server's answer to it, without, for nothing more. */
function send(template: Template, chunks: Uint8Array[], fin = true): (run: RawRun) => Promise<Acted> {
  return async ({ transport }) => {
    if (template.uni) {
      const { stopped } = await sendUni(transport, chunks, { fin });
      return { settled: fin ? stopped : Promise.resolve() };
    }
    const { ended } = await sendBidi(transport, chunks, { fin });
    return { settled: fin ? ended : Promise.resolve() };
  };
}

describe("server session fed mutated valid requests", () => {
  it("unmutated templates are served and leave the session open", async () => {
    for (const version of VERSIONS) {
      for (const t of requestTemplates(version, LIVE)) {
        const outcome = await runAgainstServer(server, version, send(t, [bytesOf(t)]));
        expect(outcome, `${version} ${t.name}`).toEqual({ open: true });
      }
    }
  });

  // Every template some version has (GOAWAY is 04's, TRACK 05's, frame bounds 06's).
  const names = [...new Set(VERSIONS.flatMap((v) => requestTemplates(v, LIVE).map((t) => t.name)))].map(
    (name, i) => [name, i] as const,
  );
  it.each(names)(
    "%s, mutated",
    async (name, index) => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...VERSIONS),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          chunking,
          async (version, muts, cuts) => {
            const template = requestTemplates(version, LIVE).find((t) => t.name === name);
            if (!template) return; // not in this version
            const bytes = mutate(bytesOf(template), muts);
            const outcome = await runAgainstServer(server, version, send(template, split(bytes, cuts)));
            guard.sample();
            expectOpenOrViolation(outcome, `${version} ${name} mutated to ${hex(bytes)}`);
          },
        ),
        { seed: fuzzSeed(0xa11ce0 + index), numRuns: fuzzRuns(100) },
      );
    },
    120_000,
  );
});

describe("server session fed a mutated SETUP stream (05+)", () => {
  it("SETUP, mutated", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Version>("moq-lite-05", "moq-lite-06"),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        chunking,
        async (version, muts, cuts) => {
          const bytes = mutate(bytesOf(setupTemplate(version)), muts);
          const outcome = await runAgainstServer(
            server,
            version,
            async () => ({ settled: Promise.resolve() }),
            split(bytes, cuts),
          );
          guard.sample();
          expectOpenOrViolation(outcome, `${version} SETUP mutated to ${hex(bytes)}`);
        },
      ),
      { seed: fuzzSeed(0x5e7a9), numRuns: fuzzRuns(100) },
    );
  }, 120_000);
});

describe("server session fed huge length prefixes", () => {
  // Every first message here is a control message: its limit is 64 KiB, so any claimed length
  // above that must close the session at once, before a byte of body is awaited, FIN or not.
  const cases = VERSIONS.flatMap((version) =>
    requestTemplates(version, LIVE).flatMap((t) =>
      HUGE_LENGTHS.filter((v) => v > 65_536n).map((value) => ({ version, template: t, value })),
    ),
  );

  it.each(cases.map((c) => [c.version, c.template.name, String(c.value), c] as const))(
    "%s %s length %s",
    async (_v, _n, _l, { version, template, value }) => {
      for (const fin of [true, false]) {
        const size = value < 2n ** 30n ? 4 : 8;
        const lying = {
          ...template,
          messages: [lieAboutLength(template.messages[0]!, value, size), ...template.messages.slice(1)],
        };
        // Without FIN, follow with filler: a reader that believed the length would keep buffering.
        const chunks = fin ? [bytesOf(lying)] : [bytesOf(lying), new Uint8Array(64 * 1024).fill(0x41)];
        const outcome = await runAgainstServer(server, version, send(lying, chunks, fin));
        guard.sample();
        expect(outcome, `fin=${fin} ${hex(bytesOf(lying))}`).toMatchObject({
          open: false,
          close: { code: ErrorCode.ProtocolViolation, by: "local" },
        });
      }
    },
  );

  it("a length at the limit with the body still missing keeps the session open", async () => {
    for (const version of VERSIONS) {
      const [t] = requestTemplates(version, LIVE);
      const lying = { ...t!, messages: [lieAboutLength(t!.messages[0]!, 65_536n, 4)] };
      const outcome = await runAgainstServer(server, version, send(lying, [bytesOf(lying)], false));
      expect(outcome).toEqual({ open: true });
    }
  });

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
