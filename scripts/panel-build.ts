import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Vite from 'vite';

/** Written next to the build: the hash of everything the build was made from. */
export const BUILD_STAMP = '.build-stamp.json';

/**
 * What a panel build depends on: the extension sources and the Vite config (`extensions/`, without
 * its `dist`), the API contracts they import (`contracts/`), and the exact package versions
 * (`package-lock.json`). Reading ~100 small files takes milliseconds, far less than a Vite build.
 */
export function panelSourceHash(root: string): string {
  const hash = createHash('sha256');
  const files = [
    ...listFiles(
      root,
      'extensions',
      (top) => top !== path.join('extensions', 'dist') && top !== path.join('extensions', 'node_modules'),
    ),
    ...listFiles(root, 'contracts', () => true),
    'package-lock.json',
  ].sort();
  for (const relative of files) {
    hash
      .update(relative)
      .update('\0')
      .update(readFileSync(path.join(root, relative)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Files under `folder`, relative to `root`, whose first two path segments `keep` accepts. */
function listFiles(root: string, folder: string, keep: (top: string) => boolean): string[] {
  if (!existsSync(path.join(root, folder))) return [];
  return readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((relative) => keep(relative.split(path.sep).slice(0, 2).join(path.sep)));
}

function stampedHash(distDir: string): string | undefined {
  try {
    const stamp = JSON.parse(readFileSync(path.join(distDir, BUILD_STAMP), 'utf8')) as { sourceHash?: unknown };
    return typeof stamp.sourceHash === 'string' ? stamp.sourceHash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the panels and the dashboard with Vite into `extensions/dist` (or `outDir`), then stamps
 * the build with its source hash.
 */
export async function buildPanels(root: string, outDir?: string): Promise<void> {
  const sourceHash = panelSourceHash(root);
  let build: (typeof Vite)['build'];
  try {
    ({ build } = await import('vite'));
  } catch {
    throw new Error(
      'The panels are not built for this version and Vite (a dev dependency) is not installed. ' +
        'Build them where dev dependencies are installed: `npm ci && npm run build` (see README, "Production").',
    );
  }
  const configFile = path.join(root, 'extensions', 'vite.config.ts');
  const distDir = outDir ?? path.join(root, 'extensions', 'dist');
  rmSync(distDir, { recursive: true, force: true });
  // The panels (framed by Pipedrive, under /extensions/) and the dashboard (under /app/) build apart.
  for (const mode of ['production', 'dashboard'])
    await build({
      configFile,
      mode,
      logLevel: 'warn',
      build: { outDir: path.join(distDir, mode === 'dashboard' ? 'dashboard' : 'extensions') },
    });
  writeFileSync(
    path.join(outDir ?? path.join(root, 'extensions', 'dist'), BUILD_STAMP),
    `${JSON.stringify({ sourceHash })}\n`,
  );
}

/** `npm start`: reuses the build when it was made from exactly these sources, else builds. */
export async function ensurePanelsBuilt(root: string): Promise<'reused' | 'built'> {
  if (stampedHash(path.join(root, 'extensions', 'dist')) === panelSourceHash(root)) return 'reused';
  await buildPanels(root);
  return 'built';
}
