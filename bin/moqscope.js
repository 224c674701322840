#!/usr/bin/env node
// The `moqscope` command: a thin launcher for the bundled CLI, which runs on import.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../out/main/cli.js", import.meta.url);

if (!existsSync(fileURLToPath(cli))) {
  console.error("moqscope is not built yet: run `npm run build` first");
  process.exit(1);
}

await import(cli.href);
