// moq-lite-05+ datagrams (spec §14.7): a group of exactly one frame in one QUIC datagram, over an
// existing subscription. Sending is best-effort: one that does not fit goes on a stream instead
// (moq-net drops it; a stream costs little and an oscilloscope should not lose what it shows).
// Receiving: a datagram for an unknown or ended subscription, a malformed one, or a copy of a
// group that already came is dropped; datagrams are unreliable by nature, so none of this closes
// the session.

import { DecodeError, ErrorCode, MoqError } from "../../errors.ts";
import type { TransportDatagrams } from "../../transport/types.ts";
import { decodeDatagram, encodeDatagram, MAX_DATAGRAM_BYTES } from "../wire/datagram.ts";
import type { SessionCore } from "./context.ts";
import type { Subscription } from "./subscriber.ts";

/**
 * Send the one frame of a datagram group; false when it must go on a stream instead (the
 * transport has no datagrams, or the encoded datagram does not fit).
 */
export function sendDatagram(
  core: SessionCore,
  subscribeId: number,
  sequence: number,
  timestamp: number,
  payload: Uint8Array,
): boolean {
  const datagrams = core.transport.datagrams;
  if (!datagrams) return false;
  const room = Math.min(datagrams.maxSize(), MAX_DATAGRAM_BYTES);
  let bytes: Uint8Array;
  try {
    bytes = encodeDatagram({ subscribeId, sequence, timestamp, payload }, core.version);
  } catch {
    return false; // over the protocol's 1200 bytes
  }
  if (bytes.byteLength > room || !datagrams.send(bytes)) return false;
  core.countSent(bytes.byteLength);
  if (core.events.active) {
    core.emit({
      type: "datagram",
      direction: "sent",
      subscribeId,
      sequence,
      size: payload.byteLength,
      bytes: bytes.byteLength,
      timestamp,
    });
  }
  return true;
}

/** Read datagrams until the session ends, delivering each into the subscription it names. */
export async function receiveDatagrams(
  core: SessionCore,
  datagrams: TransportDatagrams,
  lookup: (id: number) => Subscription | "ended" | undefined,
): Promise<void> {
  for (;;) {
    const bytes = await datagrams.receive();
    if (bytes === undefined) return;
    core.countReceived(bytes.byteLength);
    deliver(core, bytes, lookup);
  }
}

function deliver(
  core: SessionCore,
  bytes: Uint8Array,
  lookup: (id: number) => Subscription | "ended" | undefined,
): void {
  let msg;
  try {
    msg = decodeDatagram(bytes, core.version);
  } catch (err) {
    if (err instanceof DecodeError) return; // a stray or damaged datagram: nothing to tell
    throw err;
  }
  const { subscribeId, sequence, timestamp, payload } = msg;
  const sub = lookup(subscribeId);
  let dropped: string | undefined;
  if (sub === undefined) dropped = "no such subscription";
  else if (sub === "ended" || !sub.active) dropped = "subscription ended";
  else if (sub.endGroup !== undefined && sequence >= sub.endGroup) dropped = `group ${sequence} is past SUBSCRIBE_END`;
  else {
    try {
      sub.groupStarted(sequence);
      sub.producer.writeDatagram(payload, timestamp, sequence);
    } catch (err) {
      if (!(err instanceof MoqError)) throw err;
      // A copy that came on a stream too, or a track that just ended.
      dropped = err.code === ErrorCode.Duplicate ? `group ${sequence} is already here` : err.message;
    } finally {
      sub.groupEnded();
    }
  }
  if (core.events.active) {
    core.emit({
      type: "datagram",
      direction: "received",
      subscribeId,
      sequence,
      size: payload.byteLength,
      bytes: bytes.byteLength,
      timestamp,
      ...(dropped ? { dropped } : {}),
    });
  }
}
