// Node 20 lacks Promise.withResolvers (used by @moq/qmux) and Set.prototype.difference (used by
// @moq/lite, a test peer). Electron's Node has both. Importing the library patches nothing: a
// process that runs on Node 20 calls installPolyfills() once where it starts.

const hasWithResolvers = () => typeof (Promise as { withResolvers?: unknown }).withResolvers === "function";

/** Install the missing built-ins; a no-op where they exist. */
export function installPolyfills(): void {
  if (!hasWithResolvers()) {
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
}

/** Throw an actionable error where the QMux transport would otherwise fail deep inside @moq/qmux. */
export function requireQmuxBuiltins(): void {
  if (!hasWithResolvers()) {
    throw new Error(
      "this Node lacks Promise.withResolvers, which WebSocket/QMux needs: call installPolyfills() from the library's Node entry once at startup",
    );
  }
}
