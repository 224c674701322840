// Shared by the renderer build (electron.vite.config.ts passes this file explicitly, because the
// renderer root is renderer/) and by svelte-check.
import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

/** @type {import("@sveltejs/vite-plugin-svelte").SvelteConfig} */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Svelte 5 runes everywhere; no legacy reactive statements.
    runes: true,
  },
};
