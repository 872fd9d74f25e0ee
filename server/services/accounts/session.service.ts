import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { DbOrTx } from '../../db/client.ts';
import {
  createAccountsRepository,
  type AccountRow,
  type MemberRow,
} from '../../db/repositories/accounts.repository.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';

const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

export interface ResolvedSession {
  tokenHash: string;
  account: AccountRow;
  /** The workspace the session is working in, with the account's membership there. */
  member: MemberRow | undefined;
  csrfToken: string;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Dashboard sessions in PostgreSQL: the browser holds a random token (HttpOnly cookie), the
 * database only its hash. A CSRF token derived from the session guards every state change.
 */
export function createSessionService(deps: { db: DbOrTx; sessionSecret: string; clock: Clock }) {
  const repository = createAccountsRepository(deps.db);
  const csrfFor = (tokenHash: string) =>
    createHmac('sha256', deps.sessionSecret).update(`csrf:${tokenHash}`).digest('base64url');

  return {
    async create(accountId: string, workspaceId: string | null): Promise<{ token: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
      await repository.createSession({
        tokenHash: hashToken(token),
        accountId,
        workspaceId,
        expiresAt,
        lastSeenAt: now,
      });
      return { token, expiresAt };
    },

    async resolve(token: string | undefined): Promise<ResolvedSession | undefined> {
      if (token === undefined || token.length > 200) return undefined;
      const tokenHash = hashToken(token);
      const session = await repository.findSession(tokenHash);
      const now = deps.clock.now();
      if (session === undefined) return undefined;
      if (session.expiresAt <= now) {
        await repository.deleteSession(tokenHash);
        return undefined;
      }
      const account = await repository.findAccount(session.accountId);
      if (account === undefined) return undefined;
      let workspaceId = session.workspaceId;
      let member = workspaceId === null ? undefined : await repository.findMember(workspaceId, account.id);
      if (member === undefined) {
        // Removed from that workspace (or none chosen yet): fall back to the first membership.
        const [first] = await repository.listMemberships(account.id);
        workspaceId = first?.workspaceId ?? null;
        member = first === undefined ? undefined : await repository.findMemberById(first.memberId);
      }
      if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS || workspaceId !== session.workspaceId) {
        await repository.touchSession(tokenHash, {
          lastSeenAt: now,
          expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
          workspaceId,
        });
      }
      return { tokenHash, account, member, csrfToken: csrfFor(tokenHash) };
    },

    isValidCsrf(session: ResolvedSession, presented: string | undefined): boolean {
      return presented !== undefined && constantTimeEqual(presented, session.csrfToken);
    },

    async switchWorkspace(tokenHash: string, workspaceId: string): Promise<void> {
      await repository.touchSession(tokenHash, { workspaceId });
    },

    async destroy(token: string | undefined): Promise<void> {
      if (token !== undefined) await repository.deleteSession(hashToken(token));
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
