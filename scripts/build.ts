import path from 'node:path';
import { ensureEmbeddedTemplate } from '../server/db/embedded-template-build.ts';
import { createLogger } from '../server/logger.ts';
import { resolveProjectPaths } from '../server/paths.ts';
import { buildPanels } from './panel-build.ts';

/**
 * `npm run build`: the panels and the dashboard (`extensions/dist`, or the folder given as the one
 * argument), then the embedded database's template (`build/embedded-database`: a first start on
 * an empty data directory copies it instead of creating and migrating a database); the server
 * runs from source.
 */
async function build(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..');
  await buildPanels(root, process.argv[2]);
  await ensureEmbeddedTemplate(resolveProjectPaths(root), createLogger({ level: 'warn' }));
}

build().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
