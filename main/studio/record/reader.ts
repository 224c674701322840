// Reading a recording back. readRecording yields the records (the header is checked first and not
// yielded; readRecordingHeader returns it). A bad line ends the reading with a RecordingError naming
// the file and the line, after every good record before it has been yielded: a recording cut off
// by a crash still shows everything up to the cut.

import { basename } from "node:path";
import { z } from "zod";
import { describeJsonSyntaxError, findJsonSyntaxError } from "./json-syntax.ts";
import { readFileLines, type FileLine } from "./line-reader.ts";
import {
  MAX_LINE_BYTES,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type RecordingHeader,
  type RecordingRecord,
} from "./format.ts";

/** Why a recording cannot be read (further): "x.moqrec.jsonl line 12: not JSON (…)". */
export class RecordingError extends Error {
  override readonly name = "RecordingError";
  /** The file's path, and the 1-based line at fault (null when the fault is the file as a whole). */
  readonly path: string;
  readonly line: number | null;

  constructor(path: string, line: number | null, problem: string, options?: ErrorOptions) {
    super(`${basename(path)}${line === null ? "" : ` line ${line}`}: ${problem}`, options);
    this.path = path;
    this.line = line;
  }
}

const headerSchema = z.object({
  format: z.literal(RECORDING_FORMAT),
  version: z.number().int().positive(),
  label: z.string(),
  url: z.string(),
  startedAt: z.number().refine(Number.isFinite),
  app: z.string().optional(),
});

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The header (line 1), reading no further. Throws a RecordingError for a file that is not a recording we can read. */
export async function readRecordingHeader(path: string): Promise<RecordingHeader> {
  const lines = readFileLines(path, MAX_LINE_BYTES);
  try {
    const first = await nextLine(path, lines);
    if (first === null) throw new RecordingError(path, null, "the file is empty, not a moqscope recording");
    return parseHeader(path, first);
  } finally {
    await lines.return(undefined);
  }
}

/**
 * The records after the header, in file order. Blank lines are skipped. On a bad line it throws a
 * RecordingError (with `line`) after yielding every record before it; unsupported files throw
 * before the first record.
 */
export async function* readRecording(path: string): AsyncGenerator<RecordingRecord, void, undefined> {
  const lines = readFileLines(path, MAX_LINE_BYTES);
  try {
    const first = await nextLine(path, lines);
    if (first === null) throw new RecordingError(path, null, "the file is empty, not a moqscope recording");
    parseHeader(path, first);
    for (;;) {
      const line = await nextLine(path, lines);
      if (line === null) return;
      const record = parseRecord(path, line);
      if (record !== null) yield record;
    }
  } finally {
    await lines.return(undefined);
  }
}

type TextLine = { number: number; text: string; complete: boolean };

async function nextLine(path: string, lines: AsyncGenerator<FileLine>): Promise<TextLine | null> {
  let step: IteratorResult<FileLine>;
  try {
    step = await lines.next();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? String(error));
    throw new RecordingError(path, null, `cannot be read (${why})`, { cause: error });
  }
  if (step.done) return null;
  const line = step.value;
  if (line.tooLong === true || line.bytes.length > MAX_LINE_BYTES) {
    throw new RecordingError(
      path,
      line.number,
      "longer than 1 MiB, refused (moqscope writes shorter lines: the file is damaged or not a recording)",
    );
  }
  let text: string;
  try {
    text = decoder.decode(line.bytes);
  } catch {
    throw new RecordingError(path, line.number, "not UTF-8 text (the file is damaged or not a recording)");
  }
  return { number: line.number, text, complete: line.complete };
}

function parseHeader(path: string, line: TextLine): RecordingHeader {
  let data: unknown;
  try {
    data = JSON.parse(line.text);
  } catch {
    throw new RecordingError(path, null, `not a moqscope recording (line 1 is not JSON)`);
  }
  const head = (typeof data === "object" && data !== null ? data : {}) as { format?: unknown; version?: unknown };
  if (head.format !== RECORDING_FORMAT) {
    throw new RecordingError(path, null, `not a moqscope recording (line 1 has no "format": "${RECORDING_FORMAT}")`);
  }
  if (typeof head.version === "number" && head.version > RECORDING_VERSION) {
    throw new RecordingError(
      path,
      null,
      `recording format version ${head.version} is newer than this moqscope reads (version ${RECORDING_VERSION}); ` +
        `update moqscope to open it`,
    );
  }
  const parsed = headerSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RecordingError(
      path,
      1,
      `not a valid recording header (${issue.path.join(".") || "header"}: ${issue.message})`,
    );
  }
  return parsed.data as RecordingHeader;
}

/** The record on this line, or null for a blank line. */
function parseRecord(path: string, line: TextLine): RecordingRecord | null {
  if (line.text.trim() === "") return null;
  const data = parseJson(path, line);
  const record = data as Partial<RecordingRecord> | null;
  if (
    typeof data !== "object" ||
    record === null ||
    Array.isArray(data) ||
    typeof record.t !== "string" ||
    record.t === "" ||
    typeof record.at !== "number" ||
    !Number.isFinite(record.at)
  ) {
    throw new RecordingError(
      path,
      line.number,
      'not a record (needs "t", its type as text, and "at", a time in epoch ms)',
    );
  }
  return record as RecordingRecord;
}

function parseJson(path: string, line: TextLine): unknown {
  try {
    return JSON.parse(line.text);
  } catch {
    if (!line.complete) {
      throw new RecordingError(
        path,
        line.number,
        "not JSON (cut off: the file ends inside this line, as when moqscope stops while writing; the records before it are intact)",
      );
    }
    const where = findJsonSyntaxError(line.text);
    throw new RecordingError(
      path,
      line.number,
      `not JSON (${where ? describeJsonSyntaxError(where, false) : "syntax error"})`,
    );
  }
}
