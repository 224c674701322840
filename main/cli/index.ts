// The `moqscope` command. Runs on import: as out/main/cli.js (bin/moqscope.js) and as
// `npx tsx main/cli/index.ts`. Dispatches to one file per command and owns the exit code:
// 0 done (also after Ctrl-C), 1 runtime failure, 2 usage error.

import { readFileSync } from "node:fs";
import type { CommandContext, CommandRun } from "./command.ts";
import { runBench } from "./commands/bench.ts";
import { runInspect } from "./commands/inspect.ts";
import { runProbe } from "./commands/probe.ts";
import { runPub } from "./commands/pub.ts";
import { runRelay } from "./commands/relay.ts";
import { runSub } from "./commands/sub.ts";
import { runUi } from "./commands/ui.ts";
import { UsageError, describeError } from "./errors.ts";
import { installPolyfills } from "../moq/node.ts";
import { Output } from "./output.ts";
import { watchInterrupts } from "./signals.ts";
import { PLANNED_COMMANDS, commandNames, globalHelp, usageLine } from "./usage.ts";
import type { CommandName } from "./usage.ts";

// Node 20 lacks built-ins the transports use; nothing calls them while modules load.
installPolyfills();

const COMMANDS: Record<CommandName, CommandRun> = {
  sub: runSub,
  pub: runPub,
  inspect: runInspect,
  probe: runProbe,
  relay: runRelay,
  bench: runBench,
  ui: runUi,
};

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(globalHelp());
    return 2;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = rest[0];
    if (topic && topic in COMMANDS)
      return COMMANDS[topic as CommandName](["--help"], { signal: new AbortController().signal });
    process.stdout.write(globalHelp());
    return 0;
  }
  if (first === "--version" || first === "-V") {
    // Before a command --version is the program's; after one it is the deprecated name of --protocol.
    process.stdout.write(`moqscope ${programVersion()}\n`);
    return 0;
  }

  const interrupts = watchInterrupts();
  const ctx: CommandContext = { signal: interrupts.signal };
  try {
    const run = COMMANDS[first as CommandName];
    if (!run) throw unknownCommand(first);
    return await run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`moqscope: ${err.message}\n${usageLine(err.command)}\n`);
      return 2;
    }
    (ctx.out ?? new Output({ json: rest.includes("--json"), quiet: false })).error(describeError(err));
    return 1;
  } finally {
    interrupts.dispose();
  }
}

function unknownCommand(name: string): UsageError {
  if ((PLANNED_COMMANDS as readonly string[]).includes(name)) {
    return new UsageError(`"${name}" is not available in this version yet; commands: ${commandNames().join(", ")}`);
  }
  if (name.startsWith("-")) return new UsageError(`expected a command before ${name}`);
  return new UsageError(`unknown command "${name}"; commands: ${commandNames().join(", ")}`);
}

function programVersion(): string {
  // package.json sits two levels up both from main/cli/ and from out/main/.
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "moqscope" && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return "(unknown version)";
}

/** Exit once output is flushed; lingering sockets or timers must not keep a finished command alive. */
async function exit(code: number): Promise<never> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (s) => new Promise<void>((resolve) => (s.writable ? s.write("", () => resolve()) : resolve())),
    ),
  );
  process.exit(code);
}

// A reader that went away (`moqscope sub … | head`) is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

await exit(await main(process.argv.slice(2)));
