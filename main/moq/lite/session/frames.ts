import { DecodeError } from "../../errors.ts";
import { encodeFrameHeader, encodeTimedFrameHeader, framesCarryTimestamps, zigzagDecode } from "../wire/group.ts";
import type { SessionCore } from "./context.ts";
import type { RecvStream } from "./streams.ts";

// The FRAMEs of one group or fetch stream, in and out. From 05 on each carries its timestamp as a
// zigzag delta from the previous frame of the same stream (the first from 0), so both directions
// keep the running timestamp here.

/** Reads frames off one stream; `timestamp` is the last frame's (05+), undefined before 05. */
export class FrameReader {
  readonly timed: boolean;
  timestamp: number | undefined;
  #index = 0;

  constructor(
    private readonly core: SessionCore,
    private readonly recv: RecvStream,
  ) {
    this.timed = framesCarryTimestamps(core.version);
    this.timestamp = this.timed ? 0 : undefined;
  }

  /** The next frame's payload, or undefined at a clean end between frames. */
  async next(): Promise<Uint8Array | undefined> {
    const max = this.core.limits.maxFrameBytes;
    if (!this.timed) return this.recv.messageOrEnd(max, "FRAME");
    const zigzag = await this.recv.varintOrEnd("frame timestamp");
    if (zigzag === undefined) return undefined;
    const timestamp = this.timestamp! + zigzagDecode(zigzag);
    if (timestamp < 0 || !Number.isSafeInteger(timestamp)) {
      throw new DecodeError(`frame ${this.#index} has timestamp ${timestamp}, outside 0..2^53-1`);
    }
    this.timestamp = timestamp;
    this.#index++;
    return this.recv.message(max, "FRAME");
  }
}

/** The header to write before each frame of one stream (05+: with its timestamp delta). */
export class FrameHeaders {
  readonly timed: boolean;
  #previous = 0;

  constructor(private readonly core: SessionCore) {
    this.timed = framesCarryTimestamps(core.version);
  }

  next(timestamp: number, payloadLength: number): Uint8Array {
    if (!this.timed) return encodeFrameHeader(payloadLength);
    const header = encodeTimedFrameHeader(timestamp - this.#previous, payloadLength, this.core.version);
    this.#previous = timestamp;
    return header;
  }
}
