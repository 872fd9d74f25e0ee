import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.ts';
import { createLifecycle } from './lifecycle.ts';
import { createLogger } from './logger.ts';
import { resolveProjectPaths } from './paths.ts';
import { openRuntime } from './runtime.ts';
import { createShutdown } from './shutdown.ts';

/**
 * `npm run worker`: a process that only runs jobs, for deployments that scale web and workers
 * separately on one PostgreSQL. (Run web instances with RUN_WORKERS=false then.)
 */
async function runWorker(projectRoot: string): Promise<void> {
  const config = loadConfig(process.env);
  if (config.databaseUrl === undefined) {
    throw new ConfigError([
      'DATABASE_URL is required for a separate worker process: the embedded database belongs to one process (npm start runs workers in-process)',
    ]);
  }
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  const lifecycle = createLifecycle();
  const runtime = await openRuntime({ config, paths: resolveProjectPaths(projectRoot), logger });
  const workers = await runtime.startWorkers();
  const shutdown = createShutdown({ lifecycle, logger, runtime, workers });
  closeWithGrace({ delay: 20_000, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'stopping after an uncaught error');
    else logger.info({ signal }, 'stopping');
    await shutdown();
  });
}

runWorker(path.resolve(import.meta.dirname, '..')).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
