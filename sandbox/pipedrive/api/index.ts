import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PipedriveContext } from '../emulator.ts';
import { createRateLimiter } from '../rate-limit.ts';
import { registerActivityEndpoints } from './activities.routes.ts';
import { registerDealEndpoints } from './deals.routes.ts';
import { createEndpointRegistrar } from './endpoint.ts';
import { badRequest, PipedriveApiError } from './envelope.ts';
import { registerLeadEndpoints } from './leads.routes.ts';
import { registerMetadataEndpoints } from './metadata.routes.ts';
import { registerNoteEndpoints } from './notes.routes.ts';
import { oauthRoutes } from './oauth.routes.ts';
import { registerPersonEndpoints } from './persons.routes.ts';
import { registerPipelineEndpoints } from './pipelines.routes.ts';
import { registerSearchEndpoints } from './search.routes.ts';
import { registerUserEndpoints } from './users.routes.ts';
import { registerWebhookEndpoints } from './webhooks.routes.ts';

/** OAuth token endpoints and the REST API (`/oauth/token`, `/oauth/revoke`, `/api/v1`, `/api/v2`). */
export async function pipedriveApiRoutes(
  fastify: FastifyInstance,
  options: { context: PipedriveContext },
): Promise<void> {
  await fastify.register(oauthRoutes, { context: options.context });
  await fastify.register(restApi, { context: options.context, prefix: '/api' });
}

async function restApi(fastify: FastifyInstance, options: { context: PipedriveContext }): Promise<void> {
  const { context } = options;
  fastify.setErrorHandler(renderApiError);
  // Unconfirmed wording; Pipedrive answers unknown API paths with a 404 in the usual envelope.
  fastify.setNotFoundHandler((_request, reply) =>
    renderApiError(new PipedriveApiError(404, 'Unknown method .'), _request, reply),
  );

  const endpoint = createEndpointRegistrar(fastify, context, createRateLimiter(context.state));
  registerUserEndpoints(endpoint, context);
  registerSearchEndpoints(endpoint, context);
  registerPersonEndpoints(endpoint, context);
  registerDealEndpoints(endpoint, context);
  registerPipelineEndpoints(endpoint, context);
  registerLeadEndpoints(endpoint, context);
  registerNoteEndpoints(endpoint, context);
  registerActivityEndpoints(endpoint, context);
  registerMetadataEndpoints(endpoint, context);
  registerWebhookEndpoints(endpoint, context);
}

function renderApiError(error: FastifyError | PipedriveApiError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof PipedriveApiError) {
    return reply.code(error.statusCode).headers(error.headers).send(error.body);
  }
  const status = error.statusCode ?? 500;
  if (status === 415) return renderApiError(new PipedriveApiError(415, 'Unsupported Media Type'), request, reply);
  if (status === 413) return renderApiError(new PipedriveApiError(413, 'Request body is too large'), request, reply);
  if (status < 500) return renderApiError(badRequest(`Bad request: ${error.message}`), request, reply);
  request.log.error({ err: error }, 'sandbox Pipedrive API failed');
  return reply.code(500).send(new PipedriveApiError(500, 'Internal server error').body);
}
