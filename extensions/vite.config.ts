import { readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/** One HTML entry per panel or modal: every `panels/<name>/index.html`. */
function panelEntries(): Record<string, string> {
  const panelsDir = path.join(root, 'panels');
  return Object.fromEntries(
    readdirSync(panelsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => [entry.name, path.join(panelsDir, entry.name, 'index.html')]),
  );
}

export default defineConfig({
  root,
  base: '/extensions/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { input: panelEntries() },
  },
});
