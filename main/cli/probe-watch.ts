// Following a Probe stream for `inspect` and `probe`: each report, a running tally, and one notice
// when the peer stays silent (many relays cannot measure over WebSocket and never report).

import type { ProbeReader, ProbeResult, Session } from "../moq/index.ts";
import { formatDuration } from "./format.ts";

/** How long without a first report before we say the peer does not report. */
export const PROBE_SILENCE_MS = 5000;

export const NO_PROBE_REPORTS = "peer does not report probe measurements";

export interface ProbeTally {
  reports: number;
  last?: ProbeResult;
  minBitrate?: number;
  maxBitrate?: number;
}

export interface ProbeWatch {
  readonly tally: ProbeTally;
  /** Resolves when the probe stream ends: undefined on a clean end, else the error. */
  readonly ended: Promise<Error | undefined>;
  /** Whether the silence notice was given (by the timer or at the end). */
  readonly silent: boolean;
  /** At the end of a run shorter than the silence timer: give the notice if no report came in `elapsedMs` (1 s at least). */
  noteSilenceIfQuiet(elapsedMs: number): void;
  close(): void;
}

export function watchProbe(
  session: Session,
  targetBitrate: number | undefined,
  onReport: (r: ProbeResult, tally: ProbeTally) => void,
  /** `streamEnded`: the peer ended the probe stream (nothing more will come) rather than stayed quiet. */
  onSilent: (why: string, streamEnded: boolean) => void,
): ProbeWatch {
  const reader: ProbeReader = session.probe(targetBitrate);
  const tally: ProbeTally = { reports: 0 };
  let silent = false;
  let closedByUs = false;
  const noteSilence = (detail?: string, streamEnded = false) => {
    if (silent || tally.reports > 0) return;
    silent = true;
    onSilent(detail ? `${NO_PROBE_REPORTS} (${detail})` : NO_PROBE_REPORTS, streamEnded);
  };
  const timer = setTimeout(() => noteSilence(), PROBE_SILENCE_MS);

  const ended = (async (): Promise<Error | undefined> => {
    try {
      for (;;) {
        const r = await reader.next();
        if (!r) break;
        tally.reports++;
        tally.last = r;
        tally.minBitrate = Math.min(tally.minBitrate ?? r.bitrate, r.bitrate);
        tally.maxBitrate = Math.max(tally.maxBitrate ?? r.bitrate, r.bitrate);
        onReport(r, tally);
      }
      if (!closedByUs) noteSilence("it ended the probe stream without a report", true);
      return undefined;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (!closedByUs) noteSilence(error.message, true);
      return error;
    } finally {
      clearTimeout(timer);
    }
  })();

  return {
    tally,
    ended,
    get silent() {
      return silent;
    },
    noteSilenceIfQuiet: (elapsedMs) => {
      if (elapsedMs >= 1000) noteSilence(`none in ${formatDuration(elapsedMs)}`);
    },
    close() {
      closedByUs = true;
      clearTimeout(timer);
      reader.close();
    },
  };
}
