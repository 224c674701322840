// Numbers with units and sensible precision, as the UX asks: 0.3 ms, 2.41 Mbit/s, 1.2 KiB.

/** Three significant digits at most, without trailing zeros beyond what the size needs. */
function short(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let scaled = value / 1024;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled >= 100 ? scaled.toFixed(0) : scaled.toFixed(1)} ${units[unit]}`;
}

export function bitrate(bitsPerSecond: number | null): string {
  if (bitsPerSecond === null || !Number.isFinite(bitsPerSecond)) return "—";
  if (bitsPerSecond < 1000) return `${bitsPerSecond.toFixed(0)} bit/s`;
  if (bitsPerSecond < 1e6) return `${short(bitsPerSecond / 1e3)} kbit/s`;
  if (bitsPerSecond < 1e9) return `${short(bitsPerSecond / 1e6)} Mbit/s`;
  return `${short(bitsPerSecond / 1e9)} Gbit/s`;
}

export function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${value.toFixed(0)} ms`;
  return seconds(value);
}

export function seconds(valueMs: number): string {
  const s = valueMs / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.floor(s % 60)} s`;
}

/** A media timestamp in microseconds, as seconds with millisecond precision. */
export function pts(us: number): string {
  return `${(us / 1e6).toFixed(3)} s`;
}

/** A timescale as a clock: "ms", "µs", "90 kHz", "48 Hz". */
function clockName(timescale: number): string {
  if (timescale === 1000) return "ms";
  if (timescale === 1_000_000) return "µs";
  return timescale % 1000 === 0 ? `${timescale / 1000} kHz` : `${timescale} Hz`;
}

/** What 05+'s TRACK_INFO says, in one short line ("90 kHz clock · max age 5 s · priority 127"). */
export function trackInfo(i: { timescale: number; maxAgeMs: number; priority: number }): string {
  const age = i.maxAgeMs >= 1000 && i.maxAgeMs % 1000 === 0 ? `${i.maxAgeMs / 1000} s` : ms(i.maxAgeMs);
  return `${clockName(i.timescale)} clock · max age ${age} · priority ${i.priority}`;
}

/**
 * A moq-lite-05+ wire timestamp: its ticks and clock, and in seconds ("90000 @ 90 kHz = 1.000 s").
 * The raw numbers are what a developer compares with the publisher's own log.
 */
export function wireTime(w: { timestamp: number; timescale: number }): string {
  return `${w.timestamp} @ ${clockName(w.timescale)} = ${(w.timestamp / w.timescale).toFixed(3)} s`;
}

/**
 * The wire timestamps a group spans, as its first frame's time and the span after it ("1.000 s
 * + 967 ms"): wall-clock timestamps are ten digits of seconds, and two of them side by side crowd.
 */
export function wireSpan(w: { first: number; last: number; timescale: number }): string {
  const start = `${(w.first / w.timescale).toFixed(3)} s`;
  if (w.last === w.first) return start;
  return `${start} + ${ms(((w.last - w.first) * 1000) / w.timescale)}`;
}

/** A span's raw ticks and clock, for comparing with a publisher's log ("90000–177030 @ 90 kHz"). */
export function wireTicks(w: { first: number; last: number; timescale: number }): string {
  return `${w.first === w.last ? w.first : `${w.first}–${w.last}`} @ ${clockName(w.timescale)}`;
}

export function rate(perSecond: number): string {
  return `${perSecond < 10 ? perSecond.toFixed(1) : perSecond.toFixed(0)}/s`;
}

/** A time relative to the connection ("+12.34 s"), for the wall clock use `wallClock`. */
export function relative(at: number, origin: number | null): string {
  if (origin === null) return wallClock(at);
  const delta = at - origin;
  return `${delta < 0 ? "−" : "+"}${seconds(Math.abs(delta))}`;
}

export function wallClock(at: number): string {
  const date = new Date(at);
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function count(value: number): string {
  return value.toLocaleString("en-US");
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
