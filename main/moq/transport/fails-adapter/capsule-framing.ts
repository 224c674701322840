// Whole capsules into the package's HTTP/2 capsule parser.
//
// Package behaviour worked around (checked against 1.6.8): Http2CapsuleParser.parseData() reads a
// WT_STREAM capsule that is cut by a read boundary in two steps. The first step remembers the stream
// id with `if (streamid) this.rstreamid = streamid`, and the continuation is delivered only `if
// (this.rstreamid)`. Stream id 0 is falsy: the rest of a capsule on stream 0 (the client's first
// bidirectional stream, moq-lite's session stream) is dropped without a word, and the session stream
// then decodes garbage. The continuation also looks its stream up by id, so a stream forgotten in
// between (stream-reaper.ts) would lose it too.
//
// The fix: the parser only ever sees whole capsules. A stream capsule that is not complete yet is cut
// here into capsules of its own (the same stream id; only the last one keeps the FIN type), which is
// exactly equivalent, since stream capsules carry no offsets. Other capsules (flow control, close,
// datagrams) are small; they wait here until complete. Nothing is delayed: the stream bytes that
// have arrived are handed on at once.

import { readVarintAt, varintLength, writeVarintAt, varintSize } from "../../coding/varint.ts";
import type { CapsuleParserInternals } from "./package-types.ts";

export const WT_STREAM = 0x190b4d3b;
export const WT_STREAM_FIN = 0x190b4d3c;

/** A capsule longer than this is refused by the package itself (it closes the session); we pass such bytes on untouched. */
const MAX_HELD_CAPSULE = 16 * 1024 * 1024;

const FRAMED = Symbol("moqscope.capsuleFraming");

interface Continuation {
  type: number;
  streamId: number;
  remaining: number;
}

/** Install whole-capsule framing on a parser (once; a no-op on anything else). */
export function installCapsuleFraming(parser: CapsuleParserInternals): void {
  if (typeof parser.parseData !== "function" || (parser as unknown as Record<symbol, unknown>)[FRAMED]) return;
  (parser as unknown as Record<symbol, unknown>)[FRAMED] = true;
  const original = parser.parseData.bind(parser);
  // Bytes the parser is already in the middle of (data that arrived before we were installed) go to
  // it untouched; its own leftovers become ours.
  let passThrough = parser.mode === "c" ? (parser.remainlength ?? 0) : 0;
  let held: Buffer | undefined = parser.saveddata;
  parser.saveddata = undefined;
  let continuation: Continuation | undefined;
  let broken = false;

  parser.parseData = (data: Buffer) => {
    if (broken) return original(data);
    let buf = held ? Buffer.concat([held, data]) : data;
    held = undefined;
    if (passThrough > 0) {
      const n = Math.min(passThrough, buf.length);
      passThrough -= n;
      original(buf.subarray(0, n));
      buf = buf.subarray(n);
    }
    let offset = 0;
    let runStart = 0;
    const flushRun = (end: number) => {
      if (end > runStart) original(buf.subarray(runStart, end));
    };
    while (offset < buf.length) {
      if (continuation) {
        const n = Math.min(continuation.remaining, buf.length - offset);
        continuation.remaining -= n;
        const last = continuation.remaining === 0;
        original(
          streamCapsule(last ? continuation.type : WT_STREAM, continuation.streamId, buf.subarray(offset, offset + n)),
        );
        if (last) continuation = undefined;
        offset += n;
        runStart = offset;
        continue;
      }
      const header = readHeader(buf, offset);
      if (header === "nonsense" || (header && header.length > MAX_HELD_CAPSULE)) {
        // Let the package refuse it (it closes the session); from here on it reads the raw bytes.
        flushRun(offset);
        broken = true;
        original(buf.subarray(offset));
        return;
      }
      if (!header) break;
      const end = header.bodyStart + header.length;
      if (end <= buf.length) {
        offset = end;
        continue;
      }
      if (header.type !== WT_STREAM && header.type !== WT_STREAM_FIN) break;
      const id = readStreamId(buf, header.bodyStart, end);
      if (!id) break;
      // A stream capsule cut short: hand on what is here as a capsule of its own.
      flushRun(offset);
      const available = buf.length - id.dataStart;
      if (available > 0) original(streamCapsule(WT_STREAM, id.streamId, buf.subarray(id.dataStart)));
      continuation = { type: header.type, streamId: id.streamId, remaining: end - id.dataStart - available };
      offset = buf.length;
      runStart = offset;
    }
    flushRun(offset);
    if (offset < buf.length) held = Buffer.from(buf.subarray(offset));
  };
}

interface CapsuleHeader {
  type: number;
  length: number;
  bodyStart: number;
}

/**
 * The capsule type and length at `offset`; undefined when not all their bytes are here, "nonsense"
 * for values beyond 2^53, which no capsule has.
 */
function readHeader(buf: Buffer, offset: number): CapsuleHeader | "nonsense" | undefined {
  if (offset >= buf.length) return undefined;
  const typeLen = varintLength(buf[offset]!);
  if (offset + typeLen >= buf.length) return undefined;
  const lengthLen = varintLength(buf[offset + typeLen]!);
  if (offset + typeLen + lengthLen > buf.length) return undefined;
  try {
    const type = readVarintAt(buf, offset);
    const length = readVarintAt(buf, offset + typeLen);
    return { type, length, bodyStart: offset + typeLen + lengthLen };
  } catch {
    return "nonsense";
  }
}

/**
 * The stream id that opens a stream capsule's body, when its bytes are here and inside the capsule.
 * Ids of 8 bytes (past 2^30 streams) are left to wait for the whole capsule.
 */
function readStreamId(
  buf: Buffer,
  bodyStart: number,
  end: number,
): { streamId: number; dataStart: number } | undefined {
  if (bodyStart >= buf.length) return undefined;
  const len = varintLength(buf[bodyStart]!);
  if (bodyStart + len > buf.length || bodyStart + len > end || len === 8) return undefined;
  return { streamId: readVarintAt(buf, bodyStart), dataStart: bodyStart + len };
}

/** A whole stream capsule: type, length, stream id, then `data`. */
export function streamCapsule(type: number, streamId: number, data: Uint8Array): Buffer {
  const body = varintSize(streamId) + data.byteLength;
  const head = varintSize(type) + varintSize(body);
  const out = Buffer.allocUnsafe(head + body);
  let at = writeVarintAt(out, 0, type);
  at = writeVarintAt(out, at, body);
  at = writeVarintAt(out, at, streamId);
  out.set(data, at);
  return out;
}
