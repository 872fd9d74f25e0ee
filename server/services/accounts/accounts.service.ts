import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import {
  createAccountsRepository,
  type AccountRow,
  type WorkspaceRow,
} from '../../db/repositories/accounts.repository.ts';
import { createRateLimiter } from '../rate-limit/rate-limiter.ts';
import {
  createEmailTakenError,
  createInvalidCredentialsError,
  createLoginRateLimitedError,
  createPasswordlessAccountError,
  createWeakPasswordError,
} from './accounts.errors.ts';
import type { ResolvedSession } from './session.service.ts';
import { createDecoyHash, MIN_PASSWORD_LENGTH, type PasswordHasher } from './password.ts';

const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const LOGIN_LIMIT_PER_EMAIL = 10;
const LOGIN_LIMIT_PER_ADDRESS = 50;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Sign-up and password sign-in. Sessions are made by the caller (routes) from the account returned. */
export function createAccountsService(deps: { db: Db; hasher: PasswordHasher; clock: Clock }) {
  const limiter = createRateLimiter({ db: deps.db, clock: deps.clock });
  let decoyHash: Promise<string> | undefined;

  return {
    async signUp(input: {
      email: string;
      password: string;
      name: string;
      workspaceName: string;
    }): Promise<{ account: AccountRow; workspace: WorkspaceRow }> {
      if (input.password.length < MIN_PASSWORD_LENGTH) throw createWeakPasswordError();
      const email = normalizeEmail(input.email);
      const passwordHash = await deps.hasher.hash(input.password);
      return deps.db.transaction(async (tx) => {
        const repository = createAccountsRepository(tx);
        if ((await repository.findAccountByEmail(email)) !== undefined) throw createEmailTakenError();
        const account = await repository.createAccount({ email, name: input.name.trim(), passwordHash });
        const workspace = await repository.createWorkspace(input.workspaceName.trim());
        await repository.addMember(workspace.id, account.id, 'owner');
        return { account, workspace };
      });
    },

    /** Limited per email and per client address, across instances; a success clears the email's count. */
    async signIn(input: { email: string; password: string; clientAddress: string }): Promise<AccountRow> {
      const email = normalizeEmail(input.email);
      for (const [key, limit] of [
        [`login:email:${email}`, LOGIN_LIMIT_PER_EMAIL],
        [`login:address:${input.clientAddress}`, LOGIN_LIMIT_PER_ADDRESS],
      ] as const) {
        const decision = await limiter.hit(key, { limit, windowMs: LOGIN_WINDOW_MS });
        if (!decision.allowed) {
          throw createLoginRateLimitedError({
            headers: {
              'retry-after': String(Math.ceil((decision.resetAt.getTime() - deps.clock.now().getTime()) / 1000)),
            },
          });
        }
      }
      const account = await createAccountsRepository(deps.db).findAccountByEmail(email);
      if (account?.passwordHash == null) {
        // Same work as a real check, so response times do not reveal which emails exist.
        await deps.hasher.verify(input.password, await (decoyHash ??= createDecoyHash(deps.hasher)));
        if (account !== undefined) throw createPasswordlessAccountError();
        throw createInvalidCredentialsError();
      }
      if (!(await deps.hasher.verify(input.password, account.passwordHash))) throw createInvalidCredentialsError();
      await limiter.reset(`login:email:${email}`);
      return account;
    },

    async setPassword(accountId: string, password: string): Promise<void> {
      if (password.length < MIN_PASSWORD_LENGTH) throw createWeakPasswordError();
      await createAccountsRepository(deps.db).updateAccount(accountId, {
        passwordHash: await deps.hasher.hash(password),
      });
    },
    /** The dashboard's "who am I": the account, its current workspace, and every workspace it belongs to. */
    async describeSession(session: ResolvedSession) {
      return {
        account: {
          id: session.account.id,
          email: session.account.email,
          name: session.account.name,
          hasPassword: session.account.passwordHash !== null,
        },
        workspace:
          session.member === undefined
            ? null
            : { id: session.member.workspaceId, role: session.member.role, memberId: session.member.id },
        memberships: await createAccountsRepository(deps.db).listMemberships(session.account.id),
        csrfToken: session.csrfToken,
      };
    },
    async isMember(workspaceId: string, accountId: string): Promise<boolean> {
      return (await createAccountsRepository(deps.db).findMember(workspaceId, accountId)) !== undefined;
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
