// Splits a file into lines without ever holding more than one line (capped) in memory: a line
// longer than the cap is reported as such the moment it passes the cap, not read to its end.

import { createReadStream } from "node:fs";

export type FileLine =
  /** `complete` is false for a last line the file ends inside (no newline after it). */
  | { number: number; bytes: Buffer; complete: boolean; tooLong?: undefined }
  /** The line passed `maxBytes`; nothing follows it. */
  | { number: number; tooLong: true };

const NEWLINE = 0x0a;
const RETURN = 0x0d;

/** The file's lines, 1-based, without their "\n" (or "\r\n"). */
export async function* readFileLines(path: string, maxBytes: number): AsyncGenerator<FileLine> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let number = 1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, end);
        if (partBytes + piece.length > maxBytes + 1) {
          yield { number, tooLong: true };
          return;
        }
        yield { number, bytes: withoutReturn(join(parts, piece)), complete: true };
        parts = [];
        partBytes = 0;
        number++;
        start = end + 1;
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        parts.push(rest);
        partBytes += rest.length;
        // One byte of slack for a "\r" before the newline.
        if (partBytes > maxBytes + 1) {
          yield { number, tooLong: true };
          return;
        }
      }
    }
    if (partBytes > 0) yield { number, bytes: join(parts, null), complete: false };
  } finally {
    stream.destroy();
  }
}

function join(parts: Buffer[], last: Buffer | null): Buffer {
  if (parts.length === 0 && last !== null) return last;
  return Buffer.concat(last === null ? parts : [...parts, last]);
}

function withoutReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === RETURN ? line.subarray(0, line.length - 1) : line;
}
