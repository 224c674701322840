// What every command gets from the entry point and gives back.

import type { Output } from "./output.ts";

export interface CommandContext {
  /** Aborted on Ctrl-C or SIGTERM: the command prints its summary and exits 0. */
  readonly signal: AbortSignal;
  /** Set by the command once its options are known, so failures print in the chosen form. */
  out?: Output;
}

/** Runs a command with its own arguments (the command name removed); resolves with the exit code. */
export type CommandRun = (argv: string[], ctx: CommandContext) => Promise<number>;
