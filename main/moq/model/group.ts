// One group as an in-memory producer and any number of consumers. The producer appends frames to
// a buffer shared with its consumers; each consumer keeps only its own read position, so a write
// is an array push plus a wake-up and never waits for a reader.

import { ErrorCode, MoqError, describeCode } from "../errors.ts";
import { ChangeSignal, Settled } from "./signal.ts";
import type { EndInfo, GroupReader, GroupWriter } from "./types.ts";

/** "open" while frames may still come; "closed" after FIN; "aborted" after closeWithError. */
export type GroupState = "open" | "closed" | "aborted";

/** The state the producer and its consumers share. Consumers never reference the producer. */
class GroupBuffer {
  readonly frames: (Uint8Array | undefined)[] = [];
  /** Each frame's timestamp, in the track's timescale. */
  readonly timestamps: number[] = [];
  bytes = 0;
  /** Frames below this index were read by every reader and dropped (release mode only). */
  released = 0;
  /** Positions of live readers, when frames are dropped once all of them passed. */
  readonly readers: Set<{ index: number }> | undefined;
  state: GroupState = "open";
  error: EndInfo | undefined;
  readonly changed = new ChangeSignal();
  readonly ended = new Settled<EndInfo | undefined>();

  constructor(
    readonly sequence: number,
    releaseRead: boolean,
    /** 05+: a single-frame group meant for a QUIC datagram where the transport has them. */
    readonly datagram: boolean,
  ) {
    this.readers = releaseRead ? new Set() : undefined;
  }

  /** Drop the frames every reader has passed, so large payloads do not outlive their reading. */
  release(): void {
    const readers = this.readers!;
    let min = this.frames.length;
    for (const r of readers) if (r.index < min) min = r.index;
    for (let i = this.released; i < min; i++) this.frames[i] = undefined;
    if (min > this.released) this.released = min;
  }
}

export interface GroupOptions {
  /** Account the bytes of an owning track's cache as they arrive. */
  onWrite?: (bytes: number) => void;
  /**
   * Drop each frame once every current reader has read it. Readers created later start at the
   * first frame still held. Saves memory (and GC work) for large frames read once.
   */
  releaseRead?: boolean;
  /** The timestamp of a frame written without one (default: now, in milliseconds). */
  now?: () => number;
  /** Send this group (of one frame) as a QUIC datagram where the session can; see TrackProducer.writeDatagram. */
  datagram?: boolean;
}

export class GroupProducer implements GroupWriter {
  readonly sequence: number;
  readonly #buf: GroupBuffer;
  readonly #onWrite: ((bytes: number) => void) | undefined;
  readonly #now: () => number;

  constructor(sequence: number, options: GroupOptions = {}) {
    this.sequence = sequence;
    this.#buf = new GroupBuffer(sequence, options.releaseRead ?? false, options.datagram ?? false);
    this.#onWrite = options.onWrite;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Append a frame, with its timestamp in the track's timescale (default: now). O(1), never waits.
   * Throws MoqError(Closed) once the group ended.
   */
  writeFrame(frame: Uint8Array, timestamp?: number): void {
    const buf = this.#buf;
    if (buf.state !== "open") {
      throw new MoqError(ErrorCode.Closed, `group ${this.sequence} is ${buf.state}; cannot write a frame`);
    }
    if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
      throw new RangeError(`frame timestamp must be a non-negative integer, got ${timestamp}`);
    }
    buf.timestamps.push(timestamp ?? this.#now());
    buf.frames.push(frame);
    buf.bytes += frame.byteLength;
    buf.changed.notify();
    this.#onWrite?.(frame.byteLength);
  }

  /** FIN. Consumers read what is left, then get undefined. Later calls are ignored. */
  close(): void {
    this.#end("closed", undefined);
  }

  /**
   * Abandon the group. Frames written before stay valid (spec §8.1): consumers still read them,
   * then readFrame rejects with MoqError(code, reason). Ignored if the group already ended.
   */
  closeWithError(code: number, reason = ""): void {
    this.#end("aborted", { code, reason });
  }

  get state(): GroupState {
    return this.#buf.state;
  }

  /** True once close() or closeWithError() was called. */
  get isEnded(): boolean {
    return this.#buf.state !== "open";
  }

  /** The code and reason when aborted, otherwise undefined. */
  get error(): EndInfo | undefined {
    return this.#buf.error;
  }

  /** Resolves when the group ends: undefined after FIN, EndInfo after an abort. */
  get ended(): Promise<EndInfo | undefined> {
    return this.#buf.ended.promise;
  }

  get frameCount(): number {
    return this.#buf.frames.length;
  }

  /** A single-frame group meant for a QUIC datagram. */
  get datagram(): boolean {
    return this.#buf.datagram;
  }

  /** The first frame's timestamp (where the group starts in media time), once it has one. */
  get firstTimestamp(): number | undefined {
    return this.#buf.timestamps[0];
  }

  /** Sum of the payload sizes written so far. */
  get byteCount(): number {
    return this.#buf.bytes;
  }

  /** A reader that starts at frame 0 (or, in release mode, the first frame still held). */
  consume(): GroupConsumer {
    return new GroupConsumer(this.#buf);
  }

  #end(state: GroupState, error: EndInfo | undefined): void {
    const buf = this.#buf;
    if (buf.state !== "open") return;
    buf.state = state;
    buf.error = error;
    buf.changed.notify();
    buf.ended.resolve(error);
  }
}

export class GroupConsumer implements GroupReader {
  readonly sequence: number;
  readonly #buf: GroupBuffer;
  /** Index of the next frame; shared with the buffer in release mode. */
  readonly #pos = { index: 0 };
  #cancelled = false;
  #lastTimestamp = 0;

  constructor(buf: GroupBuffer) {
    this.sequence = buf.sequence;
    this.#buf = buf;
    this.#pos.index = buf.released;
    buf.readers?.add(this.#pos);
  }

  /** A single-frame group meant for (or received in) a QUIC datagram. */
  get datagram(): boolean {
    return this.#buf.datagram;
  }

  /** Frames handed out so far. */
  get framesRead(): number {
    return this.#pos.index;
  }

  /** The timestamp of the frame readFrame() returned last (0 before the first). */
  get lastTimestamp(): number {
    return this.#lastTimestamp;
  }

  async readFrame(): Promise<Uint8Array | undefined> {
    const i = await this.#next();
    if (i === undefined) return undefined;
    const frame = this.#buf.frames[i]!;
    this.#lastTimestamp = this.#buf.timestamps[i]!;
    if (this.#buf.readers) this.#buf.release();
    return frame;
  }

  /** Stop reading: a pending and every later readFrame resolves undefined. Other consumers are unaffected. */
  cancel(_code?: number): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#detach();
    // Wakes every waiter on this group; the others find nothing new and wait again.
    this.#buf.changed.notify();
  }

  /** Index of the next frame, undefined at the end; rejects after the frames of an aborted group. */
  async #next(): Promise<number | undefined> {
    const buf = this.#buf;
    for (;;) {
      if (this.#cancelled) return undefined;
      if (this.#pos.index < buf.frames.length) return this.#pos.index++;
      if (buf.state === "closed") {
        this.#detach();
        return undefined;
      }
      if (buf.state === "aborted") {
        this.#detach();
        const { code, reason } = buf.error!;
        throw new MoqError(code, reason || `group ${this.sequence} aborted: ${describeCode(code)}`);
      }
      await buf.changed.wait();
    }
  }

  /** A reader that is done no longer holds frames back. */
  #detach(): void {
    const buf = this.#buf;
    if (buf.readers?.delete(this.#pos)) buf.release();
  }
}
