// moqscope ui: the app in any browser. Starts the studio (with the embedded demo relay unless
// --url names a relay), serves the built renderer and the contract on a local port with a random
// token, prints the URL (and opens it unless --no-open), and runs until Ctrl-C.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startWebHost, type WebHost } from "../../ipc/web-host.ts";
import { createStudio } from "../../studio/index.ts";
import type { AppServices } from "../../studio/app-services.ts";
import type { CommandRun } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";
import { commonOptions, expectPositionals, intInRange, parseCommand, relayUrlArg } from "../options.ts";
import { Output } from "../output.ts";
import { isLoopback } from "../relay/bind.ts";
import { untilAborted } from "../signals.ts";
import { commandHelp } from "../usage.ts";

const OPTIONS = {
  port: { type: "string" },
  bind: { type: "string" },
  url: { type: "string" },
  "config-dir": { type: "string" },
  "no-open": { type: "boolean" },
} as const;

export const runUi: CommandRun = async (argv, ctx) => {
  const { values, positionals } = parseCommand("ui", argv, OPTIONS);
  if (values.help) {
    process.stdout.write(commandHelp("ui"));
    return 0;
  }
  expectPositionals("ui", positionals, []);
  for (const flag of ["protocol", "version", "transport", "fingerprint", "insecure"] as const) {
    if (values[flag] !== undefined) {
      throw new UsageError(`--${flag} is not used by ui: choose the transport and trust in the app's profile`, "ui");
    }
  }
  const common = commonOptions("ui", values);
  const out = (ctx.out = new Output(common));
  const port = intInRange("ui", "--port", values.port, 0, 0, 65535);
  const bind = values.bind ?? "127.0.0.1";
  if (bind !== "localhost" && isIP(bind.replace(/^\[|\]$/g, "")) === 0) {
    throw new UsageError(`--bind wants an IP address such as 127.0.0.1 or ::1 (got ${JSON.stringify(bind)})`, "ui");
  }
  const url = values.url === undefined ? undefined : relayUrlArg("ui", values.url);
  const configDir = values["config-dir"] ?? defaultConfigDir();
  const rendererDir = findRendererDir();
  if (!isLoopback(bind.replace(/^\[|\]$/g, ""))) {
    out.warn(
      `ui on ${bind} can be reached from other machines: anyone with the printed URL (its token) controls the app`,
    );
  }

  const studio: AppServices = await createStudio({
    configDir,
    appVersion: appVersion(),
    host: "browser",
    embeddedDemo: url === undefined,
    ...(url === undefined ? {} : { url }),
  });
  let web: WebHost | undefined;
  try {
    web = await startWebHost({ services: studio, rendererDir, host: bind.replace(/^\[|\]$/g, ""), port }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === "EADDRINUSE") throw new CliError(`port ${port} on ${bind} is in use: pick another --port`);
        if (err.code === "EADDRNOTAVAIL") throw new CliError(`${bind} is not an address of this machine (--bind)`);
        throw err;
      },
    );
    out.record({ event: "ready", url: web.url, port: web.port, configDir }, `moqscope ui: open ${web.url}`);
    out.note(
      url === undefined ? "connected to the embedded demo relay; Ctrl-C stops" : `connected to ${url}; Ctrl-C stops`,
    );
    if (!values["no-open"]) openBrowser(web.url);
    await untilAborted(new Promise<never>(() => {}), ctx.signal);
  } finally {
    await web?.close();
    await studio.close();
    out.info({ event: "stopped" }, "moqscope ui stopped");
  }
  return 0;
};

/** Where profiles and recordings live: the same folder the Electron app uses (its userData). */
export function defaultConfigDir(): string {
  const home = homedir();
  switch (process.platform) {
    case "darwin":
      return join(home, "Library", "Application Support", "moqscope");
    case "win32":
      return join(process.env["APPDATA"] ?? join(home, "AppData", "Roaming"), "moqscope");
    default:
      return join(process.env["XDG_CONFIG_HOME"] || join(home, ".config"), "moqscope");
  }
}

/** out/renderer beside the built CLI (out/main/…), or under the repository when run from source. */
export function findRendererDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let depth = 0; depth < 6; depth++) {
    const candidates = basename(dir) === "out" ? [join(dir, "renderer")] : [join(dir, "out", "renderer")];
    for (const candidate of candidates) {
      if (existsSync(join(candidate, "index.html"))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CliError("the UI is not built (no out/renderer/index.html): run npm run build first");
}

function appVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)), depth = 0; depth < 6; depth++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "moqscope" && pkg.version) return pkg.version;
    } catch {
      // not here: look one folder up
    }
  }
  return "0.0.0";
}

/** Best effort: a missing opener (a server without a desktop) only means the person opens the URL. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // nothing to open with
  }
}
