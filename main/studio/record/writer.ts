// Writes a recording in the background: write() only serializes the record and queues its line,
// so an observer can call it per event; a pump moves queued lines to the file in batches. The queue
// is bounded: when the disk falls behind, records are counted instead of queued, and a "dropped"
// record says how many (and when) once there is room again.

import { open, stat, type FileHandle } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import type { RecordingFile } from "../../ipc/contract.ts";
import { splitJwt } from "../profiles/jwt-url.ts";
import { recordingFileName } from "./file-name.ts";
import {
  FILE_RECORD_TYPES,
  MAX_LINE_BYTES,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type RecordingHeader,
  type RecordingRecord,
} from "./format.ts";

export interface RecordingMeta {
  label: string;
  /** The relay URL; a `jwt` parameter is removed before it is written. */
  url: string;
  startedAt: number;
  appVersion?: string;
}

export interface RecordingWriterOptions {
  /** The file stops growing here, ending with a "stopped" record (default 1 GiB). */
  maxBytes?: number;
  /** Bytes of lines held in memory while the disk catches up (default 8 MiB); beyond, records are dropped and counted. */
  maxBufferedBytes?: number;
}

export const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Room kept under maxBytes for the last notes ("dropped", "stopped"): each is well under 256 bytes. */
const NOTE_RESERVE = 1024;
/** How much one write to the file carries at most. */
const BATCH_BYTES = 256 * 1024;
/** Give up finding a free file name after this many with the same second and label. */
const NAME_ATTEMPTS = 1000;

interface Queued {
  text: string;
  bytes: number;
}

export class RecordingWriter {
  readonly path: string;
  readonly header: RecordingHeader;
  readonly #handle: FileHandle;
  readonly #maxBytes: number;
  readonly #maxBuffered: number;
  #bytes: number;
  #records = 0;
  /** Bytes written or queued: what the file will hold once the queue drains. */
  #committed: number;
  #queue: Queued[] = [];
  #queuedBytes = 0;
  #pumping: Promise<void> | null = null;
  #dropped = 0;
  /** Drops not yet reported by a "dropped" record. */
  #unreported: { count: number; firstAt: number; lastAt: number } | null = null;
  #limitReached = false;
  #closed = false;
  #closing: Promise<RecordingFile> | null = null;
  #failure: string | null = null;

  private constructor(
    path: string,
    header: RecordingHeader,
    handle: FileHandle,
    headerBytes: number,
    options: RecordingWriterOptions,
  ) {
    this.path = path;
    this.header = header;
    this.#handle = handle;
    this.#bytes = headerBytes;
    this.#committed = headerBytes;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  /** Creates `<dir>/<YYYYMMDD-HHMMSS>-<label-slug>.moqrec.jsonl` (a new name, never an existing file) and writes its header. */
  static async create(
    dir: string,
    meta: RecordingMeta,
    options: RecordingWriterOptions = {},
  ): Promise<RecordingWriter> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(maxBytes >= 4 * NOTE_RESERVE)) throw new RangeError(`maxBytes must be at least ${4 * NOTE_RESERVE}`);
    if (!((options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES) > 0))
      throw new RangeError("maxBufferedBytes must be positive");
    const header: RecordingHeader = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      label: meta.label,
      url: splitJwt(meta.url).url,
      startedAt: meta.startedAt,
      ...(meta.appVersion === undefined ? {} : { app: meta.appVersion }),
    };
    const line = Buffer.from(JSON.stringify(header) + "\n", "utf8");
    if (line.length > MAX_LINE_BYTES) throw new RangeError("the recording's label and URL are too long");

    await mkdir(dir, { recursive: true });
    for (let attempt = 1; attempt <= NAME_ATTEMPTS; attempt++) {
      const path = join(dir, recordingFileName(meta.startedAt, meta.label, attempt));
      let handle: FileHandle;
      try {
        handle = await open(path, "wx", 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
        throw error;
      }
      try {
        await writeAll(handle, line);
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
      return new RecordingWriter(path, header, handle, line.length, options);
    }
    throw new Error(`could not find a free recording file name in ${dir}`);
  }

  /** Bytes in the file so far (the header included). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Records in the file so far (the header not counted, notes such as "dropped" counted). */
  get records(): number {
    return this.#records;
  }

  /** Records that never reached the file: the disk fell behind, or writing failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True once the size cap stopped the recording; later writes are ignored. */
  get limitReached(): boolean {
    return this.#limitReached;
  }

  /** Why writing failed (disk full, …), in words; null while all is well. */
  get failure(): string | null {
    return this.#failure;
  }

  /**
   * Queues one record and returns at once. Ignored after close(), after the size cap or a write
   * failure. Throws a TypeError only for a record that is not one (no `t`/`at`, not JSON-able).
   */
  write(record: RecordingRecord): void {
    if (
      typeof record.t !== "string" ||
      record.t === "" ||
      typeof record.at !== "number" ||
      !Number.isFinite(record.at)
    ) {
      throw new TypeError('a recording record needs "t" (its type, text) and "at" (epoch ms)');
    }
    if (this.#closed || this.#limitReached) return;
    if (this.#failure !== null) {
      this.#dropped++;
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(record) + "\n";
    } catch (error) {
      throw new TypeError(`recording record "${record.t}" cannot be written as JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
    let bytes = Buffer.byteLength(text, "utf8");
    if (bytes - 1 > MAX_LINE_BYTES) {
      // Readers refuse such a line: note its absence instead.
      text = JSON.stringify({ t: FILE_RECORD_TYPES.omitted, at: record.at, type: record.t, bytes: bytes - 1 }) + "\n";
      bytes = Buffer.byteLength(text, "utf8");
    }
    if (this.#queuedBytes + bytes > this.#maxBuffered) {
      this.#drop(record.at);
      return;
    }
    this.#reportDrops(record.at);
    if (this.#committed + bytes > this.#maxBytes - NOTE_RESERVE) {
      this.#stopAtLimit(record.at);
      return;
    }
    this.#enqueue(text, bytes);
  }

  /** Resolves once everything queued so far is in the file (or writing failed). */
  async flush(): Promise<void> {
    while (this.#pumping !== null) await this.#pumping;
  }

  /** Writes what is queued (and a last "dropped" record if needed), closes the file, describes it. */
  close(): Promise<RecordingFile> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<RecordingFile> {
    if (!this.#limitReached && this.#failure === null) this.#reportDrops(this.#unreported?.lastAt ?? 0);
    this.#closed = true;
    await this.flush();
    try {
      if (this.#failure === null) await this.#handle.sync();
    } catch (error) {
      this.#fail(error);
    }
    await this.#handle.close().catch((error: unknown) => this.#fail(error));
    if (this.#failure !== null) {
      throw new Error(`The recording ${this.path} is incomplete: ${this.#failure}. It holds what was written before.`);
    }
    const info = await stat(this.path);
    return { name: basename(this.path), path: this.path, bytes: info.size, modifiedAt: info.mtimeMs };
  }

  #drop(at: number): void {
    this.#dropped++;
    if (this.#unreported === null) this.#unreported = { count: 1, firstAt: at, lastAt: at };
    else {
      this.#unreported.count++;
      this.#unreported.lastAt = Math.max(this.#unreported.lastAt, at);
    }
  }

  /** Queues a "dropped" record, timed `at`, for drops not yet reported (small: it may exceed the buffer bound). */
  #reportDrops(at: number): void {
    const drops = this.#unreported;
    if (drops === null) return;
    this.#unreported = null;
    const text = JSON.stringify({ t: FILE_RECORD_TYPES.dropped, at, ...drops }) + "\n";
    this.#enqueue(text, Buffer.byteLength(text, "utf8"));
  }

  #stopAtLimit(at: number): void {
    this.#limitReached = true;
    const note = { t: FILE_RECORD_TYPES.stopped, at, reason: "size-limit", limitBytes: this.#maxBytes };
    const text = JSON.stringify(note) + "\n";
    this.#enqueue(text, Buffer.byteLength(text, "utf8"));
  }

  #enqueue(text: string, bytes: number): void {
    this.#queue.push({ text, bytes });
    this.#queuedBytes += bytes;
    this.#committed += bytes;
    this.#pumping ??= this.#pump();
  }

  async #pump(): Promise<void> {
    // Let the rest of this turn's writes join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0 && this.#failure === null) {
        let size = 0;
        let count = 0;
        while (count < this.#queue.length && (count === 0 || size + this.#queue[count]!.bytes <= BATCH_BYTES)) {
          size += this.#queue[count]!.bytes;
          count++;
        }
        const batch = this.#queue.splice(0, count);
        this.#queuedBytes -= size;
        try {
          await writeAll(this.#handle, Buffer.from(batch.map((q) => q.text).join(""), "utf8"));
        } catch (error) {
          this.#dropped += count + this.#queue.length;
          this.#queue = [];
          this.#queuedBytes = 0;
          this.#fail(error);
          break;
        }
        this.#bytes += size;
        this.#records += count;
      }
    } finally {
      this.#pumping = null;
    }
  }

  #fail(error: unknown): void {
    const e = error as NodeJS.ErrnoException;
    this.#failure ??= `writing failed (${e?.code ?? (e instanceof Error ? e.message : String(error))})`;
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
