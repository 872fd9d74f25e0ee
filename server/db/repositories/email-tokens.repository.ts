import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { emailTokens } from '../schema/index.ts';

export type EmailTokenRow = typeof emailTokens.$inferSelect;
export type EmailTokenPurpose = EmailTokenRow['purpose'];

/** Mailed single-use links, by the hash of their token. */
export function createEmailTokensRepository(db: DbOrTx) {
  return {
    async create(values: typeof emailTokens.$inferInsert): Promise<void> {
      await db.insert(emailTokens).values(values);
    },
    /** Marks the token used and returns it; undefined when unknown, used, expired, or for another purpose. */
    async consume(tokenHash: string, purposes: readonly EmailTokenPurpose[], now: Date) {
      const [row] = await db
        .update(emailTokens)
        .set({ usedAt: now, updatedAt: sql`now()` })
        .where(and(eq(emailTokens.tokenHash, tokenHash), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
        .returning();
      // A token of another purpose is spent too: presenting it at the wrong door is not a mistake to retry.
      return row !== undefined && purposes.includes(row.purpose) ? row : undefined;
    },
    /** Older links of the same purpose stop working when a new one is sent (e.g. a second reset mail). */
    async retireForAccount(accountId: string, purpose: EmailTokenPurpose, now: Date): Promise<void> {
      await db
        .update(emailTokens)
        .set({ usedAt: now, updatedAt: sql`now()` })
        .where(and(eq(emailTokens.accountId, accountId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
    },
  };
}
