import { toPath } from "../../../main/moq/model/path.ts";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { BidiStreamType, UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import { encodeFetch } from "../../../main/moq/lite/wire/fetch.ts";
import { encodeGoaway } from "../../../main/moq/lite/wire/goaway.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import type { TestServer } from "../../helpers/server.ts";
import { within } from "../../helpers/wait.ts";
import { concat } from "./bytes.ts";
import { RSS_BUDGET, type ProcessGuard } from "./guard.ts";
import { connectRaw, sendBidi, sendUni, type StreamEnd } from "./raw-peer.ts";
import {
  LIVE_BROADCAST,
  LIVE_TRACK,
  expectOpenOrViolation,
  runAgainstServer,
  withFuzzServer,
} from "./server-harness.ts";

// Streams that say almost nothing: a type byte and FIN; a type byte and then silence forever; half
// a message; a stream with no bytes at all. None of them may stall the session: it either closes
// with protocol violation (15) or keeps serving new subscriptions while they hang.

const VERSIONS: Version[] = ["moq-lite-03", "moq-lite-04"];
const kinds = [
  { name: "announce", type: BidiStreamType.Announce, uni: false },
  { name: "subscribe", type: BidiStreamType.Subscribe, uni: false },
  { name: "fetch", type: BidiStreamType.Fetch, uni: false },
  { name: "probe", type: BidiStreamType.Probe, uni: false },
  { name: "goaway", type: BidiStreamType.Goaway, uni: false },
  { name: "group", type: UniStreamType.Group, uni: true },
];

let server: TestServer;
let guard: ProcessGuard;
withFuzzServer((s, g) => {
  server = s;
  guard = g;
});

describe("streams that end or stall early", () => {
  it.each(VERSIONS)("type byte then FIN, %s: open (probe: nothing to answer) or 15", async (version) => {
    for (const kind of kinds) {
      if (kind.type === BidiStreamType.Goaway && version === "moq-lite-03") continue;
      const seen: { end?: StreamEnd | number | undefined | "fin" } = {};
      const outcome = await runAgainstServer(server, version, async ({ transport }) => {
        if (kind.uni) return { settled: (await sendUni(transport, [Uint8Array.of(kind.type)])).stopped };
        const { ended } = await sendBidi(transport, [Uint8Array.of(kind.type)]);
        return { settled: ended.then((e) => (seen.end = e)) };
      });
      guard.sample();
      expectOpenOrViolation(outcome, `${version} ${kind.name}`);
      // A probe stream carries optional targets only, so an empty one is complete: FIN back.
      if (kind.type === BidiStreamType.Probe) {
        expect(outcome, "empty probe stream").toEqual({ open: true });
        expect(seen.end).toEqual({ how: "fin" });
      }
    }
  });

  it.each(VERSIONS)("FIN before any type byte, %s: the stream just ends", async (version) => {
    const seen: { end?: StreamEnd } = {};
    const outcome = await runAgainstServer(server, version, async ({ transport }) => {
      const { ended } = await sendBidi(transport, []);
      await sendUni(transport, []);
      return { settled: ended.then((e) => (seen.end = e)) };
    });
    expect(outcome).toEqual({ open: true });
    expect(seen.end).toEqual({ how: "fin" });
  });

  it.each(VERSIONS)("silent and half-sent streams, never finished, %s: the session keeps serving", async (version) => {
    const outcome = await runAgainstServer(server, version, async ({ transport }) => {
      const stalls: Uint8Array[][] = [
        [], // no type byte at all
        [Uint8Array.of(0xc0)], // the first byte of an 8-byte stream type
        ...kinds.map((k) => [Uint8Array.of(k.type)]), // the type, then silence
        ...kinds.map((k) => [concat([k.type], [0x40, 0x64, 1, 2, 3])]), // claims 100 bytes, sends 3
        ...kinds.map((k) => [concat([k.type], [0x80])]), // the first byte of a 4-byte length
      ];
      for (const chunks of stalls) {
        await sendBidi(transport, chunks, { fin: false });
        // Group (0x0) stalls belong on uni streams; on a bidi stream 0x0 is just an unknown type.
        if (chunks.length === 0 || chunks[0]![0] === UniStreamType.Group)
          await sendUni(transport, chunks, { fin: false });
      }
      // Twenty more idle subscribe streams: each holds a handler open on the server.
      for (let i = 0; i < 20; i++) await sendBidi(transport, [Uint8Array.of(BidiStreamType.Subscribe)], { fin: false });
      return { settled: Promise.resolve() };
    });
    guard.sample();
    expect(outcome).toEqual({ open: true });
  });

  // Flow control: QMux grants 256 KiB per stream and 1 MiB per connection, and returns credit
  // only for bytes the application read or that were discarded. Six streams of 200 KiB exceed the
  // connection window, so the subscription after them only gets through if the server read or
  // discarded what came before.
  const filler = new Uint8Array(200 * 1024).fill(0x61);
  /** Six streams of `head` + filler, never finished; each settles once all of it is on the socket
   * (the server read or discarded what came before) or the stream or session failed. */
  const flood = (transport: Transport, head: Uint8Array) =>
    Array.from({ length: 6 }, () => sendBidi(transport, [head, filler], { fin: false }));

  it.each([
    ["GOAWAY", concat([BidiStreamType.Goaway], encodeGoaway({ uri: "" }, "moq-lite-04"))],
    [
      "FETCH of a cached group",
      concat(
        [BidiStreamType.Fetch],
        encodeFetch({ broadcast: toPath(LIVE_BROADCAST), track: LIVE_TRACK, priority: 1, group: 0 }, "moq-lite-04"),
      ),
    ],
  ])("bytes after a %s, never finished, do not stall the session", async (_name, head) => {
    const outcome = await runAgainstServer(server, "moq-lite-04", async ({ transport }) => ({
      settled: Promise.all(flood(transport, head)),
    }));
    guard.sample();
    expectOpenOrViolation(outcome, "filler after the one message of the stream");
  });

  // Unknown stream types are stopped (STOP_SENDING 10), as the drafts say. @moq/qmux 0.3.3 never
  // returns connection credit for bytes still in flight on a stopped stream, so a peer that floods
  // such streams can stall its own connection; it must not affect anyone else.
  it("a peer flooding streams we stop (unknown type) stalls at most its own connection", async () => {
    const next = server.nextSession();
    const flooder = await connectRaw(server.ws, "moq-lite-04");
    try {
      const session = await within(next, 5000, "the flooding peer's server session");
      const stopped: number[] = [];
      const allStopped = new Promise<void>((resolve) =>
        session.on((e) => {
          if (e.type === "stream-ended" && e.half === "recv" && e.how === "stop" && stopped.push(e.code ?? -1) === 6)
            resolve();
        }),
      );
      // Five streams' filler is less than the connection window, so every type byte gets through.
      void Promise.allSettled(flood(flooder, Uint8Array.of(0x3f)));
      await within(allStopped, 5000, "the server to stop all six flooding streams");
      expect(stopped).toEqual(Array.from({ length: 6 }, () => ErrorCode.UnexpectedStream));
      guard.sample();
      const bystander = await runAgainstServer(server, "moq-lite-04", async () => ({ settled: Promise.resolve() }));
      expect(bystander).toEqual({ open: true });
    } finally {
      flooder.session.close({ closeCode: 0, reason: "run over" });
      flooder.dispose();
    }
  });

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
