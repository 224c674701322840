// Wake-up primitives for the model. A write must stay O(1) and never await, so instead of an
// event emitter (one callback per listener per write) readers park on a shared promise that is
// created only while somebody waits and replaced on every change.

/** A "something changed" notification: waiters re-check state after it resolves. */
export class ChangeSignal {
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  /** Resolves on the next notify(). All current waiters share one promise. */
  wait(): Promise<void> {
    if (!this.#promise) {
      this.#promise = new Promise<void>((resolve) => {
        this.#resolve = resolve;
      });
    }
    return this.#promise;
  }

  /** Wake every waiter. Costs nothing when nobody waits. */
  notify(): void {
    const resolve = this.#resolve;
    if (!resolve) return;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve();
  }
}

/** A promise together with its resolver, settled at most once. */
export class Settled<T> {
  readonly promise: Promise<T>;
  #resolve!: (value: T) => void;
  #done = false;

  constructor() {
    this.promise = new Promise<T>((resolve) => {
      this.#resolve = resolve;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  resolve(value: T): void {
    if (this.#done) return;
    this.#done = true;
    this.#resolve(value);
  }
}
