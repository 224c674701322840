// The recording file: JSON lines. Line 1 is the header, every later line one record with at least
// `t` (its type) and `at` (epoch ms). README "Recordings (file format)" documents it for people.
//
// Versioning: `version` is a major number. Adding record types or fields does not change it, and
// readers skip what they do not know; a change old readers would misread bumps it, and readers
// refuse a version higher than theirs.

import type { EpochMs } from "../../ipc/contract.ts";

export const RECORDING_FORMAT = "moqscope-recording";
export const RECORDING_VERSION = 1;
/** Every recording's name ends so: `20261204-040244-local-demo.moqrec.jsonl`. */
export const RECORDING_SUFFIX = ".moqrec.jsonl";
/** The longest line a writer writes and a reader accepts, in bytes (newline excluded). */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Line 1 of every recording. */
export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  /** What the connection was called (profile name, host), for lists and tab titles. */
  label: string;
  /** The relay URL, never with its jwt. */
  url: string;
  startedAt: EpochMs;
  /** The moqscope version that wrote it, when known. */
  app?: string;
}

/** One record: a type and a time, and whatever fields that type defines. */
export type RecordingRecord = { t: string; at: EpochMs } & Record<string, unknown>;
/** What readRecording yields (the records; the header is read separately). */
export type RecordingLine = RecordingRecord;

/** Record types the file layer itself writes (the observation code defines the rest). */
export const FILE_RECORD_TYPES = {
  /** `{ t: "dropped", at, count, firstAt, lastAt }`: records lost because the disk fell behind. */
  dropped: "dropped",
  /** `{ t: "omitted", at, type, bytes }`: one record left out because its line would exceed MAX_LINE_BYTES. */
  omitted: "omitted",
  /** `{ t: "stopped", at, reason: "size-limit", limitBytes }`: the file reached its size cap; nothing follows. */
  stopped: "stopped",
} as const;
