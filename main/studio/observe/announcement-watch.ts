// Which broadcasts the peer announces, kept up to date in the background. `sub` uses it to tell
// "no such broadcast" apart from "no such track" and to list what is there instead.

import { MoqError } from "../../moq/index.ts";
import type { AnnouncementReader, Session } from "../../moq/index.ts";
import { explainCode } from "../describe.ts";

export class AnnouncementWatch {
  readonly #active = new Set<string>();
  readonly #reader: AnnouncementReader;
  readonly #started = performance.now();
  readonly #waiters = new Set<() => void>();
  #ended = false;
  /** Why the announce stream failed, when it did (the peer refused or reset it). */
  failure: Error | undefined;

  constructor(session: Session, prefix = "") {
    this.#reader = session.announced(prefix);
    void this.#follow();
  }

  async #follow(): Promise<void> {
    try {
      for (;;) {
        const change = await this.#reader.next();
        if (!change) break;
        if (change.active) this.#active.add(change.path);
        else this.#active.delete(change.path);
        this.#wake();
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const fn of [...this.#waiters]) fn();
  }

  has(path: string): boolean {
    return this.#active.has(path);
  }

  /** Active paths, sorted. */
  list(): string[] {
    return [...this.#active].sort();
  }

  /** The failure for a message: "the server reset the announce stream with 13 NotFound: …". */
  describeFailure(): string | undefined {
    const failure = this.failure;
    if (!failure) return undefined;
    return failure instanceof MoqError
      ? `the server reset the announce stream with ${explainCode(failure.code)}`
      : `the announce stream failed: ${failure.message}`;
  }

  /** Whether the announce stream ended (cleanly or not): the list is no longer followed. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * True as soon as `path` is announced; false once `windowMs` have passed since the watch began
   * (the peer had time to list what it has) or the announce stream ended without it.
   */
  waitFor(path: string, windowMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#active.has(path)) finish(true);
        else if (this.#ended) finish(false);
      };
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      const left = Math.max(0, windowMs - (performance.now() - this.#started));
      const timer = setTimeout(() => finish(this.#active.has(path)), left);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.#reader.close();
  }
}
