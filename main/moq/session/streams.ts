import { StreamReader } from "../coding/stream-reader.ts";
import { streamErrorCode } from "../errors.ts";
import type { Transport } from "../transport/types.ts";
import type { EventHub } from "./events.ts";

/** What a stream wrapper needs from its session. */
export interface StreamHost {
  readonly transport: Transport;
  readonly events: EventHub;
  countSent(bytes: number): void;
  countReceived(bytes: number): void;
}

/** Our sending half of a stream: counts bytes, reports FIN/reset, never throws on a dead stream. */
export class SendStream {
  readonly id: number;
  readonly #host: StreamHost;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #ended = false;
  /** Set when the peer stopped this stream (STOP_SENDING) or the transport failed under it. */
  failure?: unknown;

  constructor(host: StreamHost, id: number, writable: WritableStream<Uint8Array>) {
    this.#host = host;
    this.id = id;
    this.#writer = writable.getWriter();
    this.#writer.closed.catch((err) => {
      if (this.#ended) return;
      this.#ended = true;
      this.failure = err;
      host.events.emit({ type: "stream-ended", stream: id, half: "send", how: "stop", code: streamErrorCode(err) });
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves when the transport wants more data (backpressure). */
  get ready(): Promise<void> {
    return this.#writer.ready;
  }

  /** Write and wait until the transport accepted the chunk. */
  async write(bytes: Uint8Array): Promise<void> {
    this.#host.countSent(bytes.length);
    await this.#writer.write(bytes);
  }

  /** Queue a chunk without waiting; failures surface through `closed`/`failure`. */
  enqueue(bytes: Uint8Array): void {
    this.#host.countSent(bytes.length);
    this.#writer.write(bytes).catch(() => {});
  }

  /** FIN. */
  async close(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#host.events.emit({ type: "stream-ended", stream: this.id, half: "send", how: "fin" });
    await this.#writer.close().catch(() => {});
  }

  /** RESET_STREAM with a code. */
  reset(code: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#host.events.emit({ type: "stream-ended", stream: this.id, half: "send", how: "reset", code });
    this.#writer.abort(this.#host.transport.streamError(code)).catch(() => {});
  }
}

/** The peer's sending half: buffered reads plus STOP_SENDING. */
export class RecvStream extends StreamReader {
  readonly id: number;
  readonly #host: StreamHost;
  #ended = false;

  constructor(host: StreamHost, id: number, readable: ReadableStream<Uint8Array>) {
    super(readable);
    this.#host = host;
    this.id = id;
    this.onBytes = (n) => host.countReceived(n);
  }

  /** Record how the peer ended its half (once). */
  noteEnd(how: "fin" | "reset", code?: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#host.events.emit({ type: "stream-ended", stream: this.id, half: "recv", how, code });
  }

  /** STOP_SENDING with a code. */
  stop(code: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#host.events.emit({ type: "stream-ended", stream: this.id, half: "recv", how: "stop", code });
    void this.cancel(this.#host.transport.streamError(code));
  }
}
