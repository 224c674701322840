import { decodeBody } from "../../coding/bytes-reader.ts";
import { DEFAULT_LIMITS, type Limits } from "../../coding/limits.ts";
import { encodeMessage } from "../../coding/writer.ts";
import { decodeSince, encodeSince, writeUint } from "./fields.ts";
import { versionAtLeast, type Version } from "./version.ts";

// PROBE (spec §10.1, 03+): a target from the opener, or a measurement report from the responder.

export interface Probe {
  /** Bits per second; 0 = unknown. */
  readonly bitrate: number;
  /** Smoothed RTT in milliseconds; 0 = unknown. Only 04 carries it (03 decodes as 0). */
  readonly rttMs: number;
}

export function encodeProbe(msg: Probe, version: Version): Uint8Array {
  encodeSince(version, "moq-lite-03", "PROBE");
  return encodeMessage((w) => {
    writeUint(w, msg.bitrate, "probe bitrate");
    if (versionAtLeast(version, "moq-lite-04")) writeUint(w, msg.rttMs, "probe rtt");
  });
}

export function decodeProbe(body: Uint8Array, version: Version, _limits: Limits = DEFAULT_LIMITS): Probe {
  decodeSince(version, "moq-lite-03", "PROBE");
  return decodeBody(body, "PROBE", (r) => {
    const bitrate = r.varint("probe bitrate");
    const rttMs = versionAtLeast(version, "moq-lite-04") ? r.varint("probe rtt") : 0;
    return { bitrate, rttMs };
  });
}
