import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { budgetUsage, companies } from '../../db/schema/index.ts';
import type { Logger } from '../../logger.ts';
import { createBudgetExhaustedError } from './pipedrive.errors.ts';
import { BURST_WINDOW_MS } from './request-costs.ts';

/**
 * Pipedrive's daily-budget signal is undocumented (reliability.md §6.1): a 429 for an exhausted
 * budget may look exactly like a burst 429. Burst windows last 2 seconds and Parley waits out the
 * given Retry-After before trying again, so 429s that keep coming for this long, with no success in
 * between, can only be the daily budget.
 */
export const PERSISTENT_429_MS = 2 * 60 * 1000;
/** A Retry-After this long is no burst window (those are 2 s) but the daily reset. */
const DAILY_RETRY_AFTER_MS = 60 * 1000;

/**
 * The company's daily Pipedrive token budget, as Parley sees it: what Parley spent per day and
 * feature (the budget meter), and a pause when Pipedrive says the budget is exhausted, so Parley
 * stops calling until it resets instead of probing (and never starves the customer's own UI).
 */
export function createBudgetMeter(deps: { db: Db; clock: Clock; logger: Logger }) {
  return {
    /** Throws while the company is paused; says whether its last calls were refused with 429. */
    async assertAvailable(companyId: number): Promise<{ rateLimited: boolean }> {
      const [row] = await deps.db
        .select({ pausedUntil: companies.budgetPausedUntil, rateLimitedSince: companies.rateLimitedSince })
        .from(companies)
        .where(eq(companies.id, companyId));
      const pausedUntil = row?.pausedUntil;
      const now = deps.clock.now();
      if (pausedUntil != null && pausedUntil > now) {
        throw createBudgetExhaustedError({
          details: { resumesAt: pausedUntil.toISOString() },
          headers: { 'retry-after': String(Math.ceil((pausedUntil.getTime() - now.getTime()) / 1000)) },
        });
      }
      return { rateLimited: row?.rateLimitedSince != null };
    },

    /**
     * What the dashboard's budget meter shows: tokens and requests Parley spent per UTC day and
     * feature (our estimate per call, request-costs.ts), newest day first, and whether the company
     * is paused.
     */
    async usage(companyId: number, days = 14) {
      const since = new Date(deps.clock.now().getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
      const rows = await deps.db
        .select({
          day: budgetUsage.day,
          feature: budgetUsage.feature,
          tokens: budgetUsage.tokens,
          requests: budgetUsage.requests,
        })
        .from(budgetUsage)
        .where(and(eq(budgetUsage.companyId, companyId), gte(budgetUsage.day, since)))
        .orderBy(desc(budgetUsage.day), budgetUsage.feature);
      const [company] = await deps.db
        .select({ pausedUntil: companies.budgetPausedUntil })
        .from(companies)
        .where(eq(companies.id, companyId));
      const pausedUntil =
        company?.pausedUntil != null && company.pausedUntil > deps.clock.now() ? company.pausedUntil : null;
      const byDay = new Map<string, { day: string; tokens: number; requests: number; features: typeof rows }>();
      for (const row of rows) {
        const entry = byDay.get(row.day) ?? { day: row.day, tokens: 0, requests: 0, features: [] };
        entry.tokens += row.tokens;
        entry.requests += row.requests;
        entry.features.push(row);
        byDay.set(row.day, entry);
      }
      return { pausedUntil, days: [...byDay.values()] };
    },

    /** A call went through: the run of 429s (if any) is over. */
    async clearRateLimited(companyId: number): Promise<void> {
      await deps.db
        .update(companies)
        .set({ rateLimitedSince: null, updatedAt: sql`now()` })
        .where(eq(companies.id, companyId));
    },

    async record(companyId: number, feature: string, tokens: number): Promise<void> {
      const day = deps.clock.now().toISOString().slice(0, 10);
      await deps.db
        .insert(budgetUsage)
        .values({ companyId, day, feature, tokens, requests: 1 })
        .onConflictDoUpdate({
          target: [budgetUsage.companyId, budgetUsage.day, budgetUsage.feature],
          set: {
            tokens: sql`${budgetUsage.tokens} + ${tokens}`,
            requests: sql`${budgetUsage.requests} + 1`,
            updatedAt: sql`now()`,
          },
        });
    },

    /**
     * Reads a 429: for a burst limit, returns how long to wait; for an exhausted daily budget,
     * pauses the company until the reset and returns undefined. The budget counts as exhausted when
     * Pipedrive says so (a daily-budget header at 0, or the message), when Retry-After is longer
     * than any burst window, or when 429s have persisted for `PERSISTENT_429_MS` (no header at all).
     */
    async handleRateLimited(companyId: number, response: Response): Promise<number | undefined> {
      const body = await response.text().catch(() => '');
      const dailyRemaining = response.headers.get('x-daily-ratelimit-token-remaining');
      const resetSeconds = Number(
        response.headers.get('retry-after') ?? response.headers.get('x-ratelimit-reset') ?? NaN,
      );
      const now = deps.clock.now();
      // The run of 429s starts at the first one (kept when it already started).
      const [run] = await deps.db
        .update(companies)
        .set({ rateLimitedSince: sql`coalesce(${companies.rateLimitedSince}, ${now.toISOString()}::timestamptz)` })
        .where(eq(companies.id, companyId))
        .returning({ since: companies.rateLimitedSince });
      const persisted = run?.since != null && now.getTime() - run.since.getTime() >= PERSISTENT_429_MS;
      const isDaily =
        dailyRemaining === '0' ||
        /daily|budget/i.test(body) ||
        (Number.isFinite(resetSeconds) && resetSeconds * 1000 > DAILY_RETRY_AFTER_MS) ||
        persisted;
      if (!isDaily) return Number.isFinite(resetSeconds) ? Math.max(resetSeconds * 1000, 0) : BURST_WINDOW_MS;

      // Pipedrive resets the budget at midnight server time; without a reset header, assume UTC midnight.
      const nextMidnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
      // A short Retry-After (a burst-shaped 429 that persisted) says nothing about the reset.
      const pausedUntil =
        Number.isFinite(resetSeconds) && resetSeconds * 1000 > DAILY_RETRY_AFTER_MS
          ? new Date(now.getTime() + resetSeconds * 1000)
          : nextMidnight;
      await deps.db
        .update(companies)
        .set({ budgetPausedUntil: pausedUntil, rateLimitedSince: null, updatedAt: sql`now()` })
        .where(eq(companies.id, companyId));
      deps.logger.warn(
        { companyId, pausedUntil, signal: persisted ? 'persistent_429' : 'daily_signal' },
        'Pipedrive daily API budget exhausted; pausing this company',
      );
      return undefined;
    },
  };
}

export type BudgetMeter = ReturnType<typeof createBudgetMeter>;
