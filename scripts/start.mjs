// `npm start`: build when the output is missing or older than the sources, then open the desktop
// app. Electron 45 downloads its binary lazily and electron-vite does not ask it to, so this
// fetches it when missing (node_modules/electron/install.js). Where that cannot work (no internet,
// a Node older than the installer needs), it says so in one line and runs `moqscope ui` instead,
// which prints the URL of the same UI for a browser. Arguments are passed on (`npm start -- --url
// URL`, `--no-open`, …).
//
// Environment: MOQSCOPE_NO_ELECTRON=1 goes straight to the browser UI;
// MOQSCOPE_START_SKIP_BUILD=1 builds only when the output is missing (used by the tests).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ELECTRON_DIR = join(ROOT, "node_modules", "electron");
const OUTPUTS = ["out/main/index.js", "out/main/cli.js", "out/preload/index.cjs", "out/renderer/index.html"];
const SOURCES = ["main", "preload", "renderer", "electron.vite.config.ts", "package.json", "svelte.config.js"];
/** A first download of Electron is about 100 MB. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

const say = (line) => process.stderr.write(`moqscope: ${line}\n`);

/** Whether `npm run build` must run: an output is missing, or a source is newer than the oldest output. */
export function needsBuild(root = ROOT, onlyWhenMissing = false) {
  let oldest = Number.POSITIVE_INFINITY;
  for (const output of OUTPUTS) {
    const file = join(root, output);
    if (!existsSync(file)) return true;
    oldest = Math.min(oldest, statSync(file).mtimeMs);
  }
  if (onlyWhenMissing) return false;
  return SOURCES.some((source) => newestMtime(join(root, source)) > oldest);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The Electron executable when its binary is on disk (as node_modules/electron/index.js finds it), else undefined. */
export function electronBinary(electronDir = ELECTRON_DIR) {
  try {
    const relative = readFileSync(join(electronDir, "path.txt"), "utf8").trim();
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const binary = override ? join(override, relative) : join(electronDir, "dist", relative);
    return relative && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/** The Node version Electron's installer declares (package.json engines), e.g. ">= 22.12.0". */
export function installerNodeRange(electronDir = ELECTRON_DIR) {
  try {
    return JSON.parse(readFileSync(join(electronDir, "package.json"), "utf8")).engines?.node;
  } catch {
    return undefined;
  }
}

/** Whether this Node satisfies a ">= X.Y.Z" range (anything else is assumed satisfied). */
export function nodeSatisfies(range, version = process.versions.node) {
  const m = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range?.trim() ?? "");
  if (!m) return true;
  const have = version.split(".").map(Number);
  const want = m.slice(1).map(Number);
  for (let i = 0; i < 3; i++) {
    if (have[i] !== want[i]) return have[i] > want[i];
  }
  return true;
}

/** Runs Electron's installer; resolves with undefined on success, else one line saying why not. */
export function fetchElectron(electronDir = ELECTRON_DIR) {
  const installer = join(electronDir, "install.js");
  if (!existsSync(installer)) return "node_modules/electron is not installed (run npm install)";
  say("fetching the Electron binary (first start only)…");
  const result = spawnSync(process.execPath, [installer], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: INSTALL_TIMEOUT_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status === 0 && electronBinary(electronDir)) return undefined;
  const output = `${result.stderr ?? ""}\n${result.stdout ?? ""}`;
  const reason =
    result.error?.message ??
    /^\s*(?:\w*Error|RequestError|HTTPError)[:\s].*$/m.exec(output)?.[0].trim() ??
    output.trim().split("\n")[0] ??
    `exit code ${result.status}`;
  const range = installerNodeRange(electronDir);
  const nodeHint =
    range && !nodeSatisfies(range) ? `; its installer needs Node ${range}, this is ${process.version}` : "";
  return `${reason}${nodeHint}`;
}

/** Runs a child with our stdio, passing Ctrl-C and SIGTERM on; resolves with its exit code. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit" });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("error", (err) => {
      say(`could not run ${command}: ${err.message}`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 0 : 1));
    });
  });
}

async function main(args) {
  if (needsBuild(ROOT, process.env.MOQSCOPE_START_SKIP_BUILD === "1")) {
    say("building (npm run build)…");
    const bin = join(ROOT, "node_modules", "electron-vite", "bin", "electron-vite.js");
    const built = spawnSync(process.execPath, [bin, "build"], { cwd: ROOT, stdio: "inherit" });
    if (built.status !== 0) {
      say("the build failed (see above)");
      return 1;
    }
  }

  if (process.env.MOQSCOPE_NO_ELECTRON !== "1") {
    let binary = electronBinary();
    let why;
    if (!binary) {
      why = fetchElectron();
      binary = why === undefined ? electronBinary() : undefined;
    }
    if (binary) return run(binary, [ROOT, ...args]);
    say(`cannot start Electron (${why}): opening the UI in a browser with moqscope ui instead`);
  }
  return run(process.execPath, [join(ROOT, "out", "main", "cli.js"), "ui", ...args]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
