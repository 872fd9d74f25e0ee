import type { SandboxClock } from '../clock.ts';
import type { Company, PipedriveState, Plan } from './state.ts';

/**
 * Pipedrive's rate limits (RD:core-api-concepts-rate-limiting, 2026 version; §5 of the platform doc):
 * - burst: per access token, rolling 2-second window, by plan (OAuth apps); search endpoints have
 *   their own 10 requests / 2 s on top;
 * - daily: per company, 30,000 tokens × plan multiplier × seats, every call charged its endpoint's
 *   cost, reset at midnight server time (UTC here, on the emulated clock).
 */
export const BURST_WINDOW_MS = 2_000;
export const BURST_LIMITS: Record<Plan, number> = { lite: 80, growth: 160, premium: 400, ultimate: 480 };
export const SEARCH_BURST_LIMIT = 10;
export const BASE_DAILY_TOKENS = 30_000;
export const PLAN_MULTIPLIERS: Record<Plan, number> = { lite: 1, growth: 2, premium: 5, ultimate: 7 };

export type Operation = 'get' | 'list' | 'create' | 'update' | 'delete' | 'search';

/**
 * Token cost per call. v1 from the docs' examples (get 2, list 20, update 10, delete 6, search 40;
 * creating costs what updating does, as the API reference shows for POST /v1/activityTypes = 10).
 * v2 "costs ~50% fewer tokens" (API changelog); the reference confirms GET /api/v2/persons = 10.
 */
export const TOKEN_COSTS: Record<'v1' | 'v2', Record<Operation, number>> = {
  v1: { get: 2, list: 20, create: 10, update: 10, delete: 6, search: 40 },
  v2: { get: 1, list: 10, create: 5, update: 5, delete: 3, search: 20 },
};

/**
 * The daily-budget header: a GUESS, sent only with the `dailyLimit429: 'guessed-header'` knob
 * (knobs.ts). A third-party client reports `x-daily-ratelimit-token-remaining` on Pipedrive's
 * sandbox; the docs list no daily-token header.
 */
export const DAILY_REMAINING_HEADER = 'x-daily-ratelimit-token-remaining';

export type RateLimitKind = 'burst' | 'search' | 'daily';

export type RateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; kind: RateLimitKind; headers: Record<string, string>; retryAfterSeconds: number };

export interface RateLimiter {
  /** Admits (and counts) one request of `cost` tokens, or says which limit refuses it. */
  admit(input: { token: string; company: Company; search: boolean; cost: number }): RateDecision;
}

export function dailyBudget(company: Company): number {
  return BASE_DAILY_TOKENS * PLAN_MULTIPLIERS[company.plan] * company.seats;
}

export function createRateLimiter(state: PipedriveState): RateLimiter {
  const windows = new Map<string, number[]>();
  const searchWindows = new Map<string, number[]>();
  return {
    admit({ token, company, search, cost }) {
      const now = state.clock.now().getTime();
      const budget = dailyBudget(company);
      const spent = tokensSpentToday(state, company.id);
      const burst = openWindow(windows, token, now);
      const searchBurst = openWindow(searchWindows, token, now);
      const binding = search
        ? { window: searchBurst, limit: SEARCH_BURST_LIMIT }
        : { window: burst, limit: BURST_LIMITS[company.plan] };

      const guessedHeader = state.knobs.dailyLimit429 === 'guessed-header';
      const daily = (value: number): Record<string, string> =>
        guessedHeader ? { [DAILY_REMAINING_HEADER]: String(value) } : {};

      if (spent >= budget) {
        // `plain` (the default knob): the refusal looks like a burst 429 of the binding window.
        const retryAfterSeconds = guessedHeader
          ? Math.ceil((nextUtcMidnight(now) - now) / 1000)
          : secondsUntilSlot(binding.window, now);
        return refuse('daily', retryAfterSeconds, { ...windowHeaders(binding, now), ...daily(0) });
      }
      for (const [kind, window, limit] of [
        ['burst', burst, BURST_LIMITS[company.plan]],
        ...(search ? [['search', searchBurst, SEARCH_BURST_LIMIT] as const] : []),
      ] as const) {
        if (window.length >= limit) {
          const retryAfterSeconds = secondsUntilSlot(window, now);
          return refuse(kind, retryAfterSeconds, {
            ...windowHeaders({ window, limit }, now),
            ...daily(budget - spent),
          });
        }
      }
      burst.push(now);
      if (search) searchBurst.push(now);
      return {
        allowed: true,
        headers: { ...windowHeaders(binding, now), ...daily(Math.max(0, budget - spent - cost)) },
      };
    },
  };
}

export interface CompanyUsage {
  companyId: number;
  /** UTC day the counters cover (`YYYY-MM-DD`, emulated clock). */
  day: string;
  budget: number;
  spent: number;
  remaining: number;
  calls: number;
  byEndpoint: Record<string, { calls: number; tokens: number }>;
  byClient: Record<string, { calls: number; tokens: number }>;
}

/** Today's API calls and tokens of a company, for tests and the "API usage" view. */
export function summarizeUsage(state: PipedriveState, companyId: number): CompanyUsage {
  const company = state.companies.get(companyId);
  if (!company) throw new Error(`unknown company ${companyId}`);
  const now = state.clock.now().getTime();
  const usage: CompanyUsage = {
    companyId,
    day: new Date(now).toISOString().slice(0, 10),
    budget: dailyBudget(company),
    spent: 0,
    remaining: 0,
    calls: 0,
    byEndpoint: {},
    byClient: {},
  };
  forEachCallToday(state, now, (call) => {
    if (call.companyId !== companyId) return;
    usage.spent += call.cost;
    usage.calls += 1;
    tally(usage.byEndpoint, call.endpoint, call.cost);
    tally(usage.byClient, call.clientId, call.cost);
  });
  usage.remaining = Math.max(0, usage.budget - usage.spent);
  return usage;
}

export function tokensSpentToday(state: PipedriveState, companyId: number): number {
  let spent = 0;
  forEachCallToday(state, state.clock.now().getTime(), (call) => {
    if (call.companyId === companyId) spent += call.cost;
  });
  return spent;
}

/** Spends budget as another integration of the company would (tests use it to reach the daily limit). */
export function recordExternalUsage(state: PipedriveState, clock: SandboxClock, companyId: number, tokens: number) {
  state.apiCalls.push({
    companyId,
    userId: 0,
    clientId: 'external',
    method: 'GET',
    endpoint: 'external usage',
    cost: tokens,
    status: 200,
    at: clock.now(),
  });
}

function forEachCallToday(
  state: PipedriveState,
  now: number,
  visit: (call: PipedriveState['apiCalls'][number]) => void,
) {
  const dayStart = nextUtcMidnight(now) - 86_400_000;
  // Calls are appended in time order, so today's are at the end.
  for (let index = state.apiCalls.length - 1; index >= 0; index -= 1) {
    const call = state.apiCalls[index];
    if (!call || call.at.getTime() < dayStart) break;
    if (call.at.getTime() <= now) visit(call);
  }
}

function tally(map: Record<string, { calls: number; tokens: number }>, key: string, tokens: number) {
  const entry = (map[key] ??= { calls: 0, tokens: 0 });
  entry.calls += 1;
  entry.tokens += tokens;
}

function openWindow(windows: Map<string, number[]>, token: string, now: number): number[] {
  const recent = (windows.get(token) ?? []).filter((at) => at > now - BURST_WINDOW_MS && at <= now);
  windows.set(token, recent);
  return recent;
}

function windowHeaders({ window, limit }: { window: number[]; limit: number }, now: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - window.length)),
    // "The remaining window before the rate limit resets", in seconds (the docs' example shows 2).
    'x-ratelimit-reset': String(window.length === 0 ? 2 : secondsUntilSlot(window, now)),
  };
}

function secondsUntilSlot(window: number[], now: number): number {
  const oldest = window[0] ?? now;
  return Math.max(1, Math.ceil((oldest + BURST_WINDOW_MS - now) / 1000));
}

function refuse(
  kind: RateLimitKind,
  retryAfterSeconds: number,
  headers: Record<string, string>,
): Extract<RateDecision, { allowed: false }> {
  return { allowed: false, kind, retryAfterSeconds, headers: { ...headers, 'retry-after': String(retryAfterSeconds) } };
}

function nextUtcMidnight(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}
