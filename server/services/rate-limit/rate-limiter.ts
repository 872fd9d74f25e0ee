import { sql } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { DbOrTx } from '../../db/client.ts';

export interface RateLimitDecision {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  limit: number;
  /** When the current window ends. */
  resetAt: Date;
}

/**
 * Fixed-window counters in PostgreSQL, so a limit holds across every instance (login attempts per
 * email, Pipedrive requests per token). One upsert per hit; rows expire with their window.
 */
export function createRateLimiter(deps: { db: DbOrTx; clock: Clock }) {
  return {
    async hit(key: string, options: { limit: number; windowMs: number }): Promise<RateLimitDecision> {
      const now = deps.clock.now().getTime();
      const windowStart = new Date(now - (now % options.windowMs));
      const resetAt = new Date(windowStart.getTime() + options.windowMs);
      const result = await deps.db.execute<{ count: number }>(sql`
        insert into rate_limit_counters (key, window_start, count, expires_at)
        values (${key}, ${windowStart.toISOString()}, 1, ${resetAt.toISOString()})
        on conflict (key, window_start) do update set count = rate_limit_counters.count + 1
        returning count`);
      const count = Number(result.rows[0]?.count ?? 1);
      return { allowed: count <= options.limit, count, limit: options.limit, resetAt };
    },

    /** Forgets a key (e.g. failed logins after a successful one). */
    async reset(key: string): Promise<void> {
      await deps.db.execute(sql`delete from rate_limit_counters where key = ${key}`);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
