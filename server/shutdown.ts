import type { FastifyInstance } from 'fastify';
import type { WorkerRunner } from './jobs/worker-runner.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { Runtime } from './runtime.ts';

/** What to stop; `app` and `workers` may be added after `createShutdown` as they start. */
export interface ShutdownParts {
  lifecycle: Lifecycle;
  logger: Logger;
  runtime: Pick<Runtime, 'database' | 'eventBus' | 'jobs'>;
  app?: FastifyInstance;
  workers?: WorkerRunner;
  /** Anything else to stop last (the sandbox in `npm start`). */
  extras?: readonly (() => Promise<void>)[];
}

/**
 * Graceful shutdown, in the order that loses nothing: readiness off first (load balancers drain
 * us), then HTTP closes (in-flight requests finish, new ones get 503), then workers finish their
 * current jobs (unfinished ones return by expiry), then the event bus, then the queue and the pool.
 * Idempotent: a second signal waits for the first shutdown.
 */
export function createShutdown(parts: ShutdownParts): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= (async () => {
      const started = Date.now();
      parts.lifecycle.beginShutdown();
      parts.logger.info('shutting down: readiness is off');
      await parts.app?.close();
      await parts.workers?.stop();
      await parts.runtime.eventBus.close();
      await parts.runtime.jobs.stop({ graceful: true, timeoutMs: 10_000 });
      for (const stop of parts.extras ?? []) await stop();
      await parts.runtime.database.close();
      parts.logger.info({ durationMs: Date.now() - started }, 'shutdown complete');
    })();
    return running;
  };
}
