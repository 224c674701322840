import type { Limits } from "../../coding/limits.ts";
import type { TrackMux } from "../../mux.ts";
import type { Transport } from "../../transport/types.ts";
import type { SessionSetup } from "../wire/setup-stream.ts";
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
  /** 05+: the peer's SETUP once it arrived; undefined if the session ended first. */
  peerSetup(): Promise<SessionSetup | undefined>;
  /** Open a bidirectional stream and write its type byte. */
  openBidi(kind: string, type: number, sendOrder?: number): Promise<{ send: SendStream; recv: RecvStream }>;
  /** Open a unidirectional stream and write its type byte. */
  openUni(kind: string, type: number, sendOrder?: number): Promise<SendStream>;
  /** Write an encoded message and trace it. */
  sendMessage(stream: SendStream, name: string, fields: object, bytes: Uint8Array): Promise<void>;
  /** Trace a message just enqueued on `stream` (its bytes are the stream's unclaimed ones). */
  traceSent(stream: SendStream, name: string, fields: object): void;
  /**
   * Trace a message just read from `stream`. Its size on the wire is what the stream parsed since
   * its last event; a count passed here is ignored (announce.ts and probe.ts still pass one, to be
   * dropped there).
   */
  traced(stream: RecvStream, name: string, fields: object, ignoredBytes?: number): void;
  emit(event: SessionEvent, at?: number): void;
  /** Malformed input or a broken invariant: close the whole session with this error's code. */
  fail(err: unknown): void;
  readonly isClosed: boolean;
}

export type { Transport };
