import { readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/** One HTML entry per folder of `panels/` (framed by Pipedrive) or `pages/` (Parley's own pages). */
function htmlEntries(folder: 'panels' | 'pages'): Record<string, string> {
  const dir = path.join(root, folder);
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => [`${folder}-${entry.name}`, path.join(dir, entry.name, 'index.html')]),
  );
}

/**
 * Two builds from one source tree, so framed and unframeable code never share a URL space:
 * - default mode: the panels Pipedrive frames, served under `/extensions/` (`dist/extensions`);
 * - `--mode dashboard`: the dashboard, its assets served under `/app/` (`dist/dashboard`) and its
 *   HTML at its own URLs (`/login`, `/team`…), never frameable.
 */
export default defineConfig(({ mode }) => {
  const dashboard = mode === 'dashboard';
  return {
    root,
    base: dashboard ? '/app/' : '/extensions/',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: path.join(root, 'dist', dashboard ? 'dashboard' : 'extensions'),
      emptyOutDir: true,
      sourcemap: true,
      rollupOptions: { input: dashboard ? htmlEntries('pages') : htmlEntries('panels') },
    },
  };
});
