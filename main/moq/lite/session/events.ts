// Observability: everything the inspector's message log, timelines and latency views stand on.
// Events are built only when someone listens, so a quiet session pays one branch per site.
// Every byte the session writes to or reads from a stream is counted by exactly one event
// (`bytes`), so the sums over a trace equal what crossed the transport.

export type StreamDirection = "bidi" | "uni";
export type Initiator = "local" | "remote";

export type SessionEvent =
  | {
      type: "stream-opened";
      /** Our own stream number within this session (the W3C API exposes no QUIC stream ids). */
      stream: number;
      dir: StreamDirection;
      initiator: Initiator;
      /** "announce", "subscribe", "group", … once the stream type is known. */
      kind: string;
      /** The stream type on the wire: written by us (local) or read from the peer (remote). */
      bytes: number;
    }
  | {
      type: "stream-ended";
      stream: number;
      /** Which half ended: our sending half or the peer's. */
      half: "send" | "recv";
      how: "fin" | "reset" | "stop";
      code?: number;
      /** Bytes of this half no other event accounts for: data read but never parsed (a late group
       * that was discarded, what was still buffered when we stopped reading). Usually 0. */
      bytes: number;
    }
  | {
      type: "message";
      stream: number;
      direction: "sent" | "received";
      /** Message name as in the spec: "SUBSCRIBE", "ANNOUNCE", "PROBE", … */
      name: string;
      fields: Readonly<Record<string, unknown>>;
      /** Bytes on the wire: the message's type and length prefixes (where it has them) and body. */
      bytes: number;
    }
  | {
      type: "group";
      stream: number;
      direction: "sent" | "received";
      subscribeId: number;
      broadcast: string;
      track: string;
      sequence: number;
    }
  | {
      type: "frame";
      stream: number;
      direction: "sent" | "received";
      subscribeId: number;
      sequence: number;
      /** Index of the frame within its group. */
      index: number;
      /** Payload size. */
      size: number;
      /** Bytes on the wire: the size prefix (05: and the timestamp delta) and the payload. */
      bytes: number;
      /** 05+: the frame's timestamp, in its track's timescale. */
      timestamp?: number;
    }
  | {
      /** 05+: a group of one frame in a QUIC datagram (no stream). */
      type: "datagram";
      direction: "sent" | "received";
      subscribeId: number;
      sequence: number;
      /** Payload size. */
      size: number;
      /** The whole datagram. */
      bytes: number;
      timestamp: number;
      /** Received: why it was dropped (unknown subscription, a copy of a group already here, …). */
      dropped?: string;
    }
  | { type: "closed"; code: number; reason: string; by: Initiator; dropped?: boolean };

/**
 * A session event with its time (ms since the Unix epoch, fractional): for what we read from a
 * stream, when the last of its bytes arrived from the transport; otherwise when it happened.
 */
export type TimedEvent = SessionEvent & { at: number };

export type EventListener = (event: TimedEvent) => void;

const epochOffset = Date.now() - performance.now();

/** Current time in fractional epoch milliseconds: monotonic within the process. */
export function now(): number {
  return epochOffset + performance.now();
}

/** The set of listeners; `active` lets call sites skip building events nobody reads. */
export class EventHub {
  #listeners = new Set<EventListener>();
  active = false;

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    this.active = true;
    return () => {
      this.#listeners.delete(listener);
      this.active = this.#listeners.size > 0;
    };
  }

  emit(event: SessionEvent, at: number = now()): void {
    if (!this.active) return;
    const timed = { ...event, at } as TimedEvent;
    for (const l of this.#listeners) {
      try {
        l(timed);
      } catch {
        // A broken listener must not break the session.
      }
    }
  }
}
