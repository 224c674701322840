// One watched view held in the page: a keyed map updated by snapshots and deltas, published to
// the components as a sorted array. Freezing (Hold) stops publishing while updates keep arriving.

import type { MoqscopeApi, ViewItem, ViewName, ViewParams, ViewUpdate } from "../../main/ipc/contract.ts";

export class ViewStore<V extends ViewName> {
  /** What the components show: the live items, or those at the moment of Hold. */
  items = $state.raw<ViewItem<V>[]>([]);
  /** Whether the first snapshot arrived. */
  ready = $state(false);
  error = $state<string | null>(null);
  /** Bumped on every applied update, frozen or not: lets counters keep rising under Hold. */
  revision = $state(0);
  // Deliberately not reactive: `items` is what renders, `revision` signals changes.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly live = new Map<string, ViewItem<V>>();
  #frozen = false;
  #stop: () => void;
  readonly #compare: ((a: ViewItem<V>, b: ViewItem<V>) => number) | undefined;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- callbacks, never rendered
  readonly #listeners = new Set<(update: ViewUpdate<V>) => void>();

  constructor(api: MoqscopeApi, view: V, params: ViewParams<V>, compare?: (a: ViewItem<V>, b: ViewItem<V>) => number) {
    this.#compare = compare;
    this.#stop = api.watch(
      view,
      params,
      (update) => this.#apply(update),
      (message) => {
        this.error = message;
      },
    );
  }

  /** Called after each applied update (used by triggers, which must see through a Hold). */
  onUpdate(listener: (update: ViewUpdate<V>) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  freeze(frozen: boolean): void {
    this.#frozen = frozen;
    if (!frozen) this.#publish();
  }

  close(): void {
    this.#stop();
    this.#listeners.clear();
  }

  #apply(update: ViewUpdate<V>): void {
    if (update.kind === "snapshot") {
      this.live.clear();
      for (const item of update.items) this.live.set(item.key, item);
    } else {
      for (const key of update.remove) this.live.delete(key);
      for (const item of update.upsert) this.live.set(item.key, item);
    }
    this.error = null;
    this.ready = true;
    this.revision += 1;
    if (!this.#frozen) this.#publish();
    for (const listener of this.#listeners) listener(update);
  }

  #publish(): void {
    const items = [...this.live.values()];
    if (this.#compare) items.sort(this.#compare);
    this.items = items;
  }
}
