import type { FastifyError, FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import { encodeMetaJson } from '../meta-json.ts';
import { authenticate } from './graph-auth.ts';
import { GraphError, graphErrors } from './graph-errors.ts';
import { VERSION } from './graph-version.ts';
import { appSubscriptionsRoutes } from './app-subscriptions.routes.ts';
import { mediaRoutes } from './media.routes.ts';
import { messagesRoutes } from './messages.routes.ts';
import { objectsRoutes } from './objects.routes.ts';
import { templatesRoutes } from './templates.routes.ts';

/**
 * Graph versions the sandbox answers: v17.0–v25.0 (the range pywa validates; which versions Meta
 * still serves at a given date is not emulated). Others get "Unknown path components".
 */
function isSupportedVersion(version: string): boolean {
  const match = /^v(\d+)\.0$/.exec(version);
  const major = match ? Number(match[1]) : 0;
  return major >= 17 && major <= 25;
}

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

  fastify.addHook('onRequest', async (request) => {
    const version = (request.params as { version?: string } | undefined)?.version;
    if (version !== undefined && !isSupportedVersion(version)) throw graphErrors.unknownPath(`/${version}`);
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
  // Any other path under a version: Graph's "Unknown path components" (code 2500), not a bare 404.
  fastify.all(`/${VERSION}/*`, async (request) => {
    authenticate(state, request);
    throw graphErrors.unknownPath(new URL(request.url, 'http://graph').pathname.replace(/^\/v\d+\.\d+/, ''));
  });
}
