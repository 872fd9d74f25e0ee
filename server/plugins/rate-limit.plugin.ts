import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit, { type FastifyRateLimitStore, type RateLimitOptions } from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { createErrorFactory } from '../errors.ts';
import type { RateLimiter } from '../services/rate-limit/rate-limiter.ts';

export const createRequestRateLimitedError = createErrorFactory({
  code: 'request.rate_limited',
  statusCode: 429,
  message: 'Too many requests from your address. Wait a little and try again.',
});

/**
 * Limits at the edge, per client address unless said otherwise, before the body is parsed or any
 * work is done. Counters live in PostgreSQL (`rate_limit_counters`), so several instances share
 * them. Routes opt in with `config: edgeRateLimit('signUp')`.
 */
export const EDGE_LIMITS = {
  /** Each sign-up costs a scrypt hash: a burst from one address must not starve sign-ins. */
  signUp: { max: 10, timeWindow: 60 * 60 * 1000 },
  /** Every attempt counts here; failures also back off per (email, address), see sign-in-lockout.ts. */
  signIn: { max: 30, timeWindow: 15 * 60 * 1000 },
  /** For the password-reset request (mail): few per address. */
  passwordReset: { max: 5, timeWindow: 15 * 60 * 1000 },
  /** Creating invitations, per workspace (the signed-in member's). */
  invitationCreate: { max: 30, timeWindow: 60 * 60 * 1000, keyGenerator: byWorkspace },
  /** Looking up and accepting invitation links (guessing tokens). */
  invitationLink: { max: 30, timeWindow: 15 * 60 * 1000 },
  /** Starting an OAuth flow: anonymous, and each call makes a signed state. */
  oauthInstall: { max: 30, timeWindow: 10 * 60 * 1000 },
  /** The OAuth callback: the only place a state's single-use row is written. */
  oauthCallback: { max: 60, timeWindow: 10 * 60 * 1000 },
} satisfies Record<string, RateLimitOptions>;

export type EdgeLimitName = keyof typeof EDGE_LIMITS;

/** Route `config` that puts a route under one of the edge limits (its name keeps its own counter). */
export function edgeRateLimit(name: EdgeLimitName): { rateLimit: RateLimitOptions & { groupId: string } } {
  return { rateLimit: { ...EDGE_LIMITS[name], groupId: name } };
}

function byWorkspace(request: FastifyRequest): string {
  const workspaceId = request.session?.member?.workspaceId;
  return workspaceId === undefined ? `address:${request.ip}` : `workspace:${workspaceId}`;
}

/**
 * `@fastify/rate-limit` store over the shared fixed-window counters. The plugin appends the route's
 * `groupId` to each key, so one limit's counter never mixes with another's.
 */
function postgresStore(limiter: RateLimiter) {
  return class PostgresRateLimitStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
      max: number,
    ): void {
      limiter.hit(`edge:${key}`, { limit: max, windowMs: timeWindow }).then(
        (decision) =>
          callback(null, { current: decision.count, ttl: Math.max(0, decision.resetAt.getTime() - Date.now()) }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  };
}

async function edgeRateLimits(fastify: FastifyInstance, options: { limiter: RateLimiter }): Promise<void> {
  await fastify.register(rateLimit, {
    global: false,
    store: postgresStore(options.limiter),
    // The route's own hook order: after the session hook, so per-workspace keys can use it.
    hook: 'onRequest',
    // A database hiccup must not turn every limited route into a 500: the route still needs the
    // database and will fail on its own if it is really gone.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      createRequestRateLimitedError({
        details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      }),
  });
}

export default fp(edgeRateLimits, { name: 'edge-rate-limits' });
