import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeVarint, varintSize, writeVarintAt } from "../../coding/varint.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { writeUint } from "./fields.ts";
import type { Version } from "./version.ts";

// Group streams (spec §8): `00` | GROUP | FRAME × n | FIN. Same layout in 01–04.

/** First message on a group stream: which subscription, which group. */
export interface GroupHeader {
  readonly subscribeId: number;
  readonly sequence: number;
}

export function encodeGroupHeader(msg: GroupHeader, _version: Version): Uint8Array {
  return encodeMessage((w) => {
    writeUint(w, msg.subscribeId, "subscribe id");
    writeUint(w, msg.sequence, "group sequence");
  });
}

export function decodeGroupHeader(body: Uint8Array, _version: Version, _limits: Limits = DEFAULT_LIMITS): GroupHeader {
  return decodeBody(body, "GROUP", (r) => {
    const subscribeId = r.varint("subscribe id");
    const sequence = r.varint("group sequence");
    return { subscribeId, sequence };
  });
}

/**
 * A FRAME's header: just the payload length. Lets a sender write the payload as its own chunk
 * without copying it. Frames have no inner fields in 01–04.
 */
export function encodeFrameHeader(payloadLength: number): Uint8Array {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0)
    throw new RangeError(`frame length must be a non-negative integer, got ${payloadLength}`);
  return encodeVarint(payloadLength);
}

/** Length + payload in one buffer (for small frames, where one write beats two). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const size = varintSize(payload.length);
  const out = new Uint8Array(size + payload.length);
  writeVarintAt(out, 0, payload.length);
  out.set(payload, size);
  return out;
}
