/**
 * An unbounded single-consumer queue with an end; used for announcement changes and probe results.
 * The reader drains what was queued, then gets the end: undefined when the queue closed cleanly,
 * or the error it was closed with, thrown — so a failed stream never reads as a clean end.
 */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  #waiter?: { resolve: (v: T | undefined) => void; reject: (e: unknown) => void };
  #closed = false;
  #error?: unknown;
  readonly closed: Promise<unknown>;
  #resolveClosed!: (e: unknown) => void;

  constructor() {
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  push(item: T): void {
    if (this.#closed) return;
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      w.resolve(item);
    } else {
      this.#items.push(item);
    }
  }

  /** No more items. With an error, readers get it thrown once they drained what is queued. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    this.#resolveClosed(error);
    const w = this.#waiter;
    this.#waiter = undefined;
    if (!w) return;
    if (error === undefined) w.resolve(undefined);
    else w.reject(error);
  }

  get error(): unknown {
    return this.#error;
  }

  next(): Promise<T | undefined> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
    if (this.#closed) return this.#error === undefined ? Promise.resolve(undefined) : Promise.reject(this.#error);
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }
}
