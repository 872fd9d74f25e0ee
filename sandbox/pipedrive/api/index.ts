import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PipedriveContext } from '../emulator.ts';
import { createRateLimiter, type RateLimiter } from '../rate-limit.ts';
import { registerActivityEndpoints } from './activities.routes.ts';
import { registerDealEndpoints } from './deals.routes.ts';
import { createEndpointRegistrar, type DefineEndpoint } from './endpoint.ts';
import { badRequest, PipedriveApiError } from './envelope.ts';
import { registerFieldEndpoints } from './fields.routes.ts';
import { registerLeadEndpoints } from './leads.routes.ts';
import { registerLifecycleEndpoints } from './lifecycle.routes.ts';
import { registerOrganizationEndpoints } from './organizations.routes.ts';
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
  // One limiter for both path forms: `/v1/x` and `/api/v1/x` are the same endpoint to the limits.
  const limiter = createRateLimiter(options.context.state);
  await fastify.register(oauthRoutes, { context: options.context });
  await fastify.register(restApi, { context: options.context, limiter, prefix: '/api' });
  // v1 also answers without `/api` (`{api_domain}/v1/...`); v2 does not (§4.1).
  await fastify.register(restApi, { context: options.context, limiter, onlyV1: true });
}

async function restApi(
  fastify: FastifyInstance,
  options: { context: PipedriveContext; limiter: RateLimiter; onlyV1?: boolean },
): Promise<void> {
  const { context } = options;
  fastify.setErrorHandler(renderApiError);
  if (!options.onlyV1) {
    // Unconfirmed wording; Pipedrive answers unknown API paths with a 404 in the usual envelope.
    fastify.setNotFoundHandler((_request, reply) =>
      renderApiError(new PipedriveApiError(404, 'Unknown method .'), _request, reply),
    );
  }

  const register = createEndpointRegistrar(fastify, context, options.limiter);
  const endpoint: DefineEndpoint = options.onlyV1 ? (spec) => spec.version === 'v1' && register(spec) : register;
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
  registerOrganizationEndpoints(endpoint, context);
  registerLifecycleEndpoints(endpoint, context);
  registerFieldEndpoints(endpoint, context);
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
