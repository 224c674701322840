/** Upper bounds for everything decoded from the wire. A length above a bound is a protocol
 * violation, never an allocation. */
export interface Limits {
  /** Largest control message body (announce, subscribe, probe, goaway, setup). */
  maxMessageBytes: number;
  /** Largest frame payload on a group or fetch stream. */
  maxFrameBytes: number;
  /** Largest hop list in an ANNOUNCE. */
  maxHops: number;
  /** Largest number of versions or parameters in a SETUP message. */
  maxSetupEntries: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxFrameBytes: 16 * 1024 * 1024,
  maxHops: 32,
  maxSetupEntries: 64,
});

export function withLimits(partial?: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...partial };
}
