import { createAccountsRepository } from '../../server/db/repositories/accounts.repository.ts';
import { createPasswordHasher } from '../../server/services/accounts/password.ts';
import type { Browser } from './browser-session.ts';
import { TEST_PASSWORD } from './mail-outbox.ts';
import type { TestApp } from './test-app.ts';

/** Signs `browser` in with a password and learns the session's CSRF token. Returns the sign-in response. */
export async function signInAs(browser: Browser, email: string, password = TEST_PASSWORD) {
  const response = await browser.post('/api/auth/login', { email, password });
  await browser.refreshCsrf();
  return response;
}

/**
 * An account as sign-up made them before verification existed (or as an attacker could then):
 * unverified, with a password ("the makers password"), a workspace of its own and a live session.
 */
export async function legacyUnverifiedAccount(testApp: TestApp, email: string) {
  const hasher = createPasswordHasher({ logN: 10 });
  const repository = createAccountsRepository(testApp.database.db);
  const account = await repository.createAccount({
    email,
    name: 'Not really them',
    passwordHash: await hasher.hash('the makers password'),
    emailVerified: false,
  });
  const workspace = await repository.createWorkspace('Maker’s workspace');
  await repository.addMember(workspace.id, account.id, 'owner');
  const { token } = await testApp.domain.sessions.create(account.id, workspace.id);
  const sessionOf = () =>
    testApp.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: `parley_session=${token}` } });
  return { account, workspace, sessionOf };
}
