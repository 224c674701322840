// One fuzz run against our server: a fresh raw connection, some hostile streams, then the verdict:
// the server session either closed with protocol violation (15) or is open and still serves.

import { afterAll, beforeAll, expect } from "vitest";
import { ErrorCode } from "../../../main/moq/errors.ts";
import type { TrackMux } from "../../../main/moq/mux.ts";
import type { CloseInfo, Session } from "../../../main/moq/lite/session/session.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import type { Version } from "../../../main/moq/lite/wire/version.ts";
import { startServer, type TestServer } from "../../helpers/server.ts";
import { text, within } from "../../helpers/wait.ts";
import { connectRaw, orAfter, rawSubscribe, roundTrip } from "./raw-peer.ts";
import { watchProcess, type ProcessGuard } from "./guard.ts";

/** A broadcast that is always there, so a surviving session can prove it still serves. */
export const LIVE_BROADCAST = "fuzz/live";
export const LIVE_TRACK = "t";
const LIVE_ID = 1_000_000;

/** Serve LIVE_BROADCAST: one group with the frame "alive" per subscription. */
export function publishLive(mux: TrackMux): void {
  mux.publish(LIVE_BROADCAST, (writer) => {
    const group = writer.openGroup();
    group.writeFrame(text("alive"));
    group.close();
    writer.close();
  });
}

export async function startFuzzServer(): Promise<TestServer> {
  const server = await startServer({
    legacy: false,
    versions: ["moq-lite-06", "moq-lite-05", "moq-lite-04", "moq-lite-03"],
  });
  publishLive(server.mux);
  return server;
}

export type Outcome = { open: true } | { open: false; close: CloseInfo };

/** A connected raw peer and the server session it talks to. */
export interface RawRun {
  transport: Transport;
  session: Session;
  version: Version;
}

/** What `act` hands back: a promise that settles once the server answered what `act` sent (boxed,
 * because an async function would otherwise wait for it). It must settle whenever the server
 * behaves: a run that sends no FIN and expects no answer hands back a resolved one. */
export interface Acted {
  settled: Promise<unknown>;
}

/**
 * Connect, let `act` send its streams, wait for what it says to wait for (or for the session to
 * close), then check that a surviving session still serves. No clock decides the verdict: `act`
 * returns once its bytes are on the socket, and the checks are requests sent after them on the
 * same connection, so their answers come back only after the server has handled those bytes.
 */
export async function runAgainstServer(
  server: TestServer,
  version: Version,
  act: (run: RawRun) => Promise<Acted>,
  /** 05+: the Setup stream's chunks (type included), in place of a plain SETUP. */
  setup?: readonly Uint8Array[],
): Promise<Outcome> {
  const next = server.nextSession();
  const transport = await connectRaw(server.ws, version, setup);
  const session = await within(next, 5000, "the server session");
  const closed = () => ({ open: false as const, close: session.connectionState().close! });
  try {
    const { settled } = await act({ transport, session, version });
    await within(Promise.race([session.closed, settled]), 5000, "the server to answer the run's streams or close");
    if (session.isClosed) return closed();
    const served = rawSubscribe(transport, version, LIVE_ID, LIVE_BROADCAST, LIVE_TRACK).then(
      (frame) => new TextDecoder().decode(frame),
      (err: unknown) => `failed: ${String(err)}`,
    );
    const verdict = await within(
      Promise.race([served, session.closed.then(() => "closed")]),
      5000,
      "a subscription on the surviving session",
    );
    // One more round trip, sent after the subscription's answer came back: whatever the server
    // still had to finish for the earlier streams (say, a write it awaited) is done by its answer.
    await roundTrip(transport);
    if (session.isClosed) return closed();
    if (verdict !== "alive") throw new Error(`the session is open but no longer serves: ${verdict}`);
    return { open: true };
  } finally {
    try {
      transport.session.close({ closeCode: 0, reason: "run over" });
    } catch {
      // already closed
    }
    transport.dispose();
    await orAfter(session.closed, 2000, undefined);
    // The test server keeps every session it made; thousands of runs would look like a leak.
    const at = server.sessions.indexOf(session);
    if (at >= 0) server.sessions.splice(at, 1);
  }
}

/** The only acceptable ends of a hostile run. */
export function expectOpenOrViolation(outcome: Outcome, what: string): void {
  if (outcome.open) return;
  expect(outcome.close, `${what}: session closed with ${JSON.stringify(outcome.close)}`).toMatchObject({
    code: ErrorCode.ProtocolViolation,
    by: "local",
  });
}

/** Start the fuzz server and the process guard before a test file's tests, stop both after. */
export function withFuzzServer(set: (server: TestServer, guard: ProcessGuard) => void): void {
  let server: TestServer | undefined;
  let guard: ProcessGuard | undefined;
  beforeAll(async () => {
    guard = watchProcess();
    server = await startFuzzServer();
    set(server, guard);
  });
  afterAll(async () => {
    guard?.stop();
    await server?.close();
  });
}
