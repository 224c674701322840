import type { Limits } from "../coding/limits.ts";
import type { TrackMux } from "../mux.ts";
import type { Transport } from "../transport/types.ts";
import type { Version } from "../wire/version.ts";
import type { EventHub, SessionEvent } from "./events.ts";
import type { RecvStream, SendStream, StreamHost } from "./streams.ts";

/** What the per-stream handlers need from their session. */
export interface SessionCore extends StreamHost {
  readonly version: Version;
  readonly limits: Limits;
  readonly mux: TrackMux;
  readonly events: EventHub;
  readonly transport: Transport;
  /** Open a bidirectional stream and write its type byte. */
  openBidi(kind: string, type: number, sendOrder?: number): Promise<{ send: SendStream; recv: RecvStream }>;
  /** Open a unidirectional stream and write its type byte. */
  openUni(kind: string, type: number, sendOrder?: number): Promise<SendStream>;
  /** Write an encoded message and trace it. */
  sendMessage(stream: SendStream, name: string, fields: object, bytes: Uint8Array): Promise<void>;
  /** Trace a decoded message. */
  traced(stream: number, name: string, fields: object, bytes: number): void;
  emit(event: SessionEvent): void;
  /** Malformed input or a broken invariant: close the whole session with this error's code. */
  fail(err: unknown): void;
  readonly isClosed: boolean;
}

export type { Transport };
