import { and, eq } from 'drizzle-orm';
import { createAccountsRepository } from '../../../server/db/repositories/accounts.repository.ts';
import { accounts, companies, connections, members, sessions } from '../../../server/db/schema/index.ts';
import { createPasswordHasher } from '../../../server/services/accounts/password.ts';
import { createBrowser, stateFromRedirect, type Browser } from '../../helpers/browser-session.ts';
import { latestMailTo, linkToken, signUpConfirmed, TEST_PASSWORD } from '../../helpers/mail-outbox.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { confirmPendingInstall } from '../../helpers/pending-install.ts';
import { startSandboxedTestApp, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** Attacks on the flows that bind a Pipedrive identity to a Parley account (issue 7, findings 1, 2, 10, 12). */
describe('identity: parked installs, verified emails, passwords', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let closeAll: () => Promise<void>;

  beforeEach(async () => {
    ({ pd, testApp, close: closeAll } = await startSandboxedTestApp());
  });

  afterEach(async () => {
    await closeAll();
  });

  const db = () => testApp.database.db;

  /** An install of `user`'s company from the Marketplace, parked because a verified account has their email. */
  async function parkInstall(browser: Browser, user: PipedriveUser): Promise<string> {
    const callback = await browser.get(`/oauth/callback?code=${pd.authorize(user)}`);
    const location = new URL(String(callback.headers.location), 'http://localhost:3000');
    expect(location.pathname).toBe('/login');
    return location.searchParams.get('resume') ?? '';
  }

  async function signIn(browser: Browser, email: string, password = TEST_PASSWORD) {
    const response = await browser.post('/api/auth/login', { email, password });
    await browser.refreshCsrf();
    return response;
  }

  /** An account as sign-up made them before verification existed: unverified, with a password and a session. */
  async function legacyUnverifiedAccount(email: string) {
    const hasher = createPasswordHasher({ logN: 10 });
    const repository = createAccountsRepository(db());
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

  const connectedCompanies = () => db().select().from(companies);

  describe('finding 1: parked installs', () => {
    it('finding 1: an attacker parks an install of their company and sends the link; the signed-in victim opening it connects nothing', async () => {
      const { gina } = pd.users;
      // The attacker: a Parley account with their own (verified) email, then an install of their company.
      const attacker = await signUpConfirmed(testApp, { email: gina.email, workspaceName: 'Attacker' });
      await attacker.post('/api/auth/logout');
      const pendingId = await parkInstall(attacker, gina);

      const victim = await signUpConfirmed(testApp, { email: 'victim@victim.test', workspaceName: 'Victim Inc' });
      // The link, opened (a GET, as from another site's link, carrying the SameSite=Lax cookie).
      const opened = await victim.get(`/oauth/resume/${pendingId}`);
      expect(opened.statusCode).toBe(403);
      expect(opened.body).not.toContain('name="csrf"');
      // Even a POST with the victim's own CSRF token (which a cross-site page cannot read) is refused.
      const csrf = (await victim.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
      expect((await confirmPendingInstall(victim, pendingId, { csrf })).statusCode).toBe(403);
      expect(await connectedCompanies()).toEqual([]);
      expect(await db().select().from(connections)).toEqual([]);
      // The attacker's own browser can still finish their own install, into their own workspace.
      await signIn(attacker, gina.email);
      expect((await confirmPendingInstall(attacker, pendingId)).headers.location).toBe('/onboarding');
      const [company] = await connectedCompanies();
      const victimWorkspace = (await victim.get('/api/session')).json<{ workspace: { id: string } }>().workspace.id;
      expect(company?.workspaceId).not.toBe(victimWorkspace);
    });

    it('finding 1: a GET never completes it, and the POST needs the CSRF token and Parley’s origin', async () => {
      const { ada } = pd.users;
      const browser = await signUpConfirmed(testApp, { email: ada.email });
      await browser.post('/api/auth/logout');
      const pendingId = await parkInstall(browser, ada);
      await signIn(browser, ada.email);
      for (let i = 0; i < 3; i += 1) expect((await browser.get(`/oauth/resume/${pendingId}`)).statusCode).toBe(200);
      expect(await connectedCompanies()).toEqual([]);

      expect((await confirmPendingInstall(browser, pendingId, { csrf: 'forged' })).statusCode).toBe(403);
      const crossSite = await browser.request({
        method: 'POST',
        url: `/oauth/resume/${pendingId}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        payload: 'csrf=x&decision=confirm',
      });
      expect(crossSite.statusCode).toBe(403);
      expect(await connectedCompanies()).toEqual([]);
      expect((await confirmPendingInstall(browser, pendingId)).headers.location).toBe('/onboarding');
    });

    it('finding 1: the right account in another browser cannot finish it', async () => {
      const { ada } = pd.users;
      const first = await signUpConfirmed(testApp, { email: ada.email });
      await first.post('/api/auth/logout');
      const pendingId = await parkInstall(first, ada);
      const other = createBrowser(testApp.app);
      expect((await signIn(other, ada.email)).statusCode).toBe(200);
      const page = await other.get(`/oauth/resume/${pendingId}`);
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('started in another browser');
      const csrf = (await other.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
      expect((await confirmPendingInstall(other, pendingId, { csrf })).statusCode).toBe(403);
      expect(await connectedCompanies()).toEqual([]);
    });

    it('finding 1: another account signed in in the same browser cannot finish it', async () => {
      const { ada } = pd.users;
      const browser = await signUpConfirmed(testApp, { email: ada.email });
      await signUpConfirmed(testApp, { email: 'colleague@acme.test' });
      await browser.post('/api/auth/logout');
      const pendingId = await parkInstall(browser, ada);
      await signIn(browser, 'colleague@acme.test');
      const page = await browser.get(`/oauth/resume/${pendingId}`);
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain(`This installation is for ${ada.email}`);
      const csrf = (await browser.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
      expect((await confirmPendingInstall(browser, pendingId, { csrf })).statusCode).toBe(403);
      expect(await connectedCompanies()).toEqual([]);
    });

    it('finding 1: an account whose email is not verified cannot finish it', async () => {
      const { ada } = pd.users;
      const browser = await signUpConfirmed(testApp, { email: ada.email });
      await browser.post('/api/auth/logout');
      const pendingId = await parkInstall(browser, ada);
      await signIn(browser, ada.email);
      await db().update(accounts).set({ emailVerified: false }).where(eq(accounts.email, ada.email));
      const page = await browser.get(`/oauth/resume/${pendingId}`);
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain('Verify your email first');
      expect(await connectedCompanies()).toEqual([]);
    });

    it('cancel on the confirmation page connects nothing and gives the grant back to Pipedrive', async () => {
      const { ada } = pd.users;
      const browser = await signUpConfirmed(testApp, { email: ada.email });
      await browser.post('/api/auth/logout');
      const pendingId = await parkInstall(browser, ada);
      await signIn(browser, ada.email);
      const cancelled = await confirmPendingInstall(browser, pendingId, { decision: 'cancel' });
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.body).toContain('Installation cancelled');
      expect(await connectedCompanies()).toEqual([]);
      const revokes = await testApp.database.pool.query(
        "select 1 from pgboss.job where name = 'pipedrive.revoke-grant'",
      );
      expect(revokes.rows).toHaveLength(1);
    });
  });

  describe('finding 2: verified emails', () => {
    /** Sam consents from the panel's popup (no Parley session), then the admin approves the join request. */
    async function samConsentsAndIsApproved(admin: Browser): Promise<void> {
      const token = await signPanelToken({ companyId: pd.users.sam.companyId, userId: pd.users.sam.userId });
      const ticket = new URL(
        (await testApp.app.inject({ method: 'POST', url: '/api/panel/connect-ticket', headers: bearer(token) })).json<{
          url: string;
        }>().url,
      );
      const popup = createBrowser(testApp.app);
      const start = await popup.get(`${ticket.pathname}${ticket.search}`);
      const consent = await popup.get(
        `/oauth/callback?code=${pd.authorize(pd.users.sam)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
      );
      expect(consent.body).toContain('An admin must approve you');
      const team = (await admin.get('/api/team')).json<{ joinRequests: { id: string; email: string }[] }>();
      expect(team.joinRequests.map((r) => r.email)).toEqual([pd.users.sam.email]);
      expect((await admin.post(`/api/team/join-requests/${team.joinRequests[0]?.id ?? ''}/approve`)).statusCode).toBe(
        200,
      );
    }

    async function installAsAda(): Promise<Browser> {
      const admin = createBrowser(testApp.app);
      expect((await admin.get(`/oauth/callback?code=${pd.authorize(pd.users.ada)}`)).headers.location).toBe(
        '/onboarding?new=1',
      );
      await admin.refreshCsrf();
      return admin;
    }

    /** Sam's "Sign in with Pipedrive": the account their Pipedrive identity opens. */
    async function samSignsInWithPipedrive(): Promise<{ email: string; id: string }> {
      const browser = createBrowser(testApp.app);
      const start = await browser.get('/oauth/install?purpose=sign_in');
      const callback = await browser.get(
        `/oauth/callback?code=${pd.authorize(pd.users.sam)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
      );
      expect(callback.statusCode).toBe(302);
      return (await browser.get('/api/session')).json<{ account: { email: string; id: string } }>().account;
    }

    const samsConnection = async () =>
      (
        await db()
          .select()
          .from(connections)
          .where(
            and(
              eq(connections.companyId, pd.users.sam.companyId),
              eq(connections.pipedriveUserId, pd.users.sam.userId),
            ),
          )
      )[0];

    it("finding 2: an attacker signs up with a colleague's email; the colleague's consent and its approval never reach the attacker", async () => {
      const admin = await installAsAda();
      const attacker = createBrowser(testApp.app);
      const signup = await attacker.post('/api/auth/signup', {
        email: pd.users.sam.email,
        password: 'the attackers password',
        name: 'Sam (not really)',
        workspaceName: 'Trap',
      });
      expect(signup.statusCode).toBe(202);
      // No account exists until the link mailed to Sam is used, and the attacker cannot read it.
      expect(await db().select().from(accounts).where(eq(accounts.email, pd.users.sam.email))).toEqual([]);
      expect((await signIn(attacker, pd.users.sam.email, 'the attackers password')).statusCode).toBe(401);

      await samConsentsAndIsApproved(admin);
      const connection = await samsConnection();
      expect(connection).toMatchObject({ state: 'active', isPersonalConnection: true });
      const [member] = await db()
        .select()
        .from(members)
        .where(eq(members.id, connection?.memberId ?? ''));
      const [account] = await db()
        .select()
        .from(accounts)
        .where(eq(accounts.id, member?.accountId ?? ''));
      expect(account).toMatchObject({ email: pd.users.sam.email, emailVerified: true, passwordHash: null });

      expect((await signIn(attacker, pd.users.sam.email, 'the attackers password')).statusCode).toBe(401);
      expect(await samSignsInWithPipedrive()).toMatchObject({ id: account?.id, email: pd.users.sam.email });
      // The attacker's unused confirmation link lands in Sam's mailbox; used by Sam, it makes no second account.
      const late = linkToken(await latestMailTo(testApp, pd.users.sam.email, 'Confirm your email'));
      expect((await createBrowser(testApp.app).post('/api/auth/verify-email', { token: late })).json()).toMatchObject({
        error: { code: 'accounts.email_taken' },
      });
      expect((await signIn(attacker, pd.users.sam.email, 'the attackers password')).statusCode).toBe(401);
    });

    it('finding 2: an unverified account made before verification existed is taken over, never handed the grant as it is', async () => {
      const admin = await installAsAda();
      const premade = await legacyUnverifiedAccount(pd.users.sam.email);
      expect((await premade.sessionOf()).statusCode).toBe(200);

      await samConsentsAndIsApproved(admin);
      const connection = await samsConnection();
      const [member] = await db()
        .select()
        .from(members)
        .where(eq(members.id, connection?.memberId ?? ''));
      expect(member?.accountId).toBe(premade.account.id);
      // Its maker lost every way in: the session, the password, and their workspace.
      expect((await premade.sessionOf()).statusCode).toBe(401);
      expect(await db().select().from(sessions).where(eq(sessions.accountId, premade.account.id))).toEqual([]);
      expect((await signIn(createBrowser(testApp.app), pd.users.sam.email, 'the makers password')).statusCode).toBe(
        401,
      );
      const memberships = await db().select().from(members).where(eq(members.accountId, premade.account.id));
      expect(memberships.map((m) => m.workspaceId)).not.toContain(premade.workspace.id);
      expect(await samSignsInWithPipedrive()).toMatchObject({ id: premade.account.id });
    });

    it('finding 2: Sign in with Pipedrive (a Marketplace install) takes over an unverified account with the admin’s email', async () => {
      const premade = await legacyUnverifiedAccount(pd.users.ada.email);
      const admin = await installAsAda();
      expect((await admin.get('/api/session')).json()).toMatchObject({
        account: { id: premade.account.id, emailVerified: true, hasPassword: false },
      });
      expect((await premade.sessionOf()).statusCode).toBe(401);
      const workspaces = (await admin.get('/api/session')).json<{ memberships: { workspaceId: string }[] }>()
        .memberships;
      expect(workspaces.map((w) => w.workspaceId)).not.toContain(premade.workspace.id);
    });

    it('finding 2: an unverified account can neither accept an invitation for its email nor ask to join', async () => {
      const owner = await signUpConfirmed(testApp, { email: 'owner@example.com' });
      const invitation = await owner.post('/api/team/invitations', { email: 'member@example.com', role: 'member' });
      const token = new URL(invitation.json<{ link: string }>().link).pathname.split('/').at(-1) ?? '';
      const workspaceId = (await owner.get('/api/session')).json<{ workspace: { id: string } }>().workspace.id;
      await legacyUnverifiedAccount('member@example.com');
      const premade = createBrowser(testApp.app);
      expect((await signIn(premade, 'member@example.com', 'the makers password')).statusCode).toBe(200);
      expect((await premade.post(`/api/invitations/${token}/accept`)).json()).toMatchObject({
        error: { code: 'accounts.email_unverified' },
      });
      expect((await premade.post(`/api/team/join/${workspaceId}`)).json()).toMatchObject({
        error: { code: 'accounts.email_unverified' },
      });
      // Verifying by the mailed link makes the email count.
      expect((await premade.post('/api/account/verify-email')).statusCode).toBe(202);
      const verify = linkToken(await latestMailTo(testApp, 'member@example.com', 'Verify your email'));
      expect((await premade.post('/api/auth/verify-email', { token: verify })).json()).toEqual({ kind: 'verified' });
      expect((await premade.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
    });
  });

  describe('sign-up, passwords and email changes', () => {
    it('sign-up makes the account only when the mailed link is used, once, before it expires', async () => {
      const browser = createBrowser(testApp.app);
      const signup = await browser.post('/api/auth/signup', {
        email: 'New@Example.com',
        password: TEST_PASSWORD,
        name: 'New',
        workspaceName: 'New team',
      });
      expect(signup.statusCode).toBe(202);
      expect(browser.cookie('parley_session')).toBeUndefined();
      expect((await signIn(browser, 'new@example.com')).statusCode).toBe(401);
      const mail = await latestMailTo(testApp, 'new@example.com', 'Confirm your email');
      expect(mail.text).toContain('http://localhost:3000/verify-email#token=');
      const token = linkToken(mail);
      // Only the hash is stored.
      const stored = await testApp.database.pool.query<{ token_hash: string }>('select token_hash from email_tokens');
      expect(JSON.stringify(stored.rows)).not.toContain(token);
      expect((await browser.post('/api/auth/verify-email', { token })).json()).toEqual({ kind: 'signed_up' });
      expect((await browser.post('/api/auth/verify-email', { token })).statusCode).toBe(410);
      expect((await signIn(browser, 'new@example.com')).statusCode).toBe(200);
      expect((await browser.get('/api/session')).json()).toMatchObject({
        account: { email: 'new@example.com', emailVerified: true },
        workspace: { role: 'owner' },
      });

      await createBrowser(testApp.app).post('/api/auth/signup', {
        email: 'late@example.com',
        password: TEST_PASSWORD,
        name: 'Late',
        workspaceName: 'Late',
      });
      const lateToken = linkToken(await latestMailTo(testApp, 'late@example.com', 'Confirm your email'));
      await testApp.database.pool.query("update email_tokens set expires_at = now() - interval '1 second'");
      expect((await createBrowser(testApp.app).post('/api/auth/verify-email', { token: lateToken })).statusCode).toBe(
        410,
      );
    });

    it('finding 12: sign-up answers the same for a taken email, and the owner is told by mail', async () => {
      await signUpConfirmed(testApp, { email: 'owner@example.com' });
      const attempt = (email: string) =>
        createBrowser(testApp.app).post('/api/auth/signup', {
          email,
          password: 'another long password',
          name: 'Someone',
          workspaceName: 'Other',
        });
      const taken = await attempt('owner@example.com');
      const fresh = await attempt('fresh@example.com');
      expect(taken.statusCode).toBe(fresh.statusCode);
      expect(taken.json()).toEqual(fresh.json());
      const notice = await latestMailTo(testApp, 'owner@example.com');
      expect(notice.subject).toContain('Someone tried to use your email');
      expect(notice.text).toContain('http://localhost:3000/forgot-password');
      expect((await signIn(createBrowser(testApp.app), 'owner@example.com', 'another long password')).statusCode).toBe(
        401,
      );
    });

    it('finding 10: changing the password needs the current one and signs out every other session', async () => {
      const here = await signUpConfirmed(testApp, { email: 'owner@example.com' });
      const elsewhere = createBrowser(testApp.app);
      expect((await signIn(elsewhere, 'owner@example.com')).statusCode).toBe(200);

      const withoutCurrent = await here.post('/api/auth/password', { password: 'a brand new password' });
      expect(withoutCurrent.json()).toMatchObject({ error: { code: 'accounts.wrong_password' } });
      const wrongCurrent = await here.post('/api/auth/password', {
        currentPassword: 'not my password',
        password: 'a brand new password',
      });
      expect(wrongCurrent.statusCode).toBe(403);
      expect((await elsewhere.get('/api/session')).statusCode).toBe(200);

      const changed = await here.post('/api/auth/password', {
        currentPassword: TEST_PASSWORD,
        password: 'a brand new password',
      });
      expect(changed.statusCode).toBe(200);
      expect((await here.get('/api/session')).statusCode).toBe(200);
      expect((await elsewhere.get('/api/session')).statusCode).toBe(401);
      expect((await signIn(createBrowser(testApp.app), 'owner@example.com', 'a brand new password')).statusCode).toBe(
        200,
      );
      expect((await latestMailTo(testApp, 'owner@example.com')).subject).toBe('Your Parley password was changed');
    });

    it('password reset by mail: same answer for unknown emails, single use, expires, ends every session', async () => {
      const here = await signUpConfirmed(testApp, { email: 'owner@example.com' });
      const anonymous = createBrowser(testApp.app);
      const known = await anonymous.post('/api/auth/password-reset', { email: 'owner@example.com' });
      const unknown = await anonymous.post('/api/auth/password-reset', { email: 'nobody@example.com' });
      expect(known.statusCode).toBe(202);
      expect(unknown.json()).toEqual(known.json());
      await expect(latestMailTo(testApp, 'nobody@example.com')).rejects.toThrow('no mail');
      const token = linkToken(await latestMailTo(testApp, 'owner@example.com', 'Reset your Parley password'));

      const short = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'short' });
      expect(short.json()).toMatchObject({ error: { code: 'accounts.weak_password' } });
      const reset = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'my reset password' });
      expect(reset.statusCode).toBe(200);
      expect((await here.get('/api/session')).statusCode).toBe(401);
      expect(
        (await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'again and again' })).statusCode,
      ).toBe(410);
      expect((await signIn(createBrowser(testApp.app), 'owner@example.com', 'my reset password')).statusCode).toBe(200);

      await anonymous.post('/api/auth/password-reset', { email: 'owner@example.com' });
      const stale = linkToken(await latestMailTo(testApp, 'owner@example.com', 'Reset your Parley password'));
      await testApp.database.pool.query("update email_tokens set expires_at = now() - interval '1 second'");
      expect(
        (await anonymous.post('/api/auth/password-reset/confirm', { token: stale, password: 'too late now' }))
          .statusCode,
      ).toBe(410);
    });

    it('email change: takes effect only once the new address is confirmed, and the old one is told', async () => {
      const browser = await signUpConfirmed(testApp, { email: 'old@example.com' });
      expect(
        (
          await browser.post('/api/account/email', { newEmail: 'new@example.com', currentPassword: 'wrong one!' })
        ).json(),
      ).toMatchObject({ error: { code: 'accounts.wrong_password' } });
      const requested = await browser.post('/api/account/email', {
        newEmail: 'New@Example.com',
        currentPassword: TEST_PASSWORD,
      });
      expect(requested.statusCode).toBe(202);
      expect((await browser.get('/api/session')).json()).toMatchObject({ account: { email: 'old@example.com' } });
      expect((await latestMailTo(testApp, 'old@example.com')).text).toContain('new@example.com');

      const token = linkToken(await latestMailTo(testApp, 'new@example.com', 'Confirm your new email'));
      expect((await browser.post('/api/auth/verify-email', { token })).json()).toEqual({ kind: 'email_changed' });
      expect((await browser.get('/api/session')).json()).toMatchObject({
        account: { email: 'new@example.com', emailVerified: true },
      });
      expect((await latestMailTo(testApp, 'old@example.com')).subject).toBe('Your Parley email was changed');
      expect((await signIn(createBrowser(testApp.app), 'new@example.com')).statusCode).toBe(200);

      // A taken address: the same answer, and its owner is told instead.
      await signUpConfirmed(testApp, { email: 'taken@example.com' });
      const taken = await browser.post('/api/account/email', {
        newEmail: 'taken@example.com',
        currentPassword: TEST_PASSWORD,
      });
      expect(taken.json()).toEqual(requested.json());
      expect((await latestMailTo(testApp, 'taken@example.com')).subject).toContain('Someone tried to use your email');
    });
  });
});
