// Ctrl-C and SIGTERM end a command cleanly: the first one aborts a signal the command watches (it
// prints its summary and closes the session with code 0); a second Ctrl-C exits at once.

export interface Interrupts {
  /** Aborted on the first SIGINT or SIGTERM; the reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Remove the handlers. */
  dispose(): void;
}

export function watchInterrupts(): Interrupts {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // The user insists: no more waiting for a clean close.
      process.exit(130);
    }
    controller.abort(name);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

// One abort listener per signal, shared by every wait on it: a command that waits on the same
// signal for each of its many connections must not pile up listeners (Node warns past ten).
const aborts = new WeakMap<AbortSignal, Promise<void>>();

/** Resolves when `signal` aborts (never, if it does not). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  let aborted = aborts.get(signal);
  if (!aborted) {
    aborted = new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    aborts.set(signal, aborted);
  }
  return aborted;
}

/** The promise's value, or "aborted" if the signal fires first. Rejections pass through. */
export async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<{ value: T } | "aborted"> {
  if (signal.aborted) return "aborted";
  return Promise.race([promise.then((value) => ({ value })), whenAborted(signal).then(() => "aborted" as const)]);
}

/** Wait `ms`; resolves false early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A signal that aborts with the parent or after `ms` (when given), whichever comes first. */
export function withDeadline(
  parent: AbortSignal,
  ms: number | undefined,
): { signal: AbortSignal; expired: () => boolean; dispose(): void } {
  const controller = new AbortController();
  let expired = false;
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  if (parent.aborted) controller.abort(parent.reason);
  const timer =
    ms === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort("deadline");
        }, ms);
  return {
    signal: controller.signal,
    expired: () => expired,
    dispose() {
      if (timer) clearTimeout(timer);
      parent.removeEventListener("abort", onAbort);
    },
  };
}
