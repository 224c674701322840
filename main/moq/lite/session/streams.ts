import { StreamReader } from "../../coding/stream-reader.ts";
import { streamErrorCode } from "../../errors.ts";
import type { Transport } from "../../transport/types.ts";
import { now } from "./events.ts";
import type { EventHub } from "./events.ts";

/** What a stream wrapper needs from its session. */
export interface StreamHost {
  readonly transport: Transport;
  readonly events: EventHub;
  countSent(bytes: number): void;
  countReceived(bytes: number): void;
  /** Receiving halves still being read, by stream number (the trace finds them by number). */
  readonly receiving: Map<number, RecvStream>;
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
      this.#endWith("stop", streamErrorCode(err));
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
    this.#writer.abort(this.#host.transport.streamError(code)).catch(() => {});
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
  #arrived = 0;
  #claimed = 0;
  /** When the latest bytes came from the transport (epoch ms, as event times). */
  arrivedAt = 0;

  constructor(host: StreamHost, id: number, readable: ReadableStream<Uint8Array>) {
    super(readable);
    this.#host = host;
    this.id = id;
    host.receiving.set(id, this);
    this.onBytes = (n) => {
      this.#arrived += n;
      this.arrivedAt = now();
      host.countReceived(n);
    };
  }

  /**
   * Bytes parsed since the last claim: what the event about to be emitted accounts for. Reads
   * stop at what a message needs, so the last chunk they pulled holds its final byte and
   * `arrivedAt` is when the message was complete.
   */
  claim(): number {
    const parsed = this.#arrived - this.buffered;
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
    void this.cancel(this.#host.transport.streamError(code));
  }

  /** Mark the half over and trace how, with the bytes nobody claimed. */
  #endWith(how: "fin" | "reset" | "stop", code: number | undefined): void {
    this.#ended = true;
    if (this.#host.receiving.get(this.id) === this) this.#host.receiving.delete(this.id);
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
    const n = this.#arrived - this.#claimed;
    this.#claimed = this.#arrived;
    return n;
  }
}
