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
  createPasswordlessAccountError,
  createWeakPasswordError,
} from './accounts.errors.ts';
import { createSignInLockout } from './sign-in-lockout.ts';
import { createDecoyHash, MIN_PASSWORD_LENGTH, type PasswordHasher } from './password.ts';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Sign-up and password sign-in. Sessions are made by the caller (routes) from the account returned. */
export function createAccountsService(deps: { db: Db; hasher: PasswordHasher; clock: Clock }) {
  const lockout = createSignInLockout({
    limiter: createRateLimiter({ db: deps.db, clock: deps.clock }),
    clock: deps.clock,
  });
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
      // Cheap checks before the deliberately expensive hash (issue 7, finding 6); the check inside
      // the transaction below still decides races.
      if ((await createAccountsRepository(deps.db).findAccountByEmail(email)) !== undefined)
        throw createEmailTakenError();
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

    /** Failures back off per (email, address) pair (see sign-in-lockout.ts); a success clears the pair. */
    async signIn(input: { email: string; password: string; clientAddress: string }): Promise<AccountRow> {
      const email = normalizeEmail(input.email);
      await lockout.assertMayTry(email, input.clientAddress);
      const account = await createAccountsRepository(deps.db).findAccountByEmail(email);
      if (account?.passwordHash == null) {
        // Same work as a real check, so response times do not reveal which emails exist.
        await deps.hasher.verify(input.password, await (decoyHash ??= createDecoyHash(deps.hasher)));
        await lockout.recordFailure(email, input.clientAddress);
        if (account !== undefined) throw createPasswordlessAccountError();
        throw createInvalidCredentialsError();
      }
      if (!(await deps.hasher.verify(input.password, account.passwordHash))) {
        await lockout.recordFailure(email, input.clientAddress);
        throw createInvalidCredentialsError();
      }
      await lockout.clear(email, input.clientAddress);
      return account;
    },

    async setPassword(accountId: string, password: string): Promise<void> {
      if (password.length < MIN_PASSWORD_LENGTH) throw createWeakPasswordError();
      await createAccountsRepository(deps.db).updateAccount(accountId, {
        passwordHash: await deps.hasher.hash(password),
      });
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
