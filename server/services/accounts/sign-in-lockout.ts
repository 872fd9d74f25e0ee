import type { Clock } from '../../clock.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { createLoginRateLimitedError } from './accounts.errors.ts';

/** Failed attempts a (email, address) pair gets before it has to wait. */
const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30 * 1000;
const LONGEST_WAIT_MS = 60 * 60 * 1000;
/** A pair's failures are forgotten a day after the latest one (or at once after a success). */
const MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * Password guessing protection that strangers cannot turn against the account's owner (issue 7,
 * finding 11). A counter per email locked the owner out whenever anyone typed wrong passwords for
 * their email. Here:
 *
 * - Failures are counted per (email, client address) pair, and only failures: a stranger's
 *   guesses slow the stranger's pair down, never the owner's.
 * - After five failures the pair waits before its next attempt: 30 s, then doubling per further
 *   failure, at most an hour. A waiting pair is refused before the password is checked (no
 *   hashing work, and no oracle); a success clears the pair.
 * - Volume from one address is capped separately at the edge (`@fastify/rate-limit`, per address,
 *   every attempt), which bounds a guesser spreading over many emails, and the scrypt cost bounds
 *   a guesser spreading over many addresses. No limit depends on the email alone, so no amount of
 *   foreign traffic makes the correct password fail from the owner's own address; an owner behind
 *   the same address as the attacker still has password reset by email.
 */
export function createSignInLockout(deps: { limiter: RateLimiter; clock: Clock }) {
  const keyOf = (email: string, address: string) => `login:pair:${email}|${address}`;
  const waitAfter = (failures: number) =>
    failures < FREE_FAILURES ? 0 : Math.min(FIRST_WAIT_MS * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT_MS);

  return {
    /** Throws 429 (with Retry-After) while the pair must wait. */
    async assertMayTry(email: string, address: string): Promise<void> {
      const record = await deps.limiter.strikes(keyOf(email, address), { memoryMs: MEMORY_MS });
      if (record === undefined) return;
      const retryAt = record.lastAt.getTime() + waitAfter(record.count);
      const waitMs = retryAt - deps.clock.now().getTime();
      if (waitMs > 0)
        throw createLoginRateLimitedError({
          headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) },
          details: { retryAfterSeconds: Math.ceil(waitMs / 1000) },
        });
    },
    async recordFailure(email: string, address: string): Promise<void> {
      await deps.limiter.strike(keyOf(email, address), { memoryMs: MEMORY_MS });
    },
    async clear(email: string, address: string): Promise<void> {
      await deps.limiter.reset(keyOf(email, address));
    },
    /** After a password reset by email: the owner proved the mailbox, so every address may try again. */
    async clearEmail(email: string): Promise<void> {
      await deps.limiter.resetPrefix(keyOf(email, ''));
    },
  };
}

export type SignInLockout = ReturnType<typeof createSignInLockout>;
