import type { FastifyError, FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import { encodeMetaJson } from '../meta-json.ts';
import { GraphError, graphErrors } from './graph-errors.ts';
import { appSubscriptionsRoutes } from './app-subscriptions.routes.ts';
import { mediaRoutes } from './media.routes.ts';
import { messagesRoutes } from './messages.routes.ts';
import { objectsRoutes } from './objects.routes.ts';
import { templatesRoutes } from './templates.routes.ts';

/**
 * The Graph API subset Parley uses, with Graph's error envelope, Meta-style JSON escaping and the
 * latency / 5xx fault knobs. Registered in its own encapsulated context so its error handler and
 * serializer stay out of the Pipedrive emulator's routes.
 */
export async function graphRoutes(fastify: FastifyInstance, options: { context: WhatsAppContext }): Promise<void> {
  const { context } = options;
  const { state } = context;
  fastify.setReplySerializer((payload) => encodeMetaJson(payload));

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof GraphError) return reply.status(error.statusCode).send(error.body);
    if (typeof error.statusCode === 'number' && error.statusCode < 500) {
      // Fastify's own 4xx (unparseable JSON, empty body, too large) in Graph's words.
      return reply.status(400).send(graphErrors.invalidParameter(error.message).body);
    }
    request.log.error({ err: error }, 'WhatsApp emulator failed');
    return reply.status(500).send(graphErrors.unknown().body);
  });

  fastify.addHook('onRequest', async () => {
    const { latencyMs, graphErrorRate, random } = state.faults;
    if (latencyMs > 0) await new Promise<void>((resolve) => state.clock.schedule(resolve, latencyMs));
    if (graphErrorRate > 0 && random() < graphErrorRate) throw graphErrors.unexpected();
  });

  fastify.addHook('onResponse', async (request, reply) => {
    state.graphRequests.push({
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      at: state.clock.now(),
    });
  });

  await fastify.register(messagesRoutes, { context });
  await fastify.register(templatesRoutes, { context });
  await fastify.register(objectsRoutes, { context });
  await fastify.register(appSubscriptionsRoutes, { context });
  await fastify.register(mediaRoutes, { context });
}
