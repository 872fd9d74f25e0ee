import path from 'node:path';
import { buildPanels } from './panel-build.ts';

/**
 * `npm run build`: the panels and the dashboard (`extensions/dist`, or the folder given as the one
 * argument); the server runs from source.
 */
buildPanels(path.resolve(import.meta.dirname, '..'), process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
