import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createErrorFactory } from '../errors.ts';
import { withoutNulDeep } from '../services/whatsapp/json-text.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `strip` for known senders that retry (and ban endpoints) on errors, such as Pipedrive's
     * webhooks: NULs are dropped from the body instead of refused (reliability.md B5, B14).
     */
    nulCharacters?: 'refuse' | 'strip';
  }
}

export const createNulCharacterError = createErrorFactory({
  code: 'request.nul_character',
  statusCode: 400,
  message: 'The request contains a NUL character (U+0000), which Parley cannot store. Remove it and try again.',
});

/** Where in a parsed value the first string holding U+0000 is (a JSON pointer), or undefined. */
export function findNulCharacter(value: unknown): string | undefined {
  const path = nulPath(value);
  return path === '' ? '/' : path;
}

/**
 * The pointer below `value` to its first NUL ('' for `value` itself), or undefined. Pointers are
 * built on the way back from a find only: this runs on every request (issue 13's profile showed
 * one path string built per key of every request's parameters).
 */
function nulPath(value: unknown): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? '' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const below = key.includes('\u0000') ? '' : nulPath((value as Record<string, unknown>)[key]);
    if (below !== undefined) return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}${below}`;
  }
  return undefined;
}

function refuseNul(part: 'params' | 'querystring' | 'body', value: unknown): void {
  const at = findNulCharacter(value);
  if (at !== undefined) throw createNulCharacterError({ details: { part, path: at } });
}

/**
 * PostgreSQL `text` and `jsonb` cannot hold U+0000: a NUL that reached a query failed it with a
 * 500 (reliability.md B14). Every route's body, query string and path parameters are checked here,
 * once, before validation, so no handler or service ever sees one.
 */
async function inputSafety(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('preValidation', async (request: FastifyRequest) => {
    // Raw bodies (signed webhooks) are verified as bytes; their parsers deal with NULs.
    if (request.routeOptions.config.nulCharacters === 'strip' && !Buffer.isBuffer(request.body))
      request.body = withoutNulDeep(request.body);
    refuseNul('params', request.params);
    refuseNul('querystring', request.query);
    if (!Buffer.isBuffer(request.body)) refuseNul('body', request.body);
  });
}

export default fp(inputSafety, { name: 'input-safety' });
