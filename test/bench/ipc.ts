// The child side of the IPC channel: typed send/receive, and failures reported to the parent
// instead of a silent hang.

export function send<T>(message: T): void {
  process.send?.(message);
}

export function onMessage<T>(handler: (message: T) => void | Promise<void>): void {
  process.on("message", (message) => {
    Promise.resolve()
      .then(() => handler(message as T))
      .catch(fail);
  });
}

/** Report a fatal error to the orchestrator and leave. */
export function fail(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  send({ type: "error", message });
  // Give the IPC message a moment to leave before exiting.
  setTimeout(() => process.exit(1), 100);
}

/** Read the run configuration the orchestrator passed as JSON in argv[2]. */
export function configFromArgv<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error("missing run configuration (argv[2])");
  return JSON.parse(raw) as T;
}

/** Dependencies log at debug level on every subscription; keep the benchmark output readable. */
export function quietDebugLogs(): void {
  console.debug = () => {};
}
