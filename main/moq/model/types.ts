// The vocabulary shared by the in-memory model and the network: writers produce, readers consume.
// A network subscription is a TrackWriter on the publisher side and a TrackReader on the
// subscriber side; an in-memory TrackProducer is both ends at once.

/** The timescale of a track that says nothing else: timestamps in milliseconds. */
export const DEFAULT_TIMESCALE = 1000;

/**
 * How far behind the newest group a track's groups stay worth delivering, when its publisher says
 * nothing else (05+'s TRACK_INFO max age; moq-net and @moq/net default to 5 s as well).
 */
export const DEFAULT_MAX_AGE_MS = 5000;

/** A track's immutable properties, as 05+'s TRACK_INFO carries them. */
export interface TrackProperties {
  /** Frame timestamp units per second. */
  timescale: number;
  /** The publisher's retention window in milliseconds of media time; a subscriber's max age is clamped to it. */
  maxAgeMs: number;
  /** The publisher's priority for the track (0–255, higher first): breaks ties between equal subscriptions. */
  publisherPriority: number;
}

/** How a track or group ended when it did not end cleanly. */
export interface EndInfo {
  /** moq-lite error code (spec §12); 0 = cancelled. */
  code: number;
  reason: string;
}

export interface GroupWriter {
  readonly sequence: number;
  /**
   * Append one frame. Never blocks; the bytes must not be modified afterwards. `timestamp` is in
   * the track's timescale (moq-lite-05 carries one per frame); without one, the time of writing.
   */
  writeFrame(frame: Uint8Array, timestamp?: number): void;
  /** FIN: every frame was delivered. */
  close(): void;
  /** Abandon the group (RESET_STREAM with this code on the network). */
  closeWithError(code: number, reason?: string): void;
}

export interface GroupReader {
  readonly sequence: number;
  /** The next frame, or undefined after a clean end. Rejects with a MoqError after an abort. */
  readFrame(): Promise<Uint8Array | undefined>;
  /** The timestamp of the frame readFrame() returned last, in the track's timescale. */
  readonly lastTimestamp: number;
  /** A single-frame group sent (or received) as a QUIC datagram rather than on a stream. */
  readonly datagram?: boolean;
  /** Stop reading this group (STOP_SENDING on the network). */
  cancel(code?: number): void;
}

export interface TrackWriter {
  readonly name: string;
  /**
   * Start a group. Without a sequence: one above the highest so far (0 for the first). With
   * `datagram`, a group of one frame meant for a QUIC datagram (05+, where the transport has them).
   */
  openGroup(sequence?: number, options?: { datagram?: boolean }): GroupWriter;
  /** The track is finished: FIN the subscription after open groups end. */
  close(): void;
  /** Abort the track (reset the subscription with this code). */
  closeWithError(code: number, reason?: string): void;
  /** Resolves when the track ends for any reason, e.g. the subscriber went away. */
  readonly closed: Promise<EndInfo | undefined>;
}

export interface TrackReader {
  readonly name: string;
  /** Frame timestamp units per second, once known (over moq-lite-05 it comes from TRACK_INFO). */
  timescale(): Promise<number>;
  /** The next group in arrival order, or undefined when the track ended cleanly. Rejects with a MoqError on reset. */
  nextGroup(): Promise<GroupReader | undefined>;
  /** Unsubscribe / stop reading. */
  close(): void;
  /** Resolves when the track ends: undefined on a clean end, EndInfo on reset. */
  readonly closed: Promise<EndInfo | undefined>;
}
