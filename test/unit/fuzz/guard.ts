// Process-wide watch for what a fuzz file must never cause: an exception or rejection nobody
// handled, and memory growth from a length prefix taken at its word.

export interface ProcessGuard {
  /** Every unhandled rejection / uncaught exception seen since `watchProcess()`. */
  readonly problems: string[];
  /** Record the current RSS; call after each run so the peak is known. */
  sample(): void;
  /** Largest RSS growth over the start, in bytes. */
  readonly peakGrowth: number;
  stop(): void;
}

const describe = (what: unknown) =>
  what instanceof Error ? `${what.name}: ${what.message}\n${what.stack ?? ""}` : String(what);

export function watchProcess(): ProcessGuard {
  const problems: string[] = [];
  const onRejection = (reason: unknown) => problems.push(`unhandledRejection: ${describe(reason)}`);
  const onException = (err: unknown) => problems.push(`uncaughtException: ${describe(err)}`);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  const start = process.memoryUsage().rss;
  let peak = start;
  return {
    problems,
    sample() {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
    get peakGrowth() {
      return peak - start;
    },
    stop() {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    },
  };
}

/** 200 MB: far above what a few hundred sessions need, far below one honoured 2^30 length. */
export const RSS_BUDGET = 200 * 1024 * 1024;
