// A session event as a record: flat, JSON-safe and bounded. Message fields keep scalars; arrays,
// bytes and long strings become short text, so one odd message cannot grow the log or a recording.

import type { TimedEvent } from "../../moq/index.ts";
import type { RecordOf, Scalar } from "./records.ts";

/** Longer field values are cut here (with "…"). */
export const MAX_FIELD_CHARS = 200;

export function scalarValue(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string") return cut(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return cut(`[${value.map((v) => String(scalarValue(v))).join(", ")}]`);
  try {
    return cut(JSON.stringify(value));
  } catch {
    return cut(String(value));
  }
}

export function scalarFields(fields: Readonly<Record<string, unknown>>): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = scalarValue(value);
  return out;
}

function cut(text: string): string {
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS - 1)}…` : text;
}

export function eventRecord(event: TimedEvent): RecordOf<"event"> {
  const base = { t: "event" as const, at: event.at, type: event.type };
  switch (event.type) {
    case "message":
      return {
        ...base,
        stream: event.stream,
        direction: event.direction,
        name: event.name,
        fields: scalarFields(event.fields),
        bytes: event.bytes,
      };
    case "stream-opened":
      return {
        ...base,
        stream: event.stream,
        direction: event.initiator === "local" ? "sent" : "received",
        name: null,
        fields: { dir: event.dir, initiator: event.initiator, kind: event.kind },
        bytes: event.bytes,
      };
    case "stream-ended":
      return {
        ...base,
        stream: event.stream,
        direction: event.half === "send" ? "sent" : "received",
        name: null,
        fields: { half: event.half, how: event.how, code: event.code ?? null },
        bytes: event.bytes,
      };
    case "group":
      return {
        ...base,
        stream: event.stream,
        direction: event.direction,
        name: null,
        fields: {
          subscribeId: event.subscribeId,
          broadcast: cut(event.broadcast),
          track: cut(event.track),
          sequence: event.sequence,
        },
        bytes: 0,
      };
    case "frame":
      return {
        ...base,
        stream: event.stream,
        direction: event.direction,
        name: null,
        fields: { subscribeId: event.subscribeId, sequence: event.sequence, index: event.index, size: event.size },
        bytes: event.bytes,
      };
    case "datagram":
      return {
        ...base,
        stream: null,
        direction: event.direction,
        name: null,
        fields: {
          subscribeId: event.subscribeId,
          sequence: event.sequence,
          size: event.size,
          timestamp: event.timestamp,
          dropped: event.dropped ?? null,
        },
        bytes: event.bytes,
      };
    case "closed":
      return {
        ...base,
        stream: null,
        direction: event.by === "remote" ? "received" : "local",
        name: null,
        fields: { code: event.code, reason: cut(event.reason), by: event.by, dropped: event.dropped ?? false },
        bytes: 0,
      };
  }
}
