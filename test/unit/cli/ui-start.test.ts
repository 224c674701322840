// `npm start` (scripts/start.mjs): its pieces, and the fallback this machine takes when the
// Electron binary cannot be fetched: one line saying so, then `moqscope ui` with its URL.

import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { within } from "../../helpers/wait.ts";
import { closedPort } from "./helpers.ts";

interface StartModule {
  ROOT: string;
  needsBuild(root: string, onlyWhenMissing?: boolean): boolean;
  electronBinary(electronDir?: string): string | undefined;
  installerNodeRange(electronDir?: string): string | undefined;
  nodeSatisfies(range: string | undefined, version?: string): boolean;
}

const SCRIPT = "../../../scripts/start.mjs";
let start: StartModule;
let dir: string;

beforeAll(async () => {
  start = (await import(SCRIPT)) as StartModule;
  dir = await mkdtemp(join(tmpdir(), "moqscope-start-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("npm start: pieces", () => {
  it("reads the Node version Electron's installer needs", () => {
    expect(start.installerNodeRange()).toBe(">= 22.12.0");
    expect(start.nodeSatisfies(">= 22.12.0", "20.20.2")).toBe(false);
    expect(start.nodeSatisfies(">= 22.12.0", "22.12.0")).toBe(true);
    expect(start.nodeSatisfies(">= 22.12.0", "24.1.0")).toBe(true);
    expect(start.nodeSatisfies(">= 22.12.0", "22.11.9")).toBe(false);
    expect(start.nodeSatisfies(undefined)).toBe(true);
  });

  it("finds the Electron binary only when path.txt names a file that exists", async () => {
    const electron = join(dir, "electron");
    await mkdir(join(electron, "dist"), { recursive: true });
    expect(start.electronBinary(electron)).toBeUndefined();
    await writeFile(join(electron, "path.txt"), "electron");
    expect(start.electronBinary(electron)).toBeUndefined();
    await writeFile(join(electron, "dist", "electron"), "");
    expect(start.electronBinary(electron)).toBe(join(electron, "dist", "electron"));
  });

  it("builds when an output is missing or a source is newer", async () => {
    const root = join(dir, "project");
    const outputs = ["out/main/index.js", "out/main/cli.js", "out/preload/index.cjs", "out/renderer/index.html"];
    await mkdir(join(root, "main"), { recursive: true });
    await writeFile(join(root, "main", "index.ts"), "");
    const old = new Date(Date.now() - 60_000);
    await utimes(join(root, "main", "index.ts"), old, old);
    await utimes(join(root, "main"), old, old);
    expect(start.needsBuild(root)).toBe(true);
    for (const output of outputs) {
      await mkdir(join(root, output, ".."), { recursive: true });
      await writeFile(join(root, output), "");
    }
    expect(start.needsBuild(root)).toBe(false);
    await writeFile(join(root, "main", "index.ts"), "// changed");
    const later = new Date(Date.now() + 60_000);
    await utimes(join(root, "main", "index.ts"), later, later);
    expect(start.needsBuild(root)).toBe(true);
    expect(start.needsBuild(root, true)).toBe(false);
  });
});

describe("npm start: without Electron", () => {
  it("says so in one line, then serves the UI and prints its URL", async () => {
    // The installer is pointed at a closed port with an empty cache, so it fails fast here and on
    // machines with internet alike; where the binary is already installed, the fallback is forced.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MOQSCOPE_START_SKIP_BUILD: "1",
      ELECTRON_MIRROR: `http://127.0.0.1:${await closedPort()}/`,
      electron_config_cache: join(dir, "empty-cache"),
      ...(start.electronBinary() ? { MOQSCOPE_NO_ELECTRON: "1" } : {}),
    };
    const child = spawn(process.execPath, ["scripts/start.mjs", "--no-open", "--config-dir", join(dir, "config")], {
      cwd: start.ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const url = await within(
        new Promise<string>((resolve, reject) => {
          child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            stdout += chunk;
            const m = /moqscope ui: open (http:\/\/\S+)/.exec(stdout);
            if (m) resolve(m[1]!);
          });
          child.once("exit", () => reject(new Error(`start.mjs exited early\n${stdout}\n${stderr}`)));
        }),
        60_000,
        "the UI's URL",
      );
      const lines = stderr.split("\n").filter((l) => l.includes("cannot start Electron"));
      if (!env["MOQSCOPE_NO_ELECTRON"]) {
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          /^moqscope: cannot start Electron \(.+\): opening the UI in a browser with moqscope ui instead$/,
        );
      }
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>moqscope</title>");
    } finally {
      child.kill("SIGINT");
    }
    expect(await within(exited, 20_000, "start.mjs to stop after Ctrl-C")).toBe(0);
  });
});
