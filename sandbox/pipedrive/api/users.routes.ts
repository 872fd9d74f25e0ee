import type { PipedriveContext } from '../emulator.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { notFound } from './envelope.ts';
import { SCOPES } from './scopes.ts';
import { serializeCurrentUserV1, serializeUserV1 } from './serializers/v1.ts';
import { pathId } from './validation.ts';

/** `GET /v1/users/me` (scope `base`), `GET /v1/users`, `GET /v1/users/:id` (`users:read`). */
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
