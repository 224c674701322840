import { StreamReader } from "../../coding/stream-reader.ts";
import type { Transport } from "../../transport/types.ts";
import { now } from "./events.ts";
import type { EventHub } from "./events.ts";

/** What a stream wrapper needs from its session. */
export interface StreamHost {
  readonly transport: Transport;
  readonly events: EventHub;
  countSent(bytes: number): void;
  countReceived(bytes: number): void;
  /** The number to send for one of our codes (05+ speaks another registry: wire/codes.ts). */
  wireCode(code: number): number;
  /** The code a peer's reset, stop or failure carries, in our table; undefined if none. */
  peerCode(err: unknown): number | undefined;
}

// Each half counts what crossed it and what events have accounted for so far: an event claims
// exactly the bytes since the previous claim, so every byte lands in one event and none twice.

/** Our sending half of a stream: counts bytes, reports FIN/reset, never throws on a dead stream. */
export class SendStream {
  readonly id: number;
  readonly #host: StreamHost;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #ended = false;
  #written = 0;
  #claimed = 0;
  /** Set when the peer stopped this stream (STOP_SENDING) or the transport failed under it. */
  failure?: unknown;

  constructor(host: StreamHost, id: number, writable: WritableStream<Uint8Array>) {
    this.#host = host;
    this.id = id;
    this.#writer = writable.getWriter();
    this.#writer.closed.catch((err) => {
      if (this.#ended) return;
      this.failure = err;
      this.#endWith("stop", this.#host.peerCode(err));
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves when the transport wants more data (backpressure). */
  get ready(): Promise<void> {
    return this.#writer.ready;
  }

  /** Bytes written since the last claim: what the event about to be emitted accounts for. */
  claim(): number {
    const n = this.#written - this.#claimed;
    this.#claimed = this.#written;
    return n;
  }

  /** Write and wait until the transport accepted the chunk. */
  async write(bytes: Uint8Array): Promise<void> {
    this.#count(bytes.length);
    await this.#writer.write(bytes);
  }

  /** Queue a chunk without waiting; failures surface through `closed`/`failure`. */
  enqueue(bytes: Uint8Array): void {
    this.#count(bytes.length);
    this.#writer.write(bytes).catch(() => {});
  }

  /** FIN. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#endWith("fin", undefined);
    await this.#writer.close().catch(() => {});
  }

  /** RESET_STREAM with a code. */
  reset(code: number): void {
    if (this.#ended) return;
    this.#endWith("reset", code);
    this.#writer.abort(this.#host.transport.streamError(this.#host.wireCode(code))).catch(() => {});
  }

  /** Mark the half over and trace how, with the bytes no event claimed yet. */
  #endWith(how: "fin" | "reset" | "stop", code: number | undefined): void {
    this.#ended = true;
    this.#host.events.emit({ type: "stream-ended", stream: this.id, half: "send", how, code, bytes: this.claim() });
  }

  #count(n: number): void {
    this.#written += n;
    this.#host.countSent(n);
  }
}

/** The peer's sending half: buffered reads plus STOP_SENDING. */
export class RecvStream extends StreamReader {
  readonly id: number;
  readonly #host: StreamHost;
  #ended = false;
  #claimed = 0;
  /**
   * What came from the transport, written by the byte callback. Its own record, so that neither the
   * callback nor a session-wide table references the stream: with such references the throughput
   * bench's subscriber fell into frequent mark-compacts (received chunks reaching old space) and
   * spent about a third more CPU per byte.
   */
  readonly #arrival = { bytes: 0, at: 0 };

  constructor(host: StreamHost, id: number, readable: ReadableStream<Uint8Array>) {
    super(readable);
    this.#host = host;
    this.id = id;
    const arrival = this.#arrival;
    this.onBytes = (n) => {
      arrival.bytes += n;
      arrival.at = now();
      host.countReceived(n);
    };
  }

  /** When the latest bytes came from the transport (epoch ms, as event times); 0 before any. */
  get arrivedAt(): number {
    return this.#arrival.at;
  }

  /**
   * Bytes parsed since the last claim: what the event about to be emitted accounts for. Reads
   * stop at what a message needs, so the last chunk they pulled holds its final byte and
   * `arrivedAt` is when the message was complete. Once the half ended, its end claimed the rest.
   */
  claim(): number {
    if (this.#ended) return 0;
    const parsed = this.#arrival.bytes - this.buffered;
    const n = parsed - this.#claimed;
    this.#claimed = parsed;
    return n;
  }

  /** Record how the peer ended its half (once). */
  noteEnd(how: "fin" | "reset", code?: number): void {
    if (!this.#ended) this.#endWith(how, code);
  }

  /** STOP_SENDING with a code. */
  stop(code: number): void {
    if (this.#ended) return;
    this.#endWith("stop", code);
    void this.cancel(this.#host.transport.streamError(this.#host.wireCode(code)));
  }

  /** Mark the half over and trace how, with the bytes nobody claimed. */
  #endWith(how: "fin" | "reset" | "stop", code: number | undefined): void {
    this.#ended = true;
    this.#host.events.emit({
      type: "stream-ended",
      stream: this.id,
      half: "recv",
      how,
      code,
      bytes: this.#claimRest(),
    });
  }

  /** Everything read and not yet claimed, parsed or not: the half is over. */
  #claimRest(): number {
    const n = this.#arrival.bytes - this.#claimed;
    this.#claimed = this.#arrival.bytes;
    return n;
  }
}
