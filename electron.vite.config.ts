// Builds the three Electron parts from the top-level folders (not electron-vite's default src/):
//   main/     → out/main/index.js (Electron main) and out/main/cli.js (the `moqscope` command)
//   preload/  → out/preload/index.cjs (CommonJS, because sandboxed preloads cannot load ESM)
//   renderer/ → out/renderer/index.html + assets
// Building needs no Electron binary; only `dev` and `preview` launch one.

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "electron-vite";
import type { Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const at = (path: string): string => resolve(root, path);

/**
 * The dev server injects component styles as <style> elements for hot reload, which the strict
 * production policy in renderer/index.html forbids. Relax only style-src, only when serving.
 */
function devServerCsp(): Plugin {
  return {
    name: "moqscope:dev-server-csp",
    apply: "serve",
    transformIndexHtml(html) {
      return html.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';");
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // The CLI runs on plain Node 20 (package.json engines), not only inside Electron's newer Node.
      target: "node20",
      // `dependencies` stay external imports (electron-vite's default, spelled out); the rest is bundled.
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: at("main/index.ts"),
          cli: at("main/cli/index.ts"),
        },
        output: {
          format: "es",
          entryFileNames: "[name].js",
          chunkFileNames: "chunks/[name]-[hash].js",
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: at("preload/index.ts") },
        output: {
          format: "cjs",
          entryFileNames: "[name].cjs",
        },
      },
    },
  },
  renderer: {
    root: at("renderer"),
    plugins: [svelte({ configFile: at("svelte.config.js") }), devServerCsp()],
    build: {
      outDir: at("out/renderer"),
      rolldownOptions: {
        input: { index: at("renderer/index.html") },
      },
    },
  },
});
