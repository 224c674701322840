/** An unbounded single-consumer queue with an end marker; used for announcement changes and probe results. */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  #waiter?: (v: T | undefined) => void;
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
      w(item);
    } else {
      this.#items.push(item);
    }
  }

  /** No more items; readers drain what is queued, then get undefined. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    this.#resolveClosed(error);
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.(undefined);
  }

  get error(): unknown {
    return this.#error;
  }

  next(): Promise<T | undefined> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.#waiter = resolve));
  }
}
