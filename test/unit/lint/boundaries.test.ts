// The import-boundary rules (.dependency-cruiser.cjs) run as the real tool: on the real tree,
// and on a planted tree where each rule must fire exactly where it should and nowhere else.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const depcruise = join(repo, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const config = join(repo, ".dependency-cruiser.cjs");

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Run the boundary check in `cwd` over the app's folders; the JSON report's violations. */
function cruise(cwd: string): { code: number | null; violations: Violation[]; err: string } {
  const result = spawnSync(
    process.execPath,
    [depcruise, "--config", config, "--output-type", "json", "main", "preload", "renderer"],
    { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (!result.stdout.startsWith("{")) throw new Error(`depcruise failed in ${cwd}: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return { code: result.status, violations: report.summary.violations, err: result.stderr };
}

describe("import boundaries on the real tree", () => {
  it("finds no violation", () => {
    const { violations } = cruise(repo);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  it("names the rule in the human-readable report", () => {
    // The same tool run as `npm run lint:boundaries` prints this line when all is well.
    const result = spawnSync(process.execPath, [depcruise, "--config", config, "main", "preload", "renderer"], {
      cwd: repo,
      encoding: "utf8",
    });
    expect(result.stdout).toContain("no dependency violations found");
    expect(result.status).toBe(0);
  });
});

// A planted tree inside the repository (scratch/ is git-ignored), so that packages such as
// electron and ws resolve to the repository's node_modules as they do for real code.
const scratchRoot = join(repo, "scratch");
mkdirSync(scratchRoot, { recursive: true });
const planted = mkdtempSync(join(scratchRoot, "boundaries-"));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

function plant(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(planted, path)), { recursive: true });
    writeFileSync(join(planted, path), content);
  }
}

// Import targets the planted files point at.
plant({
  "main/moq/index.ts": `export const neutral = 1;\n`,
  "main/moq/node.ts": `export * from "./index.ts";\n`,
  "main/moq/errors.ts": `export class MoqError extends Error {}\n`,
  "main/moq/mux.ts": `export const mux = 1;\n`,
  "main/moq/coding/varint.ts": `import { MoqError } from "../errors.ts";\nexport const varint = MoqError;\n`,
  "main/moq/model/track.ts": `import { varint } from "../coding/varint.ts";\nexport const track = varint;\n`,
  "main/moq/lite/wire/group.ts": `import { track } from "../../model/track.ts";\nexport const group = track;\n`,
  "main/moq/lite/session/session.ts": [
    `import { group } from "../wire/group.ts";`,
    `import type { Transport } from "../../transport/types.ts";`,
    `export type T = Transport;`,
    `export const session = group;`,
  ].join("\n"),
  "main/moq/transport/types.ts": `export interface Transport { close(): void }\n`,
  "main/moq/transport/qmux.ts": `import { WebSocket } from "ws";\nexport const socket = WebSocket;\n`,
  "main/moq/relay/relay.ts": `import { session } from "../lite/session/session.ts";\nexport const relay = session;\n`,
  "main/studio/index.ts": `import { neutral } from "../moq/index.ts";\nexport const studio = neutral;\n`,
  "main/cli/index.ts": [
    `import { neutral } from "../moq/node.ts";`,
    `import { studio } from "../studio/index.ts";`,
    `export const cli = [neutral, studio];`,
  ].join("\n"),
  "main/ipc/contract.ts": `export interface AppInfo { version: string }\n`,
  "main/index.ts": `import { app } from "electron";\nimport type { AppInfo } from "./ipc/contract.ts";\nexport type A = AppInfo;\nexport const a = app;\n`,
  "preload/index.ts": `import { contextBridge } from "electron";\nimport type { AppInfo } from "../main/ipc/contract.ts";\nexport type A = AppInfo;\nexport const b = contextBridge;\n`,
  "renderer/main.ts": `import type { AppInfo } from "../main/ipc/contract.ts";\nexport type A = AppInfo;\n`,
});

// Each case: a file that breaks exactly one rule with one import.
const cases: { name: string; rule: string; file: string; source: string; to: RegExp }[] = [
  {
    name: "the library imports electron",
    rule: "library-knows-no-app",
    file: "main/moq/lite/session/window.ts",
    source: `import { app } from "electron";\nexport const x = app;\n`,
    to: /node_modules\/electron\//,
  },
  {
    name: "the library imports studio types",
    rule: "library-knows-no-app",
    file: "main/moq/model/inspector.ts",
    source: `import type { studio } from "../../studio/index.ts";\nexport type X = typeof studio;\n`,
    to: /^main\/studio\/index\.ts$/,
  },
  {
    name: "the library loads the cli dynamically",
    rule: "library-knows-no-app",
    file: "main/moq/relay/late.ts",
    source: `export const load = () => import("../../cli/index.ts");\n`,
    to: /^main\/cli\/index\.ts$/,
  },
  {
    name: "coding reaches up to the wire",
    rule: "coding-is-the-floor",
    file: "main/moq/coding/reader.ts",
    source: `import { group } from "../lite/wire/group.ts";\nexport const r = group;\n`,
    to: /^main\/moq\/lite\/wire\/group\.ts$/,
  },
  {
    name: "the model reaches into the dialect",
    rule: "model-knows-no-dialect",
    file: "main/moq/model/broadcast.ts",
    source: `import { group } from "../lite/wire/group.ts";\nexport const b = group;\n`,
    to: /^main\/moq\/lite\/wire\/group\.ts$/,
  },
  {
    name: "the wire reaches up to the session",
    rule: "wire-below-session",
    file: "main/moq/lite/wire/subscribe.ts",
    source: `import { session } from "../session/session.ts";\nexport const s = session;\n`,
    to: /^main\/moq\/lite\/session\/session\.ts$/,
  },
  {
    name: "the session reaches up to the relay",
    rule: "session-below-relay",
    file: "main/moq/lite/session/origin.ts",
    source: `import { relay } from "../../relay/relay.ts";\nexport const o = relay;\n`,
    to: /^main\/moq\/relay\/relay\.ts$/,
  },
  {
    name: "the session loads a transport",
    rule: "session-knows-transports-by-type",
    file: "main/moq/lite/session/dial.ts",
    source: `import { socket } from "../../transport/qmux.ts";\nexport const d = socket;\n`,
    to: /^main\/moq\/transport\/qmux\.ts$/,
  },
  {
    name: "a transport reaches up to the session",
    rule: "transport-below-session",
    file: "main/moq/transport/listener.ts",
    source: `import { session } from "../lite/session/session.ts";\nexport const l = session;\n`,
    to: /^main\/moq\/lite\/session\/session\.ts$/,
  },
  {
    name: "the mux reaches up to the relay",
    rule: "relay-is-the-top",
    file: "main/moq/mux-relay.ts",
    source: `import { relay } from "./relay/relay.ts";\nexport const m = relay;\n`,
    to: /^main\/moq\/relay\/relay\.ts$/,
  },
  {
    name: "the model imports a Node built-in",
    rule: "neutral-library-has-no-node",
    file: "main/moq/model/random.ts",
    source: `import { randomInt } from "node:crypto";\nexport const r = randomInt;\n`,
    to: /^(node:)?crypto$/,
  },
  {
    name: "the wire imports a Node-only package",
    rule: "neutral-library-stays-neutral",
    file: "main/moq/lite/wire/socket.ts",
    source: `import { WebSocket } from "ws";\nexport const w = WebSocket;\n`,
    to: /node_modules\/ws\//,
  },
  {
    name: "studio reaches past the public entry",
    rule: "apps-use-the-public-entry",
    file: "main/studio/observe.ts",
    source: `import { session } from "../moq/lite/session/session.ts";\nexport const o = session;\n`,
    to: /^main\/moq\/lite\/session\/session\.ts$/,
  },
  {
    name: "studio imports electron",
    rule: "studio-knows-no-electron",
    file: "main/studio/window.ts",
    source: `import { BrowserWindow } from "electron";\nexport const w = BrowserWindow;\n`,
    to: /node_modules\/electron\//,
  },
  {
    name: "the cli imports the renderer",
    rule: "cli-is-plain-node",
    file: "main/cli/ui.ts",
    source: `import type { A } from "../../renderer/main.ts";\nexport type U = A;\n`,
    to: /^renderer\/main\.ts$/,
  },
  {
    name: "the contract imports library types",
    rule: "contract-imports-nothing",
    file: "main/ipc/contract.ts",
    source: `import type { Transport } from "../moq/transport/types.ts";\nexport type T = Transport;\n`,
    to: /^main\/moq\/transport\/types\.ts$/,
  },
  {
    name: "preload imports a Node module",
    rule: "preload-exposes-the-contract",
    file: "preload/files.ts",
    source: `import { readFile } from "node:fs/promises";\nexport const r = readFile;\n`,
    to: /^(node:)?fs\/promises$/,
  },
  {
    name: "preload imports the contract at runtime",
    rule: "preload-uses-contract-types",
    file: "preload/runtime.ts",
    source: `import * as contract from "../main/ipc/contract.ts";\nexport const c = contract;\n`,
    to: /^main\/ipc\/contract\.ts$/,
  },
  {
    name: "the renderer imports a Node built-in",
    rule: "renderer-has-no-node-builtins",
    file: "renderer/stats.ts",
    source: `import { promises } from "fs";\nexport const p = promises;\n`,
    to: /^fs$/,
  },
  {
    name: "a component imports a Node built-in",
    rule: "renderer-has-no-node-builtins",
    file: "renderer/Path.svelte",
    source: `<script lang="ts">\n  import { join } from "node:path";\n  const p = join("a", "b");\n</script>\n<p>{p}</p>\n`,
    to: /^(node:)?path$/,
  },
  {
    name: "the renderer imports electron",
    rule: "renderer-has-no-node",
    file: "renderer/ipc.ts",
    source: `import { ipcRenderer } from "electron";\nexport const i = ipcRenderer;\n`,
    to: /node_modules\/electron\//,
  },
  {
    name: "the renderer imports studio code",
    rule: "renderer-talks-to-the-api",
    file: "renderer/tree.ts",
    source: `import { studio } from "../main/studio/index.ts";\nexport const t = studio;\n`,
    to: /^main\/studio\/index\.ts$/,
  },
  {
    name: "the renderer imports the contract at runtime",
    rule: "renderer-uses-contract-types",
    file: "renderer/runtime.ts",
    source: `import * as contract from "../main/ipc/contract.ts";\nexport const c = contract;\n`,
    to: /^main\/ipc\/contract\.ts$/,
  },
];
// Planted after the targets, so the contract case replaces the clean contract.
plant(Object.fromEntries(cases.map((c) => [c.file, c.source])));

describe("import boundaries on a planted tree", () => {
  const { violations, err } = cruise(planted);

  it("runs", () => {
    expect(err).not.toMatch(/error/i);
  });

  // A wrong import may break more than one rule (a session that loads the relay also makes the
  // neutral library load Node code); the case's own rule must be among them.
  it.each(cases)("$rule fires: $name", ({ rule, file, to }) => {
    const hit = violations.find((v) => v.from === file && v.rule.name === rule);
    expect(hit, `${rule} on ${file}; found ${JSON.stringify(violations.filter((v) => v.from === file))}`).toBeDefined();
    expect(hit!.to).toMatch(to);
  });

  it("fires nowhere else: type imports of transports and the contract, and the public entries, are allowed", () => {
    const planted = new Set(cases.map((c) => c.file));
    expect(violations.filter((v) => !planted.has(v.from))).toEqual([]);
  });
});
