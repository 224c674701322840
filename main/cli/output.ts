// Where every command prints: one JSON object per line with --json, readable lines otherwise,
// plus a live status line that is redrawn in place, only when stdout is a terminal.

import type { Writable } from "node:stream";

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
}

/** A JSON line: always has an `event` name. */
export type EventRecord = { event: string } & Record<string, unknown>;

const CLEAR_LINE = "\r\x1b[2K";

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  /** Whether stdout is a terminal (status lines and in-place updates only then). */
  readonly tty: boolean;
  readonly #stdout: Writable & { columns?: number };
  readonly #stderr: Writable;
  #statusShown = "";
  #statusDone = false;

  constructor(options: OutputOptions, stdout: Writable = process.stdout, stderr: Writable = process.stderr) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.#stdout = stdout;
    this.#stderr = stderr;
    this.tty = (stdout as { isTTY?: boolean }).isTTY === true;
  }

  /** A result: the JSON line with --json, else the human text (nothing when it is undefined). */
  record(record: EventRecord, human?: string): void {
    if (this.json) this.#line(JSON.stringify(record, jsonSafe));
    else if (human !== undefined) this.#line(human);
  }

  /** A record that is context rather than a result: always in --json, for people unless --quiet. */
  info(record: EventRecord, human: string): void {
    this.record(record, this.quiet ? undefined : human);
  }

  /** Information for people only (connected, waiting…): not in --json, not with --quiet. */
  note(text: string): void {
    if (this.json || this.quiet) return;
    this.#line(text);
  }

  /** Something worth knowing that is not a result: `{"event":"notice"}` with --json, else a line. */
  notice(message: string): void {
    if (this.json) this.#line(JSON.stringify({ event: "notice", message }));
    else if (!this.quiet) this.#line(message);
  }

  /** Replace the live status line. Human output to a terminal only. */
  status(text: string): void {
    if (this.json || this.quiet || !this.tty || this.#statusDone) return;
    // Pseudo-terminals without a size report 0 columns.
    const width = Math.max(20, (this.#stdout.columns || 100) - 1);
    const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.#statusShown = shown;
    this.#stdout.write(CLEAR_LINE + shown);
  }

  /** The live part is over (summary next): remove the status line for good. */
  endStatus(): void {
    this.#statusDone = true;
    this.clearStatus();
  }

  clearStatus(): void {
    if (!this.#statusShown) return;
    this.#statusShown = "";
    this.#stdout.write(CLEAR_LINE);
  }

  /** A failure: `{"event":"error"}` with --json, else a line on stderr. */
  error(message: string, extra: Record<string, unknown> = {}): void {
    if (this.json) {
      this.#line(JSON.stringify({ event: "error", message, ...extra }, jsonSafe));
      return;
    }
    this.#withStatusCleared(() => this.#stderr.write(`moqscope: ${message}\n`));
  }

  /** A warning people should see even with --quiet; in --json a `{"event":"warning"}` line. */
  warn(message: string): void {
    if (this.json) {
      this.#line(JSON.stringify({ event: "warning", message }));
      return;
    }
    this.#withStatusCleared(() => this.#stderr.write(`moqscope: ${message}\n`));
  }

  /** Resolves once everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    this.clearStatus();
    await Promise.all([drained(this.#stdout), drained(this.#stderr)]);
  }

  #line(text: string): void {
    this.#withStatusCleared(() => this.#stdout.write(`${text}\n`));
  }

  /** Print above the status line: clear it, write, redraw it. */
  #withStatusCleared(write: () => void): void {
    const status = this.#statusShown;
    if (status) this.#stdout.write(CLEAR_LINE);
    write();
    if (status) this.#stdout.write(status);
  }
}

/** JSON.stringify replacer: bytes become their length, non-finite numbers null, bigints numbers. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) {
      resolve();
      return;
    }
    stream.write("", () => resolve());
  });
}
