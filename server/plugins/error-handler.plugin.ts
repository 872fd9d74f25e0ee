import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isAppError, isDatabaseUnavailable, type ErrorEnvelope } from '../errors.ts';

/** Fastify's own 4xx errors, mapped to Parley codes and sentences a person can act on. */
const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'request.body_too_large',
    message: 'The request body is larger than this endpoint accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'request.unsupported_media_type',
    message: 'This endpoint does not accept that Content-Type.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'request.empty_body',
    message: 'The request body is empty but JSON was declared.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'request.malformed_json', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'request.invalid_content_length',
    message: 'The Content-Length header does not match the body.',
  },
};

function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): ErrorEnvelope {
  if (isAppError(error)) {
    if (error.statusCode === 503) request.log.warn({ code: error.code }, error.message);
    else if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    for (const [name, value] of Object.entries(error.headers ?? {})) void reply.header(name, value);
    void reply.status(error.statusCode);
    return envelope(
      error.code,
      error.expose ? error.message : 'Parley ran into an internal error.',
      request,
      error.details,
    );
  }
  if (error.validation !== undefined) {
    void reply.status(400);
    const details = {
      issues: error.validation.map((issue) => ({
        path: issue.instancePath || issue.params?.['missingProperty'] || '',
        message: issue.message ?? 'is invalid',
      })),
    };
    return envelope('request.invalid', `The request is invalid: ${error.message}`, request, details);
  }
  const statusCode = error.statusCode ?? 500;
  if (statusCode < 500) {
    void reply.status(statusCode);
    const known = FASTIFY_ERRORS[error.code];
    if (known !== undefined) return envelope(known.code, known.message, request);
    // Body parsing (JSON syntax, prototype poisoning) and other client errors fastify raises itself.
    const code =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'request.malformed_json'
        : 'request.rejected';
    return envelope(code, error.message, request);
  }
  if (isDatabaseUnavailable(error)) {
    // A restart or a network cut: callers retry (Meta and Pipedrive redeliver webhooks on non-2xx).
    request.log.warn({ code: error.code }, 'the database is unavailable');
    void reply.status(503).header('retry-after', '5');
    return envelope(
      'service.database_unavailable',
      'Parley cannot reach its database right now. Try again in a few seconds.',
      request,
    );
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500);
  return envelope('internal', 'Parley ran into an internal error. It has been logged; please try again.', request);
}

function envelope(
  code: string,
  message: string,
  request: FastifyRequest,
  details?: Record<string, unknown>,
): ErrorEnvelope {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId: request.id } };
}

/** Paths of machines (APIs, webhooks, OAuth, panel files and assets): their 404 is always JSON. */
const MACHINE_PATHS = /^\/(api|webhooks|oauth|extensions|app|sandbox|media)(\/|$)|^\/(livez|readyz)$/;

/** A person's browser asking for a page (a typed or stale dashboard URL), not a program calling an API. */
function wantsPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    !MACHINE_PATHS.test(path) &&
    (request.headers.accept ?? '').includes('text/html')
  );
}

export interface ErrorHandlerOptions {
  /**
   * The dashboard's page, which shows its own "page not found" view for an unknown URL; undefined
   * when it is not built (then the 404 is JSON like any other).
   */
  notFoundPage?: () => Promise<string | undefined>;
}

async function errorHandlerPlugin(fastify: FastifyInstance, options: ErrorHandlerOptions): Promise<void> {
  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler(async (request, reply) => {
    const page = wantsPage(request) ? await options.notFoundPage?.() : undefined;
    if (page !== undefined)
      return reply
        .status(404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(page);
    return reply
      .status(404)
      .send(envelope('route.not_found', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`, request));
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
export { errorHandlerPlugin };
