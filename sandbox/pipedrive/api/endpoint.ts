import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hostOf } from '../company-domains.ts';
import type { PipedriveContext } from '../emulator.ts';
import type { PipedriveKnobs } from '../knobs.ts';
import { TOKEN_COSTS, type Operation, type RateLimiter, type RateLimitKind } from '../rate-limit.ts';
import { authenticateCaller, hasAnyScope, type Caller } from './caller.ts';
import { PipedriveApiError, unauthorized } from './envelope.ts';

export interface EndpointInput {
  caller: Caller;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface EndpointSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below `/api`, e.g. `/v2/persons/:id`. */
  url: string;
  version: 'v1' | 'v2';
  /** Decides the token cost (TOKEN_COSTS); `search` also applies the search burst limit. */
  operation: Operation;
  /** Any one of these grants access (`x:read` is also satisfied by `x:full`). */
  scopes: readonly string[];
  /** HTTP status on success (v1 creations answer 201). */
  status?: number;
  handler: (input: EndpointInput) => unknown;
}

export type DefineEndpoint = (spec: EndpointSpec) => void;

interface CallMeta {
  caller: Caller;
  cost: number;
  limited: boolean;
}

/**
 * Registers REST endpoints behind Pipedrive's API proxy: bearer auth (company and user come only
 * from the token), the rate limits (before anything else is charged), the scope check, and a
 * record of every authenticated call in `state.apiCalls`.
 */
export function createEndpointRegistrar(
  fastify: FastifyInstance,
  context: PipedriveContext,
  limiter: RateLimiter,
): DefineEndpoint {
  const calls = new WeakMap<FastifyRequest, CallMeta>();

  fastify.addHook('onResponse', async (request, reply) => {
    const meta = calls.get(request);
    if (!meta) return;
    context.state.apiCalls.push({
      companyId: meta.caller.company.id,
      userId: meta.caller.user.id,
      clientId: meta.caller.app.clientId,
      method: request.method,
      endpoint: `${request.method} ${request.routeOptions.url ?? request.url}`,
      host: request.headers.host ?? '',
      cost: meta.limited ? 0 : meta.cost,
      status: reply.statusCode,
      at: context.clock.now(),
    });
  });

  return (spec) => {
    const cost = TOKEN_COSTS[spec.version][spec.operation];
    fastify.route({
      method: spec.method,
      url: spec.url,
      onRequest: async (request, reply) => {
        const caller = authenticateCaller(context.state, request);
        checkCompanyOrigin(context, request, caller);
        const meta: CallMeta = { caller, cost, limited: false };
        calls.set(request, meta);
        const decision = limiter.admit({
          token: caller.accessToken.token,
          company: caller.company,
          search: spec.operation === 'search',
          cost,
        });
        void reply.headers(decision.headers);
        if (!decision.allowed) {
          meta.limited = true;
          throw rateLimitError(decision.kind, context.state.knobs.dailyLimit429);
        }
        if (!hasAnyScope(caller.grant, spec.scopes)) {
          throw new PipedriveApiError(403, 'Scope and URL mismatch', { errorCode: true });
        }
        // Fault knobs (knobs.ts): an outage before anything is written.
        if (Math.random() < context.state.knobs.serverErrorRate) {
          throw new PipedriveApiError(503, 'Service Unavailable');
        }
      },
      handler: async (request, reply) => {
        const meta = calls.get(request);
        if (!meta) throw new Error('endpoint reached without authentication');
        const body = await spec.handler({
          caller: meta.caller,
          params: (request.params ?? {}) as Record<string, string>,
          query: (request.query ?? {}) as Record<string, unknown>,
          body: request.body,
        });
        // Fault knob: the write happened, the response is lost on the way back.
        if (spec.method !== 'GET' && Math.random() < context.state.knobs.serverErrorAfterWriteRate) {
          throw new PipedriveApiError(502, 'Bad Gateway');
        }
        return reply.code(spec.status ?? 200).send(body);
      },
    });
  };
}

/**
 * A token works on its own company's origin and on the generic one, never on another company's.
 * GUESS: Pipedrive does not document the answer to a token used on another company's domain; the
 * sandbox refuses it as an invalid token would be (401 "unauthorized access", nothing charged),
 * and a domain of no company with a 404.
 */
function checkCompanyOrigin(context: PipedriveContext, request: FastifyRequest, caller: Caller): void {
  const host = hostOf(context.state, request.headers.host);
  if (host.kind === 'unknown-company') throw new PipedriveApiError(404, `Company ${host.domain} not found`);
  if (host.kind === 'company' && host.company.id !== caller.company.id) throw unauthorized('unauthorized access');
}

/**
 * 429 bodies. "Request over limit" is the wording of Pipedrive's legacy rate-limit docs. How a
 * daily-budget 429 differs from a burst one is undocumented (reliability.md §6.1), hence the
 * `dailyLimit429` knob (knobs.ts):
 * - `plain` (default): every 429 is `Request over limit` with no `code`, the daily one included;
 * - `guessed-header`: GUESS kept from the first sandbox: `code` tells the limits apart and the daily
 *   one says `Daily API token budget exceeded` (with `x-daily-ratelimit-token-remaining: 0` and a
 *   `Retry-After` that runs to midnight UTC, rate-limit.ts).
 */
function rateLimitError(kind: RateLimitKind, mode: PipedriveKnobs['dailyLimit429']): PipedriveApiError {
  if (mode === 'plain') return new PipedriveApiError(429, 'Request over limit', { errorCode: true });
  if (kind === 'daily') {
    return new PipedriveApiError(429, 'Daily API token budget exceeded', {
      errorCode: true,
      code: 'daily_token_budget_exceeded',
    });
  }
  return new PipedriveApiError(429, 'Request over limit', {
    errorCode: true,
    code: kind === 'search' ? 'search_rate_limit_exceeded' : 'burst_rate_limit_exceeded',
  });
}
