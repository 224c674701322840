import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSubscribeOk, decodeSubscribe } from "../../../main/moq/lite/wire/subscribe.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import type { TestServer } from "../../helpers/server.ts";
import { concat, hex } from "./bytes.ts";
import { consumeAnnounced, consumeProbe, consumeSubscription, runClient } from "./client-harness.ts";
import { RSS_BUDGET, watchProcess, type ProcessGuard } from "./guard.ts";
import { drain, writeAll } from "./raw-peer.ts";
import { startRawServer, type RawConnection, type RawServer } from "./raw-server.ts";
import { fuzzRuns, fuzzSeed } from "./seed.ts";
import { LIVE_BROADCAST, LIVE_TRACK, runAgainstServer, startFuzzServer } from "./server-harness.ts";
import { bytesOf, requestTemplates, responseTemplates } from "./templates.ts";

// A peer's RESET_STREAM or STOP_SENDING is never fatal (spec §2.2): whatever was sent before it, as
// long as those bytes were a valid prefix, the session stays open (and a server keeps serving).

const VERSIONS: Version[] = ["moq-lite-03", "moq-lite-04"];
const version = fc.constantFrom(...VERSIONS);
/** Reset codes, including ones no registry defines; QMux carries 32 bits. */
const code = fc.oneof(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 64, max: 2 ** 32 - 1 }));

let server: TestServer;
let raw: RawServer;
let guard: ProcessGuard;
beforeAll(async () => {
  guard = watchProcess();
  server = await startFuzzServer();
  raw = await startRawServer();
});
afterAll(async () => {
  guard.stop();
  await server.close();
  await raw.close();
});

describe("peer resets are never fatal", () => {
  it("server: a request stream reset (or stopped) after any prefix of a valid request", async () => {
    const LIVE = { broadcast: LIVE_BROADCAST, track: LIVE_TRACK };
    const request = version.chain((v) => {
      const templates = requestTemplates(v, LIVE);
      return fc.record({
        v: fc.constant(v),
        index: fc.nat({ max: templates.length - 1 }),
        cut: fc.nat(),
        code,
        how: fc.constantFrom("reset", "stop", "both"),
      });
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ v, index, cut, code, how }) => {
        const template = requestTemplates(v, LIVE)[index]!;
        const bytes = bytesOf(template);
        const prefix = bytes.subarray(0, cut % (bytes.length + 1));
        const outcome = await runAgainstServer(server, v, async ({ transport }) => {
          if (template.uni) {
            const writer = await writeAll(await transport.session.createUnidirectionalStream(), [prefix], false);
            await writer.abort(transport.streamError(code)).catch(() => {});
            return { settled: Promise.resolve() };
          }
          const stream = await transport.session.createBidirectionalStream();
          const writer = await writeAll(stream.writable, [prefix], false);
          if (how !== "reset") await stream.readable.cancel(transport.streamError(code)).catch(() => {});
          else void drain(stream.readable);
          if (how !== "stop") await writer.abort(transport.streamError(code)).catch(() => {});
          // Nothing to wait for: the reset or stop is queued ahead of any later stream data, so
          // the harness's check subscription reaches the server after it.
          return { settled: Promise.resolve() };
        });
        guard.sample();
        expect(outcome, `${v} ${template.name} cut to ${hex(prefix)}, ${how} ${code}`).toEqual({ open: true });
      }),
      { seed: fuzzSeed(0x2e5e70), numRuns: fuzzRuns(100) },
    );
  }, 120_000);

  it("client: the raw server resets its answer after any prefix of a valid one", async () => {
    type Where = "subscribe" | "group" | "announce" | "probe";
    const answer = fc.record({
      v: version,
      where: fc.constantFrom<Where>("subscribe", "group", "announce", "probe"),
      cut: fc.nat(),
      code,
    });
    await fc.assert(
      fc.asyncProperty(answer, async ({ v, where, cut, code }) => {
        const t = responseTemplates(v, 0);
        let sent: Uint8Array = new Uint8Array(0);
        const resetAfter = async (writable: WritableStream<Uint8Array>, conn: RawConnection, bytes: Uint8Array) => {
          sent = bytes.subarray(0, cut % (bytes.length + 1));
          const writer = await writeAll(writable, [sent], false);
          await writer.abort(conn.transport.streamError(code)).catch(() => {});
        };
        const script = async (conn: RawConnection) => {
          const req = await conn.nextRequest();
          if (where === "subscribe") return resetAfter(req.writable, conn, concat(...t.subscribeResponses));
          if (where === "announce") return resetAfter(req.writable, conn, concat(...t.announces));
          if (where === "probe") return resetAfter(req.writable, conn, concat(...t.probes));
          const id = decodeSubscribe(req.message, conn.version).id;
          const writer = await writeAll(
            req.writable,
            [encodeSubscribeOk({ priority: 1, ordered: false, maxLatencyMs: 0 }, conn.version)],
            false,
          );
          const group = Uint8Array.from(responseTemplates(conn.version, id).group);
          await resetAfter(await conn.transport.session.createUnidirectionalStream(), conn, group);
          // The group's bytes are on the socket and its reset is queued ahead of the FIN below, so
          // our client reads them while the subscription is live (and keeps taking groups while
          // it drains after the FIN).
          await writer.close().catch(() => {});
        };
        const use =
          where === "announce"
            ? consumeAnnounced
            : where === "probe"
              ? consumeProbe
              : (c: Session) => consumeSubscription(c);
        const outcome = await runClient(raw, v, script, use);
        guard.sample();
        expect(outcome, `${v} ${where} reset with ${code} after ${hex(sent)}`).toEqual({ open: true });
      }),
      { seed: fuzzSeed(0x2e5e71), numRuns: fuzzRuns(80) },
    );
  }, 120_000);

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
