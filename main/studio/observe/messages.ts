// The message log: every session event as a row, newest last, in a ring. A watcher sees the
// newest `limit` rows that match its filter, kept up to date as rows arrive and fall out.

import type { MessageFilter, MessageRow } from "../../ipc/contract.ts";
import { LiveCollection } from "../live/collection.ts";
import type { ChangeListener, ViewSource } from "../live/collection.ts";

/** Rows kept per connection. */
export const MESSAGE_LOG_CAPACITY = 5000;
/** The most rows one watcher may ask for. */
export const MAX_MESSAGES_LIMIT = 2000;
export const DEFAULT_MESSAGES_LIMIT = 500;

export class MessageLog {
  readonly rows: LiveCollection<MessageRow>;
  #nextId = 1;

  constructor(capacity = MESSAGE_LOG_CAPACITY) {
    this.rows = new LiveCollection<MessageRow>(capacity);
  }

  add(row: Omit<MessageRow, "key" | "id">): MessageRow {
    const id = this.#nextId++;
    const full: MessageRow = { key: String(id), id, ...row };
    this.rows.set(full);
    return full;
  }

  get count(): number {
    return this.#nextId - 1;
  }

  /** The newest `limit` rows matching `filter`, as a live view. */
  view(filter: MessageFilter = {}, limit = DEFAULT_MESSAGES_LIMIT): ViewSource<MessageRow> {
    return new FilteredMessages(this.rows, filter, Math.max(1, Math.min(MAX_MESSAGES_LIMIT, Math.floor(limit))));
  }
}

export function matchesFilter(row: MessageRow, filter: MessageFilter): boolean {
  if (filter.direction !== undefined && row.direction !== filter.direction) return false;
  if (filter.stream !== undefined && row.stream !== filter.stream) return false;
  if (filter.broadcast !== undefined && row.broadcast !== filter.broadcast) return false;
  if (filter.track !== undefined && row.track !== filter.track) return false;
  if (filter.types !== undefined && filter.types.length > 0 && !filter.types.includes(row.type)) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    if (!row.type.toLowerCase().includes(needle) && !row.summary.toLowerCase().includes(needle)) return false;
  }
  return true;
}

class FilteredMessages implements ViewSource<MessageRow> {
  readonly #source: LiveCollection<MessageRow>;
  readonly #filter: MessageFilter;
  readonly #limit: number;
  /** Keys shown, oldest first (a Set keeps insertion order). */
  readonly #shown = new Set<string>();
  readonly #listeners = new Set<ChangeListener>();
  readonly #unsubscribe: () => void;

  constructor(source: LiveCollection<MessageRow>, filter: MessageFilter, limit: number) {
    this.#source = source;
    this.#filter = filter;
    this.#limit = limit;
    const newest: string[] = [];
    const all = source.items();
    for (let i = all.length - 1; i >= 0 && newest.length < limit; i--) {
      if (matchesFilter(all[i]!, filter)) newest.push(all[i]!.key);
    }
    for (const key of newest.reverse()) this.#shown.add(key);
    this.#unsubscribe = source.subscribe((key, removed) => this.#onChange(key, removed));
  }

  #onChange(key: string, removed: boolean): void {
    if (removed) {
      if (this.#shown.delete(key)) this.#notify(key, true);
      return;
    }
    const row = this.#source.get(key);
    if (!row || !matchesFilter(row, this.#filter)) {
      if (this.#shown.delete(key)) this.#notify(key, true);
      return;
    }
    const fresh = !this.#shown.has(key);
    this.#shown.add(key);
    this.#notify(key, false);
    if (fresh && this.#shown.size > this.#limit) {
      const oldest = this.#shown.values().next().value as string;
      this.#shown.delete(oldest);
      this.#notify(oldest, true);
    }
  }

  #notify(key: string, removed: boolean): void {
    for (const listener of this.#listeners) listener(key, removed);
  }

  items(): MessageRow[] {
    const out: MessageRow[] = [];
    for (const key of this.#shown) {
      const row = this.#source.get(key);
      if (row) out.push(row);
    }
    return out;
  }

  get(key: string): MessageRow | undefined {
    return this.#shown.has(key) ? this.#source.get(key) : undefined;
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }
}
