import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { budgetUsage, companies } from '../../db/schema/index.ts';
import type { Logger } from '../../logger.ts';
import { createBudgetExhaustedError } from './pipedrive.errors.ts';

/**
 * The company's daily Pipedrive token budget, as Parley sees it: what Parley spent per day and
 * feature (the budget meter), and a pause when Pipedrive says the budget is exhausted, so Parley
 * stops calling until it resets instead of probing (and never starves the customer's own UI).
 */
export function createBudgetMeter(deps: { db: Db; clock: Clock; logger: Logger }) {
  return {
    async assertAvailable(companyId: number): Promise<void> {
      const [row] = await deps.db
        .select({ pausedUntil: companies.budgetPausedUntil })
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
     * pauses the company until the reset and returns undefined.
     */
    async handleRateLimited(companyId: number, response: Response): Promise<number | undefined> {
      const body = await response.text().catch(() => '');
      const dailyRemaining = response.headers.get('x-daily-ratelimit-token-remaining');
      const isDaily = dailyRemaining === '0' || /daily|budget/i.test(body);
      const resetSeconds = Number(
        response.headers.get('retry-after') ?? response.headers.get('x-ratelimit-reset') ?? NaN,
      );
      if (!isDaily) return Number.isFinite(resetSeconds) ? Math.max(resetSeconds, 0) * 1000 : 2000;

      const now = deps.clock.now();
      // Pipedrive resets the budget at midnight server time; without a reset header, assume UTC midnight.
      const nextMidnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
      const pausedUntil =
        Number.isFinite(resetSeconds) && resetSeconds > 0
          ? new Date(now.getTime() + resetSeconds * 1000)
          : nextMidnight;
      await deps.db
        .update(companies)
        .set({ budgetPausedUntil: pausedUntil, updatedAt: sql`now()` })
        .where(eq(companies.id, companyId));
      deps.logger.warn({ companyId, pausedUntil }, 'Pipedrive daily API budget exhausted; pausing this company');
      return undefined;
    },
  };
}

export type BudgetMeter = ReturnType<typeof createBudgetMeter>;
