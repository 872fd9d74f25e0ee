import type { PipedriveContext } from '../emulator.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, notFound } from './envelope.ts';
import { SCOPES } from './scopes.ts';
import { serializeCurrentUserV1, serializeUserV1 } from './serializers/v1.ts';
import { pathId, queryBoolean, queryString } from './validation.ts';

/**
 * `GET /v1/users/me` (scope `base`), `GET /v1/users`, `GET /v1/users/:id`, `GET /v1/users/find`
 * (`term`, `search_by_email` 0/1; a search: 10 per 2 s) (`users:read`).
 */
export function registerUserEndpoints(endpoint: DefineEndpoint, { state }: PipedriveContext): void {
  endpoint({
    method: 'GET',
    url: '/v1/users/me',
    version: 'v1',
    operation: 'get',
    scopes: SCOPES.base,
    handler: ({ caller }) => ({ success: true, data: serializeCurrentUserV1(caller.user, caller.company) }),
  });

  endpoint({
    method: 'GET',
    url: '/v1/users',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.usersRead,
    handler: ({ caller }) => ({
      success: true,
      data: [...state.users.values()]
        .filter((user) => user.companyId === caller.company.id)
        .map((user) => serializeUserV1(user, caller.user)),
    }),
  });

  endpoint({
    method: 'GET',
    url: '/v1/users/find',
    version: 'v1',
    operation: 'search',
    scopes: SCOPES.usersRead,
    handler: ({ caller, query }) => {
      const term = queryString(query, 'term')?.trim().toLowerCase() ?? '';
      if (term === '') throw badRequest('Validation failed: term: required');
      const byEmail = queryBoolean(query, 'search_by_email', 'loose') ?? false;
      const found = [...state.users.values()].filter(
        (user) =>
          user.companyId === caller.company.id && (byEmail ? user.email : user.name).toLowerCase().includes(term),
      );
      // v1 "find" endpoints answer `data: null`, not `[]`, when nothing matches (unconfirmed for users).
      return {
        success: true,
        data: found.length === 0 ? null : found.map((user) => serializeUserV1(user, caller.user)),
      };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/users/:id',
    version: 'v1',
    operation: 'get',
    scopes: SCOPES.usersRead,
    handler: ({ caller, params }) => {
      const user = state.users.get(pathId(params));
      if (!user || user.companyId !== caller.company.id) throw notFound('User not found');
      return { success: true, data: serializeUserV1(user, caller.user) };
    },
  });
}
