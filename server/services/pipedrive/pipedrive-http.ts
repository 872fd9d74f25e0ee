import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { BudgetMeter } from './budget-meter.ts';
import {
  createBudgetExhaustedError,
  createPipedriveForbiddenError,
  createPipedriveNotFoundError,
  createPipedriveRejectedError,
  createPipedriveUnavailableError,
  createRateLimitedError,
} from './pipedrive.errors.ts';
import {
  BURST_WINDOW_MS,
  DEFAULT_BURST_LIMIT,
  SEARCH_BURST_LIMIT,
  estimateCost,
  type RequestKind,
} from './request-costs.ts';
import { localhostAwareFetch } from './localhost-fetch.ts';
import type { TokenService } from './token-service.ts';

/** What the official client's `…AxiosParamCreator` produces: path + query, method, headers, JSON body. */
export interface RequestArgs {
  url: string;
  options: { method?: string; headers?: Record<string, unknown>; data?: unknown };
}

export interface CallMeta {
  version: 'v1' | 'v2';
  kind: RequestKind;
  /** Which Parley feature spends the tokens (the budget meter's breakdown). */
  feature: string;
}

/**
 * A token that belongs to no live connection any more: the last calls of a grant being ended
 * (deleting its webhooks before it is revoked). No refresh is attempted with it.
 */
export interface DetachedToken {
  accessToken: string;
  apiDomain: string;
}

export interface PipedriveResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** The longest we wait in-process for a burst window to reopen before giving the work back. */
const MAX_INLINE_WAIT_MS = 4000;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The HTTP layer under the official client's request builders. It keeps what the official client
 * drops (status and headers, pipedrive/client-nodejs#725) and applies Parley's rules on every call:
 * fresh token, burst limit shared across instances, company budget, timeout, one refresh-and-retry
 * on 401, waiting out short 429s, and Pipedrive failures mapped to `pipedrive.*` errors.
 */
export function createPipedriveHttp(deps: {
  tokens: TokenService;
  limiter: RateLimiter;
  budget: BudgetMeter;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
  /** Tests: a fetch that misbehaves at the network level (hangs until aborted). */
  fetch?: typeof fetch;
}) {
  const timeoutMs = deps.timeoutMs ?? REQUEST_TIMEOUT_MS;
  // `localhostAwareFetch` looks the global fetch up per call, so whatever wraps it later still sees the requests.
  const fetchImpl: typeof fetch = deps.fetch ?? localhostAwareFetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /**
   * Pipedrive's burst windows roll (any 2 s), Parley's shared counters are fixed windows: L calls
   * per fixed 2 s window allow 2L within a rolling 2 s across a boundary, and the benchmark's steady
   * stream met search 429s that way. Counting in quarter windows with a fifth of the limit keeps any
   * rolling 2 s under the limit (it overlaps at most five quarters), at 80 % of the throughput.
   */
  const SLICES = 4;
  async function waitForBurstSlot(connectionId: string, kind: RequestKind): Promise<void> {
    const keys: [string, number][] = [[`pd-burst:${connectionId}`, DEFAULT_BURST_LIMIT]];
    if (kind === 'search') keys.push([`pd-search:${connectionId}`, SEARCH_BURST_LIMIT]);
    for (const [key, rollingLimit] of keys) {
      const limit = Math.max(1, Math.floor(rollingLimit / (SLICES + 1)));
      for (;;) {
        const decision = await deps.limiter.hit(key, { limit, windowMs: BURST_WINDOW_MS / SLICES });
        if (decision.allowed) break;
        const waitMs = decision.resetAt.getTime() - deps.clock.now().getTime();
        if (waitMs > MAX_INLINE_WAIT_MS)
          throw createRateLimitedError({ headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) } });
        await sleep(Math.max(waitMs, 10));
      }
    }
  }

  async function send(url: string, args: RequestArgs, accessToken: string): Promise<Response> {
    try {
      return await fetchImpl(url, {
        method: args.options.method ?? 'GET',
        headers: {
          ...(args.options.headers as Record<string, string>),
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
        },
        ...(args.options.data === undefined
          ? {}
          : { body: typeof args.options.data === 'string' ? args.options.data : JSON.stringify(args.options.data) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw createPipedriveUnavailableError({
        message: 'Pipedrive did not answer in time. Parley will retry.',
        cause: error,
      });
    }
  }

  return async function request<T>(
    connectionId: string,
    companyId: number,
    args: RequestArgs,
    meta: CallMeta,
    detached?: DetachedToken,
  ): Promise<PipedriveResponse<T>> {
    // Whether a run of 429s is open for the company (ended by this call's success).
    let { rateLimited } = await deps.budget.assertAvailable(companyId);
    let token = detached ?? (await deps.tokens.getAccessToken(connectionId));
    let refreshed = detached !== undefined;
    for (let attempt = 0; ; attempt += 1) {
      await waitForBurstSlot(connectionId, meta.kind);
      const response = await send(`${token.apiDomain}/api/${meta.version}${args.url}`, args, token.accessToken);
      await deps.budget.record(companyId, meta.feature, estimateCost(meta.kind, meta.version));
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        token = await deps.tokens.refreshAfterRejection(connectionId, token.accessToken);
        continue;
      }
      // Rejected right after a successful refresh: the grant is gone (revoked or uninstalled).
      if (response.status === 401 && detached === undefined) await deps.tokens.rejectedAfterRefresh(connectionId);
      if (response.status === 429) {
        rateLimited = true;
        const retryAfterMs = await deps.budget.handleRateLimited(companyId, response);
        if (retryAfterMs !== undefined && retryAfterMs <= MAX_INLINE_WAIT_MS && attempt < 2) {
          await sleep(retryAfterMs);
          continue;
        }
        if (retryAfterMs === undefined) throw createBudgetExhaustedError();
        throw createRateLimitedError({ headers: { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } });
      }
      const body = (await response.json().catch(() => null)) as T & { error?: string };
      // A success whose body never fully arrived (timeout, cut connection): whether the write
      // happened is unknown, so it is retried like an outage (writes look before they create).
      if (response.ok && body === null)
        throw createPipedriveUnavailableError({ message: 'Pipedrive’s answer was cut short. Parley will retry.' });
      if (response.ok) {
        if (rateLimited) await deps.budget.clearRateLimited(companyId);
        return { status: response.status, body, headers: response.headers };
      }
      const reason = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
      deps.logger.warn(
        { status: response.status, endpoint: args.url.split('?')[0], reason },
        'Pipedrive request failed',
      );
      if (response.status === 404 || response.status === 410)
        throw createPipedriveNotFoundError({ details: { reason } });
      if (response.status === 403) throw createPipedriveForbiddenError({ details: { reason } });
      if (response.status >= 500 || response.status === 402)
        throw createPipedriveUnavailableError({ details: { status: response.status } });
      throw createPipedriveRejectedError({
        message: `Pipedrive rejected the request: ${reason}`,
        details: { reason, status: response.status },
      });
    }
  };
}

export type PipedriveHttp = ReturnType<typeof createPipedriveHttp>;
