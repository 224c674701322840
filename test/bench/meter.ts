// Per-process CPU accounting: process.cpuUsage() covers every thread of the process (V8 helper
// threads, libuv pool), which is the honest cost of moving the bytes.

import type { CpuSample } from "./protocol.ts";

export interface CpuMark {
  usage: NodeJS.CpuUsage;
  at: number;
}

export function markCpu(): CpuMark {
  return { usage: process.cpuUsage(), at: performance.now() };
}

export function cpuSince(mark: CpuMark): CpuSample {
  const d = process.cpuUsage(mark.usage);
  return {
    userSeconds: d.user / 1e6,
    systemSeconds: d.system / 1e6,
    wallSeconds: (performance.now() - mark.at) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** A recognisable payload: byte i is i mod 251, so a shifted or truncated frame shows up. */
export function makeFrame(size: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = i % 251;
  return frame;
}

/** Cheap check of a received frame: its length and its last byte (full compares would cost CPU). */
export function frameLooksRight(frame: Uint8Array, size: number): boolean {
  return frame.length === size && (size === 0 || frame[size - 1] === (size - 1) % 251);
}
