// The import-boundary lint runs as a real process on the real tree and on small planted trees, so
// a rule that stops firing (or fires on innocent code) fails here.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../scripts/check-boundaries.mjs", import.meta.url));
const roots: string[] = [];

function run(...args: string[]): { code: number | null; out: string } {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** A temporary project tree with the given files (root-relative path → content). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "moqscope-boundaries-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe("check-boundaries on the real tree", () => {
  it("finds no violation", () => {
    const { code, out } = run();
    expect(out).toMatch(/^check-boundaries: OK \(\d+ files, \d+ imports checked\)$/m);
    expect(code).toBe(0);
  });
});

describe("check-boundaries on planted violations", () => {
  // Each case: one file whose import on `line` breaks one rule; the report must name it exactly.
  const cases: { name: string; file: string; source: string; expected: string }[] = [
    {
      name: "the library imports electron",
      file: "main/moq/session.ts",
      source: `// session\nimport { app } from "electron";\n`,
      expected: "main/moq/session.ts:2: main/moq imports electron (rule: main/moq is the MoQ library",
    },
    {
      name: "the library imports studio types",
      file: "main/moq/wire/group.ts",
      source: `import type { Inspector } from "../../studio/inspector.ts";\n`,
      expected: "main/moq/wire/group.ts:1: main/moq imports ../../studio/inspector.ts (rule: main/moq is the MoQ library",
    },
    {
      name: "the library imports the ipc contract",
      file: "main/moq/index.ts",
      source: `export {};\nexport type { AppInfo } from "../ipc/contract.ts";\n`,
      expected: "main/moq/index.ts:2: main/moq imports ../ipc/contract.ts (rule: main/moq is the MoQ library",
    },
    {
      name: "the library imports the Electron bootstrap through its folder",
      file: "main/moq/relay/index.ts",
      source: `\n\nimport "../..";\n`,
      expected: "main/moq/relay/index.ts:3: main/moq imports ../.. (rule: main/moq is the MoQ library",
    },
    {
      name: "the library loads the cli dynamically",
      file: "main/moq/mux.ts",
      source: `export async function load() {\n  return await import("../cli/index.ts");\n}\n`,
      expected: "main/moq/mux.ts:2: main/moq imports ../cli/index.ts (rule: main/moq is the MoQ library",
    },
    {
      name: "the library requires renderer code",
      file: "main/moq/errors.js",
      source: `const ui = require("../../renderer/App.svelte");\n`,
      expected: "main/moq/errors.js:1: main/moq imports ../../renderer/App.svelte (rule: main/moq is the MoQ library",
    },
    {
      name: "the library re-exports preload code",
      file: "main/moq/index.ts",
      source: `export * from "../../preload/index.ts";\n`,
      expected: "main/moq/index.ts:1: main/moq imports ../../preload/index.ts (rule: main/moq is the MoQ library",
    },
    {
      name: "studio imports an electron subpath over several lines",
      file: "main/studio/connections.ts",
      source: `import {\n  BrowserWindow,\n  app,\n} from "electron/main";\n`,
      expected: "main/studio/connections.ts:1: main/studio imports electron/main (rule: main/studio is app services without Electron",
    },
    {
      name: "studio imports the ipc layer",
      file: "main/studio/state.ts",
      source: `import { validateInvoke } from "../ipc/validate.ts";\n`,
      expected: "main/studio/state.ts:1: main/studio imports ../ipc/validate.ts (rule: main/studio is app services without Electron",
    },
    {
      name: "studio imports the Electron bootstrap",
      file: "main/studio/state.ts",
      source: `import "../index.js";\n`,
      expected: "main/studio/state.ts:1: main/studio imports ../index.js (rule: main/studio is app services without Electron",
    },
    {
      name: "the cli imports electron dynamically",
      file: "main/cli/ui.ts",
      source: `const x = 1;\nconst electron = await import("electron");\n`,
      expected: "main/cli/ui.ts:2: main/cli imports electron (rule: main/cli runs on plain Node",
    },
    {
      name: "the cli imports the renderer",
      file: "main/cli/index.ts",
      source: `import App from "../../renderer/App.svelte";\n`,
      expected: "main/cli/index.ts:1: main/cli imports ../../renderer/App.svelte (rule: main/cli runs on plain Node",
    },
    {
      name: "preload imports a Node module",
      file: "preload/index.ts",
      source: `import { contextBridge } from "electron";\nimport { readFileSync } from "node:fs";\n`,
      expected: "preload/index.ts:2: preload imports node:fs (rule: preload exposes only the contract",
    },
    {
      name: "preload imports the library",
      file: "preload/index.ts",
      source: `import { connect } from "../main/moq/index.ts";\n`,
      expected: "preload/index.ts:1: preload imports ../main/moq/index.ts (rule: preload exposes only the contract",
    },
    {
      name: "preload imports a package",
      file: "preload/index.ts",
      source: `import WebSocket from "ws";\n`,
      expected: "preload/index.ts:1: preload imports ws (rule: preload exposes only the contract",
    },
    {
      name: "preload imports the contract at runtime",
      file: "preload/index.ts",
      source: `import { type AppInfo } from "../main/ipc/contract.ts";\n`,
      expected: "preload/index.ts:1: preload imports ../main/ipc/contract.ts (rule: preload may use main/ipc/contract.ts through `import type` only)",
    },
    {
      name: "the renderer imports a node: module",
      file: "renderer/main.ts",
      source: `import { join } from "node:path";\n`,
      expected: "renderer/main.ts:1: renderer imports node:path (rule: renderer never touches Node: no Node built-in modules)",
    },
    {
      name: "the renderer imports a bare Node built-in",
      file: "renderer/stats.ts",
      source: `import { promises } from "fs";\nexport const net = require("net");\n`,
      expected: "renderer/stats.ts:1: renderer imports fs (rule: renderer never touches Node: no Node built-in modules)",
    },
    {
      name: "the renderer imports a Node built-in subpath",
      file: "renderer/stats.ts",
      source: `import { readFile } from "fs/promises";\n`,
      expected: "renderer/stats.ts:1: renderer imports fs/promises (rule: renderer never touches Node",
    },
    {
      name: "the renderer imports electron from a component",
      file: "renderer/App.svelte",
      source: `<svelte:options runes />\n<script lang="ts">\n  import { ipcRenderer } from "electron";\n</script>\n\n<p>hi</p>\n`,
      expected: "renderer/App.svelte:3: renderer imports electron (rule: renderer never touches Node: no electron",
    },
    {
      name: "the renderer imports studio code",
      file: "renderer/views/Timeline.svelte",
      source: `<script lang="ts">\n  import type { Timeline } from "../../main/studio/timeline.ts";\n</script>\n`,
      expected: "renderer/views/Timeline.svelte:2: renderer imports ../../main/studio/timeline.ts (rule: renderer talks only to the API object",
    },
    {
      name: "the renderer imports the contract at runtime",
      file: "renderer/api.ts",
      source: `import { AppInfo } from "../main/ipc/contract.ts";\n`,
      expected: "renderer/api.ts:1: renderer imports ../main/ipc/contract.ts (rule: renderer may use main/ipc/contract.ts through `import type` only)",
    },
    {
      name: "the renderer imports preload code",
      file: "renderer/api.ts",
      source: `import type { api } from "../preload/index.ts";\n`,
      expected: "renderer/api.ts:1: renderer imports ../preload/index.ts (rule: renderer talks only to the API object",
    },
    {
      name: "the contract imports library types",
      file: "main/ipc/contract.ts",
      source: `import type { TransportKind } from "../moq/transport/types.ts";\n`,
      expected: "main/ipc/contract.ts:1: main/ipc/contract.ts imports ../moq/transport/types.ts (rule: main/ipc/contract.ts is shared verbatim",
    },
  ];

  it.each(cases)("reports: $name", ({ file, source, expected }) => {
    const { code, out } = run(tree({ [file]: source }));
    expect(out).toContain(expected);
    expect(out).toMatch(/check-boundaries: \d+ violation\(s\) in 1 files/);
    expect(code).toBe(1);
  });

  it("reports every violation of a file, each on its own line", () => {
    const { code, out } = run(
      tree({ "renderer/stats.ts": `import { promises } from "fs";\nexport const net = require("net");\n` }),
    );
    expect(out.split("\n").filter((line) => line.startsWith("renderer/stats.ts:"))).toEqual([
      "renderer/stats.ts:1: renderer imports fs (rule: renderer never touches Node: no Node built-in modules)",
      "renderer/stats.ts:2: renderer imports net (rule: renderer never touches Node: no Node built-in modules)",
    ]);
    expect(out).toContain("check-boundaries: 2 violation(s) in 1 files");
    expect(code).toBe(1);
  });
});

describe("check-boundaries on allowed imports", () => {
  it("accepts every arrow that points down, and text that only looks like an import", () => {
    const root = tree({
      "main/index.ts": [
        `import { app } from "electron";`,
        `import { connect } from "./moq/index.ts";`,
        `import { Studio } from "./studio/index.ts";`,
        `import type { InvokeHandlers } from "./ipc/contract.ts";`,
        `import { validateInvoke } from "./ipc/validate.ts";`,
      ].join("\n"),
      "main/moq/index.ts": [
        `import { createHash } from "node:crypto";`,
        `import { Session as Qmux } from "@moq/qmux";`,
        `export * from "./wire/index.ts";`,
        `// import { app } from "electron";`,
        `/* import "../studio/state.ts"; */`,
        `const hint = "import { app } from 'electron'";`,
        "const doc = `require(\"electron\") and ${hint} import \"../cli/index.ts\"`;",
        `const re = /import "electron"/g;`,
        `const ratio = 4 / 2; const other = "x" / 1;`,
        `const tools = { require: (x: string) => x, import: 1 };`,
        `tools.require("electron"); tools?.require("../ipc/validate.ts");`,
        `export { hint, doc, re, ratio, other };`,
      ].join("\n"),
      "main/moq/wire/index.ts": `export const wire = 1;\n`,
      "main/studio/index.ts": `import { connect } from "../moq/index.ts";\nimport { readFile } from "node:fs/promises";\n`,
      "main/cli/index.ts": [
        `import { Studio } from "../studio/index.ts";`,
        `import { connect } from "../moq/index.ts";`,
        `import type { AppInfo } from "../ipc/contract.ts";`,
        `import { WebSocketServer } from "ws";`,
      ].join("\n"),
      "main/ipc/contract.ts": `export interface AppInfo { version: string }\n`,
      "main/ipc/validate.ts": `import type { AppInfo } from "./contract.ts";\n`,
      "preload/index.ts": [
        `import { contextBridge, ipcRenderer } from "electron";`,
        `import type { MoqscopeApi } from "../main/ipc/contract.ts";`,
        `import { channelOf } from "./channels.ts";`,
      ].join("\n"),
      "preload/channels.ts": `export const channelOf = (x: string) => x;\n`,
      "renderer/main.ts": [
        `import { mount } from "svelte";`,
        `import { Chart } from "chart.js";`,
        `import App from "./App.svelte";`,
        `import type { AppInfo } from "../main/ipc/contract.ts";`,
        `export type { MoqscopeApi } from "../main/ipc/contract.ts";`,
        `const meta = import.meta.env;`,
      ].join("\n"),
      "renderer/App.svelte": [
        `<script lang="ts">`,
        `  import type { AppInfo } from "../main/ipc/contract.ts";`,
        `  import Row from "./Row.svelte";`,
        `</script>`,
        `<p>import {"{"} app {"}"} from "electron"</p>`,
      ].join("\n"),
    });
    const { code, out } = run(root);
    expect(out).toMatch(/^check-boundaries: OK \(11 files, 25 imports checked\)$/m);
    expect(code).toBe(0);
  });

  it("refuses a root that has nothing to check", () => {
    const { code, out } = run(tree({ "README.md": "# nothing here\n" }));
    expect(out).toContain("nothing to check");
    expect(code).toBe(2);
  });
});
