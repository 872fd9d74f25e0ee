import type { FastifyRequest } from 'fastify';
import { createErrorFactory } from '../errors.ts';

export const createCallbackUnauthorizedError = createErrorFactory({
  code: 'oauth.unauthorized',
  statusCode: 401,
  message: 'The callback carries no valid client credentials.',
});

/**
 * `onRequest` hook for Pipedrive's server-to-server callbacks (uninstall, sharing changes):
 * `Authorization: Basic client_id:client_secret`, compared in constant time (pipedrive-platform.md §2.1).
 */
export function createPipedriveCallbackAuthHook(isOwnBasicAuth: (header: string | undefined) => boolean) {
  return async function authenticatePipedrive(request: FastifyRequest): Promise<void> {
    if (!isOwnBasicAuth(request.headers.authorization)) throw createCallbackUnauthorizedError();
  };
}
