// A view of one item of a collection (a broadcast's info): the collection's changes to that key
// only, and something to release when the watcher goes.

import type { ChangeListener, ViewSource } from "./collection.ts";

export function singleItemView<T extends { key: string }>(
  source: ViewSource<T>,
  key: string,
  onClose: () => void = () => {},
): ViewSource<T> {
  const listeners = new Set<ChangeListener>();
  const stop = source.subscribe((changed, removed) => {
    if (changed !== key) return;
    for (const listener of listeners) listener(changed, removed);
  });
  let closed = false;
  return {
    items: () => {
      const item = source.get(key);
      return item ? [item] : [];
    },
    get: (k) => (k === key ? source.get(key) : undefined),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      stop();
      listeners.clear();
      onClose();
    },
  };
}
