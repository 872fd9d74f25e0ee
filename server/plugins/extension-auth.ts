import type { FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify } from 'jose';
import { createErrorFactory } from '../errors.ts';

/** The Pipedrive user a panel request comes from, known only from a verified token. */
export interface Viewer {
  companyId: number;
  userId: number;
}

export const createExtensionTokenError = createErrorFactory({
  code: 'extensions.token_invalid',
  statusCode: 401,
  message: 'Parley could not verify this panel. Reload the Pipedrive page.',
});

const positiveInteger = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : undefined;
};

/**
 * Verifies the SDK's signed token (GET_SIGNED_TOKEN: HS256 with the extension's JWT secret, valid
 * 5 minutes; pipedrive-platform.md §3.4). The algorithm is pinned and `exp` is required. Company and
 * user come only from the verified claims, never from the `companyId`/`userId` query parameters
 * Pipedrive also puts in the iframe URL.
 */
export async function verifyExtensionToken(token: string, jwtSecret: string): Promise<Viewer> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(jwtSecret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: 5,
    }));
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw createExtensionTokenError({
      message: expired
        ? 'The panel’s session expired. Reload the Pipedrive page.'
        : 'Parley could not verify this panel. Reload the Pipedrive page.',
      details: { reason: expired ? 'expired' : 'invalid' },
    });
  }
  const companyId = positiveInteger(payload['companyId']);
  const userId = positiveInteger(payload['userId']);
  if (companyId === undefined || userId === undefined)
    throw createExtensionTokenError({ details: { reason: 'claims' } });
  return { companyId, userId };
}

/**
 * `onRequest` hook for panel APIs: `Authorization: Bearer <SDK signed token>` → `request.viewer`.
 * Routes marked `config: { public: true }` carry their own credential (the live-chat stream's ticket).
 */
export function createExtensionAuthHook(jwtSecret: string) {
  return async function authenticateExtension(request: FastifyRequest): Promise<void> {
    if (request.routeOptions.config.public === true) return;
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (match?.[1] === undefined)
      throw createExtensionTokenError({
        message: 'This request carries no panel token.',
        details: { reason: 'missing' },
      });
    request.viewer = await verifyExtensionToken(match[1], jwtSecret);
  };
}

/**
 * The viewer of a route behind the panel group's extension-auth hook, which has already refused a
 * request without a valid token. No viewer here means the hook is missing: a bug, answered as a 500.
 */
export function requireViewer(request: FastifyRequest): Viewer {
  if (request.viewer === null)
    throw new Error(`${request.routeOptions.url ?? request.url} is not behind the panel hook`);
  return request.viewer;
}
