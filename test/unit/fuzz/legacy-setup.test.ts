import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StreamReader } from "../../../main/moq/coding/stream-reader.ts";
import { readVarintAt, varintLength } from "../../../main/moq/coding/varint.ts";
import { ErrorCode, MoqError } from "../../../main/moq/errors.ts";
import { TrackMux } from "../../../main/moq/mux.ts";
import { Session } from "../../../main/moq/lite/session/session.ts";
import { listen, type Listener } from "../../../main/moq/transport/listener.ts";
import { encodeClientSetup, decodeServerSetup } from "../../../main/moq/lite/wire/setup.ts";
import { BidiStreamType, SERVER_SETUP_TYPE } from "../../../main/moq/lite/wire/stream-type.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import { text, within } from "../../helpers/wait.ts";
import { chunking, concat, hex, mutate, mutation, split, streamBody } from "./bytes.ts";
import { RSS_BUDGET, watchProcess, type ProcessGuard } from "./guard.ts";
import { connectRaw, rawSubscribe, roundTrip, writeAll } from "./raw-peer.ts";
import { fuzzRuns, fuzzSeed } from "./seed.ts";
import { LIVE_BROADCAST, LIVE_TRACK, publishLive } from "./server-harness.ts";

// 01/02 start with a CLIENT_SETUP on bidi 0x20 (16-bit length, draft-14 layout), and that stream
// then lives on as the session stream. Fed arbitrary or mutated setups, the server must refuse
// with protocol violation (15), reset the stream with "unsupported version" (9) when nothing is
// shared, or run a session that serves; a session stream the peer FINs ends the session (25).

const VALID_SETUP = concat(
  [BidiStreamType.SetupCompat],
  encodeClientSetup({
    versions: [0xff0dad02, 0xff0dad01, 0xff00000e],
    params: [
      { key: 2, value: 42069 },
      { key: 7, value: text("moq-lite-js") },
    ],
  }),
);

let listener: Listener;
// Boxed: resolving with a bare promise would make the waiter wait for the handshake itself.
const waiting: ((box: { established: Promise<Session> }) => void)[] = [];
let guard: ProcessGuard;
beforeAll(async () => {
  guard = watchProcess();
  const mux = new TrackMux();
  publishLive(mux);
  listener = await listen({
    versions: [],
    legacy: true,
    http3: false,
    onSession: (transport) => {
      const established = Session.establish(transport, "server", { mux });
      established.catch(() => {});
      waiting.shift()?.({ established });
    },
  });
});
afterAll(async () => {
  guard.stop();
  await listener.close();
});

type Verdict =
  | { kind: "refused"; code: number }
  | { kind: "session"; version: Version; close?: { code: number } }
  | { kind: "pending"; stream: string };

/**
 * Send `chunks` on a 0x20 stream of a fresh no-version connection and see what the server made of
 * it. No clock decides: empty-stream round trips, which the server answers even while it waits for
 * a version, tell when it has handled the bytes and whatever they started.
 */
async function trySetup(chunks: Uint8Array[], fin: boolean): Promise<Verdict> {
  const next = new Promise<{ established: Promise<Session> }>((r) => waiting.push(r));
  const transport = await connectRaw(`ws://127.0.0.1:${listener.port}/`, "setup");
  try {
    const { established } = await within(next, 5000, "the server to take the connection");
    let handshake: { s: Session } | { e: unknown } | undefined;
    void established.then(
      (s) => (handshake = { s }),
      (e: unknown) => (handshake = { e }),
    );
    const { readable, writable } = await transport.session.createBidirectionalStream();
    await writeAll(writable, chunks, fin);
    let answer: string | undefined;
    void readServerSetup(readable).then((a) => (answer = a));
    // The first answer may overtake a SERVER_SETUP the server was still writing when our bytes
    // and that stream arrived together; the second, sent only after it, comes back after it.
    await roundTrip(transport);
    await roundTrip(transport);
    if (!handshake) {
      // An answer on the setup stream arrived before the last round trip's; one more turn and
      // our reader of it has caught up.
      await roundTrip(transport);
      return { kind: "pending", stream: answer ?? "no answer" };
    }
    if ("e" in handshake) return { kind: "refused", code: handshake.e instanceof MoqError ? handshake.e.code : -1 };
    const session = handshake.s;
    if (session.isClosed) return { kind: "session", version: session.version, close: session.connectionState().close };
    const served = rawSubscribe(transport, session.version, 7, LIVE_BROADCAST, LIVE_TRACK).then(
      (frame) => new TextDecoder().decode(frame),
      (err: unknown) => `failed: ${String(err)}`,
    );
    const verdict = await within(
      Promise.race([served, session.closed.then(() => "closed")]),
      5000,
      "a subscription on the new session",
    );
    await roundTrip(transport);
    if (session.isClosed) return { kind: "session", version: session.version, close: session.connectionState().close };
    expect(verdict).toBe("alive");
    return { kind: "session", version: session.version };
  } finally {
    transport.session.close({ closeCode: 0, reason: "run over" });
    transport.dispose();
  }
}

/** What came back on the setup stream: a version, a reset code, or an early end. */
async function readServerSetup(readable: ReadableStream<Uint8Array>): Promise<string> {
  const r = new StreamReader(readable);
  try {
    if ((await r.varint()) !== SERVER_SETUP_TYPE) return "not a SERVER_SETUP";
    const body = await r.exact(await r.u16());
    return `version 0x${decodeServerSetup(body).version.toString(16)}`;
  } catch (err) {
    return `reset ${(err as { streamErrorCode?: number }).streamErrorCode ?? String(err)}`;
  }
}

/** The stream type the bytes start with, if they hold a whole varint. */
function streamType(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes.length < varintLength(bytes[0]!)) return undefined;
  try {
    return readVarintAt(bytes, 0);
  } catch {
    return undefined;
  }
}

function expectAcceptable(v: Verdict, bytes: Uint8Array, fin: boolean, what: string): void {
  if (v.kind === "refused") {
    expect(v.code, what).toBe(ErrorCode.ProtocolViolation);
  } else if (v.kind === "session") {
    expect(["moq-lite-01", "moq-lite-02"], what).toContain(v.version);
    // Our FIN ends the session stream, which ends the session; bad bytes after a good setup are 15.
    if (v.close)
      expect(fin ? [ErrorCode.ProtocolViolation, ErrorCode.Closed] : [ErrorCode.ProtocolViolation], what).toContain(
        v.close.code,
      );
  } else if (fin && streamType(bytes) === BidiStreamType.SetupCompat) {
    // Complete but nothing in common: only the stream is refused.
    expect(v.stream, what).toBe(`reset ${ErrorCode.UnsupportedVersion}`);
  }
  // Any other stream type waits for a version that only a 0x20 stream can negotiate.
}

describe("the 01/02 SETUP exchange fed hostile bytes", () => {
  it("a valid CLIENT_SETUP negotiates 02 and the session serves; FIN on it ends the session with 25", async () => {
    const open = await trySetup([VALID_SETUP], false);
    expect(open).toEqual({ kind: "session", version: "moq-lite-02" });
    const ended = await trySetup([VALID_SETUP], true);
    expect(ended).toMatchObject({ kind: "session", version: "moq-lite-02", close: { code: ErrorCode.Closed } });
  });

  it("no shared version resets the setup stream with 9", async () => {
    const other = concat(
      [BidiStreamType.SetupCompat],
      encodeClientSetup({ versions: [0xff00000e, 0xff0dad04], params: [] }),
    );
    expect(await trySetup([other], true)).toEqual({ kind: "pending", stream: `reset ${ErrorCode.UnsupportedVersion}` });
  });

  it("arbitrary and mutated CLIENT_SETUPs", async () => {
    const bytes = fc.oneof(
      streamBody.map((b) => concat([BidiStreamType.SetupCompat], b)),
      fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(VALID_SETUP, m)),
    );
    await fc.assert(
      fc.asyncProperty(
        bytes,
        chunking,
        fc
          .boolean()
          .map((b) => !b)
          .chain((fin) => (fin ? fc.constant(true) : fc.boolean())),
        async (b, cuts, fin) => {
          const verdict = await trySetup(split(b, cuts), fin);
          guard.sample();
          expectAcceptable(verdict, b, fin, `${hex(b)} fin=${fin} → ${JSON.stringify(verdict)}`);
        },
      ),
      { seed: fuzzSeed(0x5e7a00), numRuns: fuzzRuns(60) },
    );
  }, 120_000);

  it("left no unhandled rejection or exception, and memory bounded", () => {
    expect(guard.problems).toEqual([]);
    expect(guard.peakGrowth, `peak RSS growth ${Math.round(guard.peakGrowth / 2 ** 20)} MiB`).toBeLessThan(RSS_BUDGET);
  });
});
