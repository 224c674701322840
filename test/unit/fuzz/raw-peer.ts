// A moq-lite peer with no session logic: a bare transport on which the test writes every byte
// itself, plus just enough of a subscriber to check that the other side still serves.

import { toPath } from "../../../main/moq/model/path.ts";
import { StreamReader } from "../../../main/moq/coding/stream-reader.ts";
import { streamErrorCode } from "../../../main/moq/errors.ts";
import { connectTransport } from "../../../main/moq/transport/connect.ts";
import type { Transport } from "../../../main/moq/transport/types.ts";
import { decodeGroupHeader, framesCarryTimestamps } from "../../../main/moq/lite/wire/group.ts";
import { encodeSessionSetup } from "../../../main/moq/lite/wire/setup-stream.ts";
import { BidiStreamType, UniStreamType } from "../../../main/moq/lite/wire/stream-type.ts";
import {
  SubscribeResponseType,
  decodeSubscribeOk,
  encodeSubscribe,
  subscribeResponsesTyped,
} from "../../../main/moq/lite/wire/subscribe.ts";
import { versionAtLeast, type Version } from "../../../main/moq/lite/wire/version.ts";
import { within } from "../../helpers/wait.ts";
import { concat } from "./bytes.ts";

/** How the other side ended its half of one of our streams. */
export type StreamEnd = { how: "fin" } | { how: "reset"; code: number | undefined };

/** A plain 05+ SETUP stream (type, then the message): probe level 0, no path or role. */
export function setupStream(version: Version): Uint8Array {
  return concat([UniStreamType.Setup], encodeSessionSetup({ probe: 0, role: 0 }, version));
}

/**
 * A bare transport offering exactly `version`, or no version at all ("setup": 01/02 via SETUP).
 * On 05+ it opens its Setup stream at once, as every peer does: `setup`'s chunks (the whole
 * stream, type included) when given, else a plain SETUP.
 */
export async function connectRaw(
  url: string,
  version: Version | "setup",
  setup?: readonly Uint8Array[],
): Promise<Transport> {
  if (version === "setup")
    return connectTransport(url, { transport: "websocket", versions: [], legacy: true, timeoutMs: 5000 });
  const transport = await connectTransport(url, {
    transport: "websocket",
    versions: [version],
    legacy: false,
    timeoutMs: 5000,
  });
  if (versionAtLeast(version, "moq-lite-05")) await sendUni(transport, setup ?? [setupStream(version)]);
  return transport;
}

/** Write chunks one by one, then FIN unless told not to. Never throws: the peer may be gone. */
export async function writeAll(
  writable: WritableStream<Uint8Array>,
  chunks: readonly Uint8Array[],
  fin = true,
): Promise<WritableStreamDefaultWriter<Uint8Array>> {
  const writer = writable.getWriter();
  writer.closed.catch(() => {});
  try {
    for (const c of chunks) await writer.write(c);
    if (fin) await writer.close();
  } catch {
    // Reset, stopped or the session closed under us: the outcome is judged elsewhere.
  }
  return writer;
}

/** Read the peer's half to its end: FIN, or reset with a code (session close counts as reset). */
export async function drain(readable: ReadableStream<Uint8Array>): Promise<StreamEnd> {
  const reader = readable.getReader();
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return { how: "fin" };
    }
  } catch (err) {
    return { how: "reset", code: streamErrorCode(err) ?? undefined };
  }
}

/** Settles with `fallback` after `ms` unless `p` settles first. */
export function orAfter<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(fallback), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(fallback);
      },
    );
  });
}

/** Open a bidi stream, send `type` + chunks (+ FIN), and report how the peer ended its half. */
export async function sendBidi(
  t: Transport,
  chunks: readonly Uint8Array[],
  opts: { fin?: boolean } = {},
): Promise<{ ended: Promise<StreamEnd>; writer: WritableStreamDefaultWriter<Uint8Array> }> {
  const stream = await t.session.createBidirectionalStream();
  const ended = drain(stream.readable);
  const writer = await writeAll(stream.writable, chunks, opts.fin ?? true);
  return { ended, writer };
}

/**
 * A round trip that our side answers in any state, even before a version is agreed: an empty bidi
 * stream, FIN at once, answered with FIN (or ended with the session). Its answer comes back after
 * the peer handled everything sent before it on this connection.
 */
export async function roundTrip(t: Transport): Promise<void> {
  let stream: Promise<StreamEnd>;
  try {
    stream = (await sendBidi(t, [])).ended;
  } catch {
    return; // the connection is already gone
  }
  await within(stream, 5000, "the answer to an empty stream");
}

/** Open a uni stream and send chunks (+ FIN); `stopped` settles with the STOP_SENDING code, if any. */
export async function sendUni(
  t: Transport,
  chunks: readonly Uint8Array[],
  opts: { fin?: boolean } = {},
): Promise<{ stopped: Promise<number | undefined | "fin"> }> {
  const writable = await t.session.createUnidirectionalStream();
  const writer = await writeAll(writable, chunks, opts.fin ?? true);
  const stopped = writer.closed.then(
    () => "fin" as const,
    (err: unknown) => streamErrorCode(err),
  );
  return { stopped };
}

/**
 * Subscribe by hand and read the first group's first frame: proof the peer still serves.
 * Takes the transport's incoming-uni reader for the duration; group streams of other
 * subscriptions that arrive meanwhile are skipped.
 */
export async function rawSubscribe(
  t: Transport,
  version: Version,
  id: number,
  broadcast: string,
  track: string,
): Promise<Uint8Array> {
  const uni = t.session.incomingUnidirectionalStreams.getReader();
  try {
    const { readable, writable } = await t.session.createBidirectionalStream();
    const request = { id, broadcast: toPath(broadcast), track, priority: 1, ordered: false, maxLatencyMs: 0 };
    const writer = await writeAll(
      writable,
      [concat([BidiStreamType.Subscribe], encodeSubscribe(request, version))],
      false,
    );
    const responses = new StreamReader(readable);
    // 03+ type their responses; in 01/02 every response is an untyped SUBSCRIBE_OK. 05+ has no
    // SUBSCRIBE_OK: acceptance is implicit and SUBSCRIBE_START may come before or after the group.
    if (!versionAtLeast(version, "moq-lite-05")) {
      const type = subscribeResponsesTyped(version)
        ? await responses.varint("response type")
        : SubscribeResponseType.Ok;
      if (type !== SubscribeResponseType.Ok) throw new Error(`expected SUBSCRIBE_OK, got response type ${type}`);
      decodeSubscribeOk(await responses.message(1024, "SUBSCRIBE_OK"), version);
    }
    for (;;) {
      const { value, done } = await uni.read();
      if (done) throw new Error("transport closed before a group arrived");
      const group = new StreamReader(value);
      // Another subscription's group may be reset before its header is read (its subscriber
      // left): that is not this subscription's answer.
      const header = await group
        .varint("stream type")
        .then(async (type) =>
          type === UniStreamType.Group ? decodeGroupHeader(await group.message(1024, "GROUP"), version) : undefined,
        )
        .catch(() => undefined);
      if (header?.subscribeId !== id) continue;
      if (framesCarryTimestamps(version)) await group.varint("frame timestamp");
      const frame = await group.message(1 << 20, "FRAME");
      void writer.close().catch(() => {});
      return frame;
    }
  } finally {
    uni.releaseLock();
  }
}
