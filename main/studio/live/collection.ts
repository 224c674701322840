// A keyed collection that tells its watchers which keys changed: the shape every view of the app
// is served from. Views coalesce the notifications (a key changed ten times between two flushes
// is sent once), so `set` may be called per frame without cost beyond a Set insert downstream.

export type ChangeListener = (key: string, removed: boolean) => void;

/** Read side of a view's state, as main/ipc's feeds consume it. */
export interface ViewSource<T extends { key: string }> {
  /** The current items, in display order (insertion order unless the source says otherwise). */
  items(): T[];
  /** The current item for a key, if present. */
  get(key: string): T | undefined;
  /** Called synchronously for every upsert and removal until the returned function is called. */
  subscribe(listener: ChangeListener): () => void;
  /** Release what the view holds open for its watcher (e.g. a catalog subscription). */
  close?(): void;
}

/**
 * Items by key in insertion order. With a capacity, inserting a new key beyond it evicts the
 * oldest (a ring buffer by key); updating an existing key keeps its place.
 */
export class LiveCollection<T extends { key: string }> implements ViewSource<T> {
  readonly #items = new Map<string, T>();
  readonly #listeners = new Set<ChangeListener>();
  readonly capacity: number;

  constructor(capacity = Number.POSITIVE_INFINITY) {
    if (!(capacity > 0)) throw new RangeError(`capacity must be positive (got ${capacity})`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  items(): T[] {
    return [...this.#items.values()];
  }

  /** Insert or replace the item under its key; evicts the oldest key when full. */
  set(item: T): void {
    const fresh = !this.#items.has(item.key);
    this.#items.set(item.key, item);
    this.#notify(item.key, false);
    if (fresh && this.#items.size > this.capacity) {
      const oldest = this.#items.keys().next().value as string;
      this.delete(oldest);
    }
  }

  /** Replace the item under `key` with `change(current)`; no-op when absent. */
  update(key: string, change: (current: T) => T): void {
    const current = this.#items.get(key);
    if (current !== undefined) this.set(change(current));
  }

  delete(key: string): boolean {
    if (!this.#items.delete(key)) return false;
    this.#notify(key, true);
    return true;
  }

  clear(): void {
    for (const key of [...this.#items.keys()]) this.delete(key);
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify(key: string, removed: boolean): void {
    for (const listener of this.#listeners) listener(key, removed);
  }
}
