import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type AppConfig } from './config.ts';
import { loadOrCreateGeneratedSecrets } from './generated-secrets.ts';
import { createLifecycle } from './lifecycle.ts';
import { createLogger, type Logger } from './logger.ts';
import { resolveProjectPaths, type ProjectPaths } from './paths.ts';
import { openRuntime } from './runtime.ts';
import { createShutdown, type ShutdownParts } from './shutdown.ts';

export interface RunningParley {
  url: string;
  /** What `startCompanion` started, if anything. */
  companion: Companion | undefined;
  shutdown(): Promise<void>;
}

/** Something started beside Parley in the same process (the sandbox under `npm start`). */
export interface Companion {
  stop(): Promise<void>;
  /** Where a person should go first; printed at start. */
  startHereUrl?: string;
}

/**
 * Starts the web role (and, with RUN_WORKERS, the workers) in this process. It listens before the
 * workers start: /readyz means ready to accept webhooks (database migrated, job queue up: the
 * inbox is durable), not that they are being applied yet; the workers follow at once.
 */
export async function startParley(options: {
  config: AppConfig;
  paths: ProjectPaths;
  logger: Logger;
  /**
   * Starts a companion once Parley listens and before its workers start: off the path to
   * readiness, yet listening before any job calls it. It stops after Parley's own parts.
   */
  startCompanion?: () => Promise<Companion | undefined>;
}): Promise<RunningParley> {
  const { config, logger } = options;
  const lifecycle = createLifecycle();
  const runtime = await openRuntime(options);
  // Parts join as they start; shutdown stops whatever has started, in order.
  const parts: ShutdownParts = { lifecycle, logger, runtime };
  const shutdown = createShutdown(parts);
  try {
    parts.app = await buildApp({ ...runtime, config, lifecycle, logger, paths: options.paths });
    await parts.app.listen({ port: config.port, host: config.host });
    const companion = await options.startCompanion?.();
    if (companion !== undefined) parts.extras = [() => companion.stop()];
    if (config.runWorkers) parts.workers = await runtime.startWorkers();
    return { url: config.publicUrl, companion, shutdown };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

export interface MainOptions {
  /** Runs once Parley listens, before its workers start (e.g. starts the sandbox). */
  startCompanion?: (config: AppConfig, logger: Logger, paths: ProjectPaths) => Promise<Companion | undefined>;
}

/** Reads the environment, fails fast on bad configuration, and runs until a signal. */
export async function main(projectRoot: string, options: MainOptions = {}): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, { generatedSecrets: loadOrCreateGeneratedSecrets });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY === true });
  const paths = resolveProjectPaths(projectRoot);
  const starting = startParley({
    config,
    paths,
    logger,
    startCompanion: () => options.startCompanion?.(config, logger, paths) ?? Promise.resolve(undefined),
  });
  // Installed before the start ends: a signal while it is still under way (it listens before the
  // workers and the companion are up) waits for it, then shuts down everything that started.
  closeWithGrace({ delay: 20_000, logger }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'stopping after an uncaught error');
    else logger.info({ signal }, 'stopping');
    const parley = await starting.catch(() => undefined);
    await parley?.shutdown();
  });
  const parley = await starting;
  if (config.mail.transport === 'disabled')
    logger.warn(
      'Mail is disabled (SMTP_URL is not set): Parley cannot confirm email addresses, so sign-up with a password, password reset and email change are off. Sign in with Pipedrive (or install from the Marketplace) still works, and so do invitation links an admin copies. Set SMTP_URL and MAIL_FROM to turn mail on.',
    );
  logger.info(`Parley is running: open ${parley.companion?.startHereUrl ?? parley.url}`);
}

if (import.meta.main) {
  main(path.resolve(import.meta.dirname, '..')).catch((error: unknown) => {
    process.stderr.write(
      `Parley failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
