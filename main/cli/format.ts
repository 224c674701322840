// Numbers and payloads as people read them: bitrates, byte counts, durations, frame previews.

/** "12.3 Mbit/s", "850 kbit/s", "0 bit/s" (decimal prefixes, as network rates are quoted). */
export function formatBitrate(bitsPerSecond: number | undefined): string {
  if (bitsPerSecond === undefined || !Number.isFinite(bitsPerSecond)) return "?";
  const units = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
  let value = Math.max(0, bitsPerSecond);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : trim(value)} ${units[unit]}`;
}

/** "512 B", "1.5 KiB", "100 MiB" (binary prefixes, as files and memory are measured). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : trim(value)} ${units[unit]}`;
}

/** "850 ms", "4.2 s", "3 min 05 s", "2 h 01 min". */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 1000) return `${Math.round(t)} ms`;
  if (t < 60_000) return `${trim(t / 1000)} s`;
  const totalSeconds = Math.round(t / 1000);
  const seconds = totalSeconds % 60;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min ${pad2(seconds)} s`;
  return `${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} min`;
}

/** RTT with sensible precision: "0.42 ms", "5.3 ms", "120 ms"; "?" when unknown. */
export function formatRtt(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return "?";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** Smoothed RTT with the latest sample beside it when known: "0.32 ms (latest 0.21 ms)". */
export function formatRttWithLatest(smoothedMs: number | undefined, latestMs: number | undefined): string {
  const smoothed = formatRtt(smoothedMs);
  const latest = formatRtt(latestMs);
  return smoothed === "?" || latest === "?" ? smoothed : `${smoothed} (latest ${latest})`;
}

/** "1 frame", "3 frames". */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A one-line preview of a payload: its text (quoted, escapes shown) when it is valid UTF-8 made of
 * printable characters, otherwise the first bytes in hex. `max` bounds the characters shown.
 */
export function previewPayload(data: Uint8Array, max = 64): string {
  const text = printableText(data);
  if (text !== undefined) {
    const shown = [...text].slice(0, max).join("");
    const escaped = JSON.stringify(shown);
    return shown.length < text.length ? `${escaped.slice(0, -1)}…"` : escaped;
  }
  const bytes = Math.max(1, Math.floor(max / 3));
  const hex = Array.from(data.subarray(0, bytes), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return data.length > bytes ? `${hex} …` : hex;
}

/** The payload as text if it is UTF-8 without control characters (tabs and newlines allowed). */
export function printableText(data: Uint8Array): string | undefined {
  if (data.length === 0) return "";
  let text: string;
  try {
    text = strictUtf8.decode(data);
  } catch {
    return undefined;
  }
  // C0 controls other than tab/newline/CR, DEL, C1 controls, and the replacement character.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/.test(text) ? undefined : text;
}

function trim(value: number): string {
  // Three significant digits without trailing zeros: 1.50 → "1.5", 100.0 → "100".
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
