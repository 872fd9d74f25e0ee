import { and, eq } from 'drizzle-orm';
import { accounts, connections, members, sessions } from '../../../server/db/schema/index.ts';
import { legacyUnverifiedAccount, signInAs } from '../../helpers/accounts.ts';
import { createBrowser, stateFromRedirect, type Browser } from '../../helpers/browser-session.ts';
import { latestMailTo, linkToken, signUpConfirmed } from '../../helpers/mail-outbox.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startSandboxedTestApp, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** Issue 7, finding 2: an account's email counts only once verified; grants bind to the Pipedrive identity that asked. */
describe('finding 2: verified emails', () => {
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
  const signIn = (browser: Browser, email: string, password?: string) => signInAs(browser, email, password);

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
    expect(consent.body).toContain('Waiting for an admin to approve you');
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
          and(eq(connections.companyId, pd.users.sam.companyId), eq(connections.pipedriveUserId, pd.users.sam.userId)),
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
    const premade = await legacyUnverifiedAccount(testApp, pd.users.sam.email);
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
    expect((await signIn(createBrowser(testApp.app), pd.users.sam.email, 'the makers password')).statusCode).toBe(401);
    const memberships = await db().select().from(members).where(eq(members.accountId, premade.account.id));
    expect(memberships.map((m) => m.workspaceId)).not.toContain(premade.workspace.id);
    expect(await samSignsInWithPipedrive()).toMatchObject({ id: premade.account.id });
  });

  it('finding 2: Sign in with Pipedrive (a Marketplace install) takes over an unverified account with the admin’s email', async () => {
    const premade = await legacyUnverifiedAccount(testApp, pd.users.ada.email);
    const admin = await installAsAda();
    expect((await admin.get('/api/session')).json()).toMatchObject({
      account: { id: premade.account.id, emailVerified: true, hasPassword: false },
    });
    expect((await premade.sessionOf()).statusCode).toBe(401);
    const workspaces = (await admin.get('/api/session')).json<{ memberships: { workspaceId: string }[] }>().memberships;
    expect(workspaces.map((w) => w.workspaceId)).not.toContain(premade.workspace.id);
  });

  it('finding 2: an unverified account can neither accept an invitation for its email nor ask to join', async () => {
    const owner = await signUpConfirmed(testApp, { email: 'owner@example.com' });
    const invitation = await owner.post('/api/team/invitations', { email: 'member@example.com', role: 'member' });
    const token = new URL(invitation.json<{ link: string }>().link).pathname.split('/').at(-1) ?? '';
    const workspaceId = (await owner.get('/api/session')).json<{ workspace: { id: string } }>().workspace.id;
    await legacyUnverifiedAccount(testApp, 'member@example.com');
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
