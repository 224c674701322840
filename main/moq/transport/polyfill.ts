// Node 20 lacks Promise.withResolvers (used by @moq/qmux) and Set.prototype.difference (used by
// @moq/lite, our test peer). Electron's Node has both; installing them is a no-op there.

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (v: T | PromiseLike<T>) => void;
      let reject!: (e?: unknown) => void;
      const promise = new Promise<T>((a, b) => {
        resolve = a;
        reject = b;
      });
      return { promise, resolve, reject };
    },
  });
}

if (typeof (Set.prototype as { difference?: unknown }).difference !== "function") {
  Object.defineProperty(Set.prototype, "difference", {
    configurable: true,
    writable: true,
    value<T>(this: Set<T>, other: { has(v: T): boolean }) {
      const out = new Set<T>();
      for (const v of this) if (!other.has(v)) out.add(v);
      return out;
    },
  });
}

export {};
