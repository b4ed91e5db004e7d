/// <reference types="vitest/config" />
import { defineConfig, searchForWorkspaceRoot } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { existsSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// The shared corpus beside the repository; it may be a symlink, and Vite checks real paths.
const corpus = here("../../shared/corpus");
const corpusDirs = existsSync(corpus) ? [corpus, realpathSync(corpus)] : [corpus];

export default defineConfig({
  plugins: [svelte()],
  // Tauri prints its own output; keep Vite's visible.
  clearScreen: false,
  server: {
    // tauri.conf.json's devUrl points here.
    port: 1420,
    strictPort: true,
    fs: {
      // The dev-only test page (test.html) reads fixture recordings from outside ui/.
      allow: [
        searchForWorkspaceRoot(process.cwd()),
        here("../samples"),
        here("../tests/ui/fixtures"),
        ...corpusDirs,
      ],
    },
  },
  optimizeDeps: {
    // Scan both pages up front so the first visit never triggers a dependency re-bundle
    // and reload (which would also make the browser tests flaky).
    entries: ["index.html", "test.html"],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Only the app; test.html is a dev-server page and never ships.
    rolldownOptions: { input: here("index.html") },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
