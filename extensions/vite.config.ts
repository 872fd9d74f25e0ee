import { readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/**
 * One HTML entry per panel or modal (`panels/<name>/index.html`, framed by Pipedrive) and per
 * top-level page (`pages/<name>/index.html`, e.g. the dashboard).
 */
function htmlEntries(folder: 'panels' | 'pages'): Record<string, string> {
  const dir = path.join(root, folder);
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => [`${folder}-${entry.name}`, path.join(dir, entry.name, 'index.html')]),
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
    rollupOptions: { input: { ...htmlEntries('panels'), ...htmlEntries('pages') } },
  },
});
