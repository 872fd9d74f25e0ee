import type { Tx } from '../../db/client.ts';
import { createAccountsRepository, type AccountRow } from '../../db/repositories/accounts.repository.ts';

/**
 * An account's email counts (for invitations, join requests, parked installs, Sign in with
 * Pipedrive) only once someone proved they read it: a mailed link, or a Pipedrive identity with that
 * email. Sign-ups create no account before their link is used, so an unverified account is one
 * made before verification existed, or by someone who never proved the address.
 *
 * When the address is then proven, the account is taken over by whoever proved it: whoever made it
 * never did, so its password, sessions and memberships go (a pre-made account must not hand its
 * maker a way in, nor put its new owner in the maker's workspace). A verified account is returned
 * as it is.
 */
export async function claimAccountForProvenEmail(tx: Tx, account: AccountRow): Promise<AccountRow> {
  if (account.emailVerified) return account;
  const accounts = createAccountsRepository(tx);
  await accounts.deleteSessionsOfAccount(account.id);
  await accounts.deleteMembershipsOfAccount(account.id);
  await accounts.updateAccount(account.id, { passwordHash: null, emailVerified: true });
  return { ...account, passwordHash: null, emailVerified: true };
}
