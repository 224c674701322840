import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, StreamCode } from "../../../main/moq/errors.ts";
import type { Session } from "../../../main/moq/lite/session/session.ts";
import { BidiStreamType, UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import { decodeSubscribe } from "../../../main/moq/lite/wire/subscribe.ts";
import { encodeGroupHeader, framesCarryTimestamps } from "../../../main/moq/lite/wire/group.ts";
import { versionAtLeast, type AlpnVersion, type Version } from "../../../main/moq/lite/wire/version.ts";
import { within } from "../../helpers/wait.ts";
import { HUGE_LENGTHS, chunking, concat, hex, mutate, mutation, split, streamBody, varintOfSize } from "./bytes.ts";
import {
  consumeAnnounced,
  consumeProbe,
  consumeSubscription,
  expectOpenOrViolation,
  runClient,
} from "./client-harness.ts";
import { RSS_BUDGET, watchProcess, type ProcessGuard } from "./guard.ts";
import { drain, roundTrip, writeAll, type StreamEnd } from "./raw-peer.ts";
import { startRawServer, type RawConnection, type RawServer, type Script } from "./raw-server.ts";
import { setupFields, trackInfoFields } from "./messages05.ts";
import { fuzzRuns, fuzzSeed } from "./seed.ts";
import { responseTemplates } from "./templates.ts";

// Our client Session against a raw server that answers its requests with arbitrary or mutated
// bytes: on the subscribe response, on a group stream, on an announce stream, on a probe stream,
// and on 05+ in TRACK_INFO and the server's own Setup stream. The client must end up open or
// closed with 15, and sub.closed / announced().next() / probe().next() must settle.

const VERSIONS: AlpnVersion[] = ["moq-lite-03", "moq-lite-04", "moq-lite-05", "moq-lite-06"];
const version = fc.constantFrom(...VERSIONS);
const V05: AlpnVersion[] = VERSIONS.filter((v) => versionAtLeast(v, "moq-lite-05"));

let raw: RawServer;
let guard: ProcessGuard;
beforeAll(async () => {
  guard = watchProcess();
  raw = await startRawServer(VERSIONS);
});
afterAll(async () => {
  guard.stop();
  await raw.close();
});

/** Mutations of a concatenation of valid messages, or arbitrary bytes. */
const answer = (valid: (v: Version) => Uint8Array) => (v: Version) =>
  fc.oneof(
    streamBody,
    fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(valid(v), m)),
  );

/** Read the SUBSCRIBE and answer it with `bytes`, then FIN. */
const answerSubscribe = (chunks: Uint8Array[]) => async (conn: RawConnection) => {
  const req = await conn.nextRequest();
  await writeAll(req.writable, chunks);
};

/** SUBSCRIBE_OK (05+: SUBSCRIBE_START), then a group stream carrying `chunks`, then FIN on the subscribe stream. */
const answerWithGroup =
  (chunks: Uint8Array[] | ((subscribeId: number) => Uint8Array[])) => async (conn: RawConnection) => {
    const req = await conn.nextRequest();
    const subscribe = decodeSubscribe(req.message, conn.version);
    const writer = await writeAll(req.writable, [responseTemplates(conn.version, subscribe.id).accept], false);
    const uni = await conn.transport.session.createUnidirectionalStream();
    await writeAll(uni, typeof chunks === "function" ? chunks(subscribe.id) : chunks);
    // The group's bytes are on the socket before this FIN, and the client keeps reading the groups
    // of a subscription that is draining after its FIN, so they reach the decoders.
    await writer.close().catch(() => {});
  };

const answerStream = (type: number, chunks: Uint8Array[]) => async (conn: RawConnection) => {
  const req = await conn.nextRequest();
  if (req.type !== type) throw new Error(`expected stream type ${type}, got ${req.type}`);
  await writeAll(req.writable, chunks);
};

const subscribeResponses = (v: Version) => concat(...responseTemplates(v, 0).subscribeResponses);
const groupStream = (v: Version) => Uint8Array.from(responseTemplates(v, 0).group);
const announces = (v: Version) => concat(...responseTemplates(v, 0).announces);
const probes = (v: Version) => concat(...responseTemplates(v, 0).probes);
const trackInfo = (v: Version) => responseTemplates(v, 0).trackInfo;
const setupStream = (v: Version) => responseTemplates(v, 0).setup;

/** Two round trips before `script`: the client has handled our Setup stream, sent before them. */
const afterSetup =
  (script: Script): Script =>
  async (conn) => {
    await roundTrip(conn.transport);
    await roundTrip(conn.transport);
    await script(conn);
  };

describe("client session fed hostile answers", () => {
  it("unmutated answers are accepted and the session stays open", async () => {
    for (const v of VERSIONS) {
      let peerSetup: unknown;
      const subscribeThenLook = async (c: Session) => {
        await consumeSubscription(c);
        // TRACK and SUBSCRIBE took round trips after our Setup stream: the client has read it.
        peerSetup = c.connectionState().peerSetup;
      };
      expect(
        await runClient(raw, v, answerSubscribe([subscribeResponses(v)]), subscribeThenLook),
        `${v} subscribe`,
      ).toEqual({ open: true });
      if (versionAtLeast(v, "moq-lite-05")) expect(peerSetup, `${v} SETUP`).toMatchObject({ probe: 1, role: 0 });
      expect(
        await runClient(raw, v, answerWithGroup([groupStream(v)]), (c) => consumeSubscription(c)),
        `${v} group`,
      ).toEqual({ open: true });
      expect(
        await runClient(raw, v, answerStream(BidiStreamType.Announce, [announces(v)]), consumeAnnounced),
        `${v} announce`,
      ).toEqual({ open: true });
      expect(
        await runClient(raw, v, answerStream(BidiStreamType.Probe, [probes(v)]), consumeProbe),
        `${v} probe`,
      ).toEqual({ open: true });
    }
  });

  it("subscribe response stream: sub.closed settles", async () => {
    await fc.assert(
      fc.asyncProperty(
        version.chain((v) => fc.tuple(fc.constant(v), answer(subscribeResponses)(v), chunking)),
        async ([v, bytes, cuts]) => {
          const outcome = await runClient(raw, v, answerSubscribe(split(bytes, cuts)), (c) => consumeSubscription(c));
          guard.sample();
          expectOpenOrViolation(outcome, `${v} subscribe response ${hex(bytes)}`);
        },
      ),
      { seed: fuzzSeed(0xc11e00), numRuns: fuzzRuns(60) },
    );
  }, 120_000);

  it("group stream: the subscription and its groups settle", async () => {
    // Arbitrary bytes after the type, or a valid GROUP header for the live subscription followed by
    // arbitrary frames, or a mutated valid group stream.
    const groupBytes = (v: Version) =>
      fc.oneof(
        streamBody.map((b) => () => concat([UniStreamType.Group], b)),
        streamBody.map(
          (b) => (id: number) =>
            concat([UniStreamType.Group], encodeGroupHeader({ subscribeId: id, sequence: 0 }, v), b),
        ),
        answer(groupStream)(v).map((b) => () => b),
      );
    await fc.assert(
      fc.asyncProperty(
        version.chain((v) => fc.tuple(fc.constant(v), groupBytes(v), chunking)),
        async ([v, make, cuts]) => {
          let sent: Uint8Array = new Uint8Array(0);
          const chunks = (id: number) => split((sent = make(id)), cuts);
          const outcome = await runClient(raw, v, answerWithGroup(chunks), (c) => consumeSubscription(c));
          guard.sample();
          expectOpenOrViolation(outcome, `${v} group stream ${hex(sent)}`);
        },
      ),
      { seed: fuzzSeed(0xc11e01), numRuns: fuzzRuns(60) },
    );
  }, 120_000);

  it("announce stream: announced().next() settles", async () => {
    await fc.assert(
      fc.asyncProperty(
        version.chain((v) => fc.tuple(fc.constant(v), answer(announces)(v), chunking)),
        async ([v, bytes, cuts]) => {
          const outcome = await runClient(
            raw,
            v,
            answerStream(BidiStreamType.Announce, split(bytes, cuts)),
            consumeAnnounced,
          );
          guard.sample();
          expectOpenOrViolation(outcome, `${v} announce stream ${hex(bytes)}`);
        },
      ),
      { seed: fuzzSeed(0xc11e02), numRuns: fuzzRuns(60) },
    );
  }, 120_000);

  it("probe stream: probe().next() settles", async () => {
    await fc.assert(
      fc.asyncProperty(
        version.chain((v) => fc.tuple(fc.constant(v), answer(probes)(v), chunking)),
        async ([v, bytes, cuts]) => {
          const outcome = await runClient(raw, v, answerStream(BidiStreamType.Probe, split(bytes, cuts)), consumeProbe);
          guard.sample();
          expectOpenOrViolation(outcome, `${v} probe stream ${hex(bytes)}`);
        },
      ),
      { seed: fuzzSeed(0xc11e03), numRuns: fuzzRuns(60) },
    );
  }, 120_000);
});

describe("client session fed hostile 05+ messages of its own", () => {
  const v05 = fc.constantFrom(...V05);

  it("TRACK_INFO answers: sub.closed settles", async () => {
    // The TRACK answer is the target; a valid SUBSCRIBE_START and group follow for a client that
    // took it, so a lucky TRACK_INFO (odd timescale, retention) meets timestamped frames.
    await fc.assert(
      fc.asyncProperty(
        v05.chain((v) => fc.tuple(fc.constant(v), fc.oneof(answer(trackInfo)(v), trackInfoFields(v)), chunking)),
        async ([v, bytes, cuts]) => {
          const script = answerWithGroup((id) => [Uint8Array.from(responseTemplates(v, id).group)]);
          const outcome = await runClient(raw, v, script, (c) => consumeSubscription(c), { track: split(bytes, cuts) });
          guard.sample();
          expectOpenOrViolation(outcome, `${v} TRACK_INFO ${hex(bytes)}`);
        },
      ),
      { seed: fuzzSeed(0xc11e05), numRuns: fuzzRuns(60) },
    );
  }, 120_000);

  it("the server's Setup stream: the session and what the client awaits settle", async () => {
    // A Setup stream with an arbitrary body, arbitrary parameters, or a mutated valid one (its
    // type included). The client handles it before it gets its answers: a subscription, or
    // announcements, whose 06 route costs add the SETUP's link cost.
    const setupBytes = (v: Version) =>
      fc.oneof(
        streamBody.map((b) => concat([UniStreamType.Setup], b)),
        setupFields,
        fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(setupStream(v), m)),
      );
    const uses = {
      subscribe: [(v: Version) => answerSubscribe([subscribeResponses(v)]), (c: Session) => consumeSubscription(c)],
      announce: [(v: Version) => answerStream(BidiStreamType.Announce, [announces(v)]), consumeAnnounced],
    } as const;
    await fc.assert(
      fc.asyncProperty(
        v05.chain((v) =>
          fc.tuple(
            fc.constant(v),
            setupBytes(v),
            chunking,
            fc.constantFrom<keyof typeof uses>("subscribe", "announce"),
          ),
        ),
        async ([v, bytes, cuts, what]) => {
          const [script, use] = uses[what];
          const outcome = await runClient(raw, v, afterSetup(script(v)), use, { setup: split(bytes, cuts) });
          guard.sample();
          expectOpenOrViolation(outcome, `${v} ${what} after SETUP stream ${hex(bytes)}`);
        },
      ),
      { seed: fuzzSeed(0xc11e06), numRuns: fuzzRuns(60) },
    );
  }, 120_000);
});

describe("streams the raw server opens towards our client", () => {
  // The client answers announce/subscribe/fetch/probe requests like any publisher: the same
  // acceptable ends, and an undefined type is reset with 10 (05+: 0) while the session lives on.
  it("arbitrary requests: the session stays open or closes with 15; unknown types are reset with 10 (05+: 0)", async () => {
    const type = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 7, max: 0x3f }));
    await fc.assert(
      fc.asyncProperty(version, type, streamBody, async (v, t, body) => {
        let ended!: (end: StreamEnd) => void;
        const end = new Promise<StreamEnd>((r) => (ended = r));
        let handled!: () => void;
        const handledByClient = new Promise<void>((r) => (handled = r));
        const script = async (conn: RawConnection) => {
          const stream = await conn.transport.session.createBidirectionalStream();
          void drain(stream.readable).then(ended);
          await writeAll(stream.writable, [concat([t], body)]);
          // A valid GOAWAY gets no answer: round trips after it tell when the client handled it
          // (two, as the first may overtake a reply the client was still writing).
          await roundTrip(conn.transport);
          await roundTrip(conn.transport);
          handled();
        };
        const outcome = await runClient(raw, v, script, (client) =>
          Promise.race([end, client.closed, handledByClient]),
        );
        guard.sample();
        expectOpenOrViolation(outcome, `${v} request type ${t} ${hex(body)}`);
        // 04 added GOAWAY (5), 05 TRACK (6).
        const defined = t >= 1 && t <= (versionAtLeast(v, "moq-lite-05") ? 6 : v === "moq-lite-04" ? 5 : 4);
        // 05+ reset codes come from moq-net's registry, which has no "unexpected stream": Internal.
        const resetCode = versionAtLeast(v, "moq-lite-05") ? StreamCode.Internal : ErrorCode.UnexpectedStream;
        if (!defined)
          expect(await within(end, 5000, `the answer to type ${t}`), `type ${t}`).toEqual({
            how: "reset",
            code: resetCode,
          });
      }),
      { seed: fuzzSeed(0xc11e04), numRuns: fuzzRuns(60) },
    );
  }, 120_000);
});

describe("client session fed huge lengths", () => {
  const frameLimit = 16n * 1024n * 1024n;
  it.each(HUGE_LENGTHS.filter((v) => v > frameLimit).map((v) => [String(v), v] as const))(
    "a FRAME claiming %s bytes closes the session with 15",
    async (_s, value) => {
      for (const v of VERSIONS) {
        const lie = (id: number) => [
          concat(
            [UniStreamType.Group],
            encodeGroupHeader({ subscribeId: id, sequence: 0 }, v),
            framesCarryTimestamps(v) ? [0] : [], // 05+: the timestamp delta comes first
            varintOfSize(value, 8),
            [1, 2, 3],
          ),
        ];
        const outcome = await runClient(raw, v, answerWithGroup(lie), (c) => consumeSubscription(c));
        guard.sample();
        expect(outcome, `${v} frame length ${value}`).toMatchObject({ open: false, code: 15 });
      }
    },
  );

  it.each(HUGE_LENGTHS.filter((v) => v > 65_536n).map((v) => [String(v), v] as const))(
    "a SUBSCRIBE_OK (05+: START) / ANNOUNCE (05+: ANNOUNCE_OK) / PROBE claiming %s bytes closes the session with 15",
    async (_s, value) => {
      const length = varintOfSize(value, value < 2n ** 30n ? 4 : 8);
      for (const v of VERSIONS) {
        const cases: [Script, (client: Session) => Promise<unknown>][] = [
          [answerSubscribe([concat([0], length, [1, 0, 0, 0, 0])]), (c) => consumeSubscription(c)],
          [answerStream(BidiStreamType.Announce, [concat(length, [1, 0, 0])]), consumeAnnounced],
          [answerStream(BidiStreamType.Probe, [concat(length, [1, 0])]), consumeProbe],
        ];
        for (const [script, use] of cases) {
          const outcome = await runClient(raw, v, script, use);
          guard.sample();
          expect(outcome, `${v} length ${value}`).toMatchObject({ open: false, code: 15 });
        }
      }
    },
  );

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
