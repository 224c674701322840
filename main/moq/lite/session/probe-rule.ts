// When a probe responder sends a report (spec §10.1): the first sample, a value appearing after
// zero, or a relative change above a threshold that shrinks from 25 % to 0 over ten seconds, so
// large changes go out at once and any value is repeated at least every ten seconds.

export const PROBE_TICK_MS = 100;

export function probeThreshold(elapsedMs: number): number {
  const clamped = Math.min(10_000, Math.max(100, elapsedMs));
  return (0.25 * (10_000 - clamped)) / 9_900;
}

export function shouldReport(last: number | undefined, next: number, elapsedMs: number): boolean {
  if (last === undefined) return true;
  if (last === 0) return next > 0;
  return Math.abs(next - last) / last >= probeThreshold(elapsedMs);
}
