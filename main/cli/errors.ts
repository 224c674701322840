// Turning library and transport failures into messages that name the cause and the fix, and the
// two failure kinds the command distinguishes by exit code (2 usage, 1 everything else).

import { describeFailure } from "../studio/describe.ts";

// The code and close wording is shared with the app: it lives in the studio.
export { explainClose, explainCode } from "../studio/describe.ts";

/** Bad command line: exit 2, with the command's usage line. */
export class UsageError extends Error {
  /** The command whose usage to show; undefined for the top level. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** A runtime failure whose message is already complete and actionable: exit 1. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
  }
}

/** The message to print for any failure, with a hint in terms of our flags where one helps. */
export function describeError(err: unknown): string {
  if (err instanceof CliError || err instanceof UsageError) return err.message;
  return describeFailure(err);
}
