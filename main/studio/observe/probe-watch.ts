// Following a Probe stream for `inspect` and `probe`: each report, a running tally, and one notice
// when the peer stays silent (many relays cannot measure over WebSocket and never report), ends
// the stream without a report, or resets it.

import { MoqError } from "../../moq/index.ts";
import type { ProbeReader, ProbeResult, Session } from "../../moq/index.ts";
import { explainCode } from "../describe.ts";

/** How long without a first report before we say the peer does not report. */
export const PROBE_SILENCE_MS = 5000;

export const NO_PROBE_REPORTS = "peer does not report probe measurements";

export interface ProbeTally {
  reports: number;
  last?: ProbeResult;
  minBitrate?: number;
  maxBitrate?: number;
}

/** How the probe stream ended, when we did not close it. */
export interface ProbeEnd {
  /** The peer reset the stream: the error carries the code. */
  reset?: MoqError;
  /** There was no probe to run: the session closed, or its version has no probe stream. */
  unavailable?: Error;
}

export interface ProbeWatch {
  readonly tally: ProbeTally;
  /** Resolves when the probe stream ends; empty after the peer's FIN (or our close). */
  readonly ended: Promise<ProbeEnd>;
  /** Whether the notice was given (by the timer or at the end). */
  readonly silent: boolean;
  /** At the end of a run shorter than the silence timer: give the notice if no report came in `elapsedMs` (1 s at least). */
  noteSilenceIfQuiet(elapsedMs: number): void;
  close(): void;
}

/** One line on how the probe ended, with the fix when we asked for a target the peer refused. */
export function describeProbeEnd(end: ProbeEnd, askedTarget: boolean): string {
  if (end.reset) {
    const hint = askedTarget
      ? "; it may refuse a target bitrate (moq-relay resets a probe stream that carries one): run without --bitrate to only measure"
      : "";
    return `the server reset the probe stream with ${explainCode(end.reset.code)}${hint}`;
  }
  return `${NO_PROBE_REPORTS}: ${end.unavailable ? end.unavailable.message : "it ended the probe stream without a report"}`;
}

export function watchProbe(
  session: Session,
  targetBitrate: number | undefined,
  onReport: (r: ProbeResult, tally: ProbeTally) => void,
  /**
   * Called once at most: when the peer stays quiet, ends the stream without a report, or resets it
   * (even after reports). `streamEnded`: nothing more will come, rather than the peer being quiet.
   */
  onNotice: (why: string, streamEnded: boolean) => void,
): ProbeWatch {
  const reader: ProbeReader = session.probe(targetBitrate);
  const tally: ProbeTally = { reports: 0 };
  let silent = false;
  let closedByUs = false;
  const noteSilence = (why: string, streamEnded: boolean, evenAfterReports = false) => {
    if (silent || (tally.reports > 0 && !evenAfterReports)) return;
    silent = true;
    onNotice(why, streamEnded);
  };
  const timer = setTimeout(() => noteSilence(NO_PROBE_REPORTS, false), PROBE_SILENCE_MS);

  const ended = (async (): Promise<ProbeEnd> => {
    let end: ProbeEnd;
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
      const why = await reader.closed;
      end = why ? { unavailable: why } : {};
    } catch (err) {
      end =
        err instanceof MoqError ? { reset: err } : { unavailable: err instanceof Error ? err : new Error(String(err)) };
    } finally {
      clearTimeout(timer);
    }
    // A closed session speaks for itself; the probe ending with it is no news.
    if (!closedByUs && !session.isClosed)
      noteSilence(describeProbeEnd(end, targetBitrate !== undefined), true, end.reset !== undefined);
    return end;
  })();

  return {
    tally,
    ended,
    get silent() {
      return silent;
    },
    noteSilenceIfQuiet: (elapsedMs) => {
      if (elapsedMs >= 1000) noteSilence(`${NO_PROBE_REPORTS} (none in ${seconds(elapsedMs)})`, false);
    },
    close() {
      closedByUs = true;
      clearTimeout(timer);
      reader.close();
    },
  };
}

/** "4.2 s": how long the peer stayed quiet. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}
