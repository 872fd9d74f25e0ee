import type { FastifyInstance } from 'fastify';
import { createErrorFactory } from '../../errors.ts';
import type { AppServices } from '../../app.ts';

const createNotReadyError = createErrorFactory({
  code: 'service.not_ready',
  statusCode: 503,
  message: 'Parley is not ready.',
  expose: true,
});

/**
 * `/livez`: the process answers (decides restarts). `/readyz`: this instance should get traffic
 * (database answers, event bus connected, not shutting down). Neither ever depends on Pipedrive
 * or Meta: ingest must keep working while they are down.
 */
export async function healthRoutes(fastify: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  fastify.get('/livez', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  fastify.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    if (services.lifecycle.isShuttingDown) {
      throw createNotReadyError({
        message: 'Parley is shutting down.',
        details: { checks: { lifecycle: 'shutting_down' } },
        headers: { 'retry-after': '5' },
      });
    }
    try {
      await services.database.ping(1000);
    } catch (error) {
      throw createNotReadyError({
        message: 'The database does not answer.',
        cause: error,
        details: { checks: { database: 'unavailable' } },
        headers: { 'retry-after': '5' },
      });
    }
    if (!services.eventBus.isHealthy()) {
      throw createNotReadyError({
        message: 'The event bus is reconnecting.',
        details: { checks: { database: 'ok', eventBus: 'unavailable' } },
        headers: { 'retry-after': '5' },
      });
    }
    void reply.header('cache-control', 'no-store');
    return { status: 'ready', checks: { database: 'ok', eventBus: 'ok' } };
  });
}
