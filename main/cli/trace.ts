// --trace: every session event as one compact line (or one JSON object), for following a session
// stream by stream the way a packet capture would show it.

import { describeCode } from "../moq/node.ts";
import type { Session, TimedEvent } from "../moq/node.ts";
import type { Output } from "./output.ts";

/** Print every event of `session` from now on; returns the function that stops it. */
export function attachTrace(session: Session, out: Output): () => void {
  const start = Date.now();
  return session.on((event) => {
    const { type, at, ...rest } = event;
    out.record({ event: "trace", type, at: Math.round(at * 1000) / 1000, ...rest }, traceLine(event, start));
  });
}

/** "  +1.234s  #3 → SUBSCRIBE id=0 broadcast="demo" track="clock" priority=128  (12 B)"; times from `start` (epoch ms). */
export function traceLine(event: TimedEvent, start: number): string {
  const time = `+${((event.at - start) / 1000).toFixed(3)}s`.padStart(9);
  return `${time}  ${describeEvent(event)}`;
}

export function describeEvent(event: TimedEvent): string {
  switch (event.type) {
    case "stream-opened":
      return `#${event.stream} opened ${event.dir} ${event.kind} (${event.initiator === "local" ? "by us" : "by peer"})`;
    case "stream-ended": {
      const half = event.half === "send" ? "our half" : "peer half";
      const code = event.code === undefined ? "" : ` ${describeCode(event.code)}`;
      return `#${event.stream} ${half} ${event.how}${code}`;
    }
    case "message": {
      const arrow = event.direction === "sent" ? "→" : "←";
      const fields = formatFields(event.fields);
      return `#${event.stream} ${arrow} ${event.name}${fields ? ` ${fields}` : ""}  (${event.bytes} B)`;
    }
    case "group": {
      const arrow = event.direction === "sent" ? "→" : "←";
      return `#${event.stream} ${arrow} group ${event.sequence} of ${event.broadcast}/${event.track} (subscription ${event.subscribeId})`;
    }
    case "frame": {
      const arrow = event.direction === "sent" ? "→" : "←";
      return `#${event.stream} ${arrow} frame ${event.sequence}.${event.index}  ${event.size} B`;
    }
    case "closed":
      // 0 on a session close means a normal end, not a cancellation.
      return `session closed by ${event.by === "local" ? "us" : "peer"}: ${event.code === 0 ? "0 (normal)" : describeCode(event.code)}${event.reason ? ` "${event.reason}"` : ""}`;
    default:
      return JSON.stringify(event);
  }
}

/** `key=value` pairs: strings quoted, byte arrays as their size, absent values left out. */
export function formatFields(fields: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(" ");
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Uint8Array) return `<${value.length} B>`;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(",")}]`;
  if (value && typeof value === "object") return `{${formatFields(value as Record<string, unknown>)}}`;
  return String(value);
}
