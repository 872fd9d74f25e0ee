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

export interface StrikeRecord {
  count: number;
  lastAt: Date;
}

/** `window_start` of strike records, which have no window. */
const STRIKE_WINDOW = '1970-01-01T00:00:00.000Z';

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

    /**
     * Counts one strike against a key that is remembered for `memoryMs` after its latest strike
     * (one row per key, whatever the window: a fixed epoch `window_start`). For back-off schemes,
     * which need the count and the time of the latest strike, not a window.
     */
    async strike(key: string, options: { memoryMs: number }): Promise<StrikeRecord> {
      const now = deps.clock.now();
      const forgetAt = new Date(now.getTime() + options.memoryMs);
      const result = await deps.db.execute<{ count: number }>(sql`
        insert into rate_limit_counters (key, window_start, count, expires_at)
        values (${key}, ${STRIKE_WINDOW}, 1, ${forgetAt.toISOString()})
        on conflict (key, window_start) do update set
          count = case when rate_limit_counters.expires_at > ${now.toISOString()}
                       then rate_limit_counters.count + 1 else 1 end,
          expires_at = excluded.expires_at
        returning count`);
      return { count: Number(result.rows[0]?.count ?? 1), lastAt: now };
    },

    /** The strikes a key has, if it is still remembered. */
    async strikes(key: string, options: { memoryMs: number }): Promise<StrikeRecord | undefined> {
      const result = await deps.db.execute<{ count: number; expires_at: string | Date }>(sql`
        select count, expires_at from rate_limit_counters
        where key = ${key} and window_start = ${STRIKE_WINDOW} and expires_at > ${deps.clock.now().toISOString()}`);
      const row = result.rows[0];
      if (row === undefined) return undefined;
      return { count: Number(row.count), lastAt: new Date(new Date(row.expires_at).getTime() - options.memoryMs) };
    },

    /** Forgets every key that starts with `prefix`. */
    async resetPrefix(prefix: string): Promise<void> {
      await deps.db.execute(sql`delete from rate_limit_counters where starts_with(key, ${prefix})`);
    },

    /** Forgets a key (e.g. failed logins after a successful one). */
    async reset(key: string): Promise<void> {
      await deps.db.execute(sql`delete from rate_limit_counters where key = ${key}`);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
