import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isAppError, type ErrorEnvelope } from '../errors.ts';

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

async function errorHandlerPlugin(fastify: FastifyInstance): Promise<void> {
  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(envelope('route.not_found', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`, request));
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler' });
export { errorHandlerPlugin };
