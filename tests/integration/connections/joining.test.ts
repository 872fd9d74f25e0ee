import { and, eq } from 'drizzle-orm';
import type { InviteReply, TeamInfo } from '../../../contracts/dashboard.schemas.ts';
import type { ConnectTicketReply, PanelStatus } from '../../../contracts/panel.schemas.ts';
import {
  accounts,
  auditLog,
  connections,
  invitations,
  joinRequests,
  members,
} from '../../../server/db/schema/index.ts';
import { legacyUnverifiedAccount, signInAs } from '../../helpers/accounts.ts';
import { createBrowser, stateFromRedirect, type Browser } from '../../helpers/browser-session.ts';
import { latestMailTo, linkToken, signUpConfirmed, TEST_PASSWORD } from '../../helpers/mail-outbox.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startSandboxedTestApp, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** Issue 11: one consent from the panel is enough to join, by invitation, by approval, or as a member. */
describe('joining the workspace from a Pipedrive consent', () => {
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

  /** Ada installs from the Marketplace: the organization is connected and she owns the workspace. */
  async function installAsAda(): Promise<Browser> {
    const admin = createBrowser(testApp.app);
    expect((await admin.get(`/oauth/callback?code=${pd.authorize(pd.users.ada)}`)).headers.location).toBe(
      '/onboarding?new=1',
    );
    await admin.refreshCsrf();
    return admin;
  }

  async function invite(admin: Browser, email: string, role: 'member' | 'admin' = 'member'): Promise<string> {
    const created = await admin.post('/api/team/invitations', { email, role });
    expect(created.statusCode).toBe(201);
    return created.json<InviteReply>().link;
  }

  const panelToken = (user: PipedriveUser) => signPanelToken({ companyId: user.companyId, userId: user.userId });

  async function panelStatus(user: PipedriveUser): Promise<PanelStatus> {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/panel/status',
      headers: bearer(await panelToken(user)),
    });
    expect(response.statusCode).toBe(200);
    return response.json<PanelStatus>();
  }

  /**
   * "Connect only for me" in `viewer`'s panel, with `consenting` allowing at Pipedrive (normally the
   * same person), in a fresh popup window with no Parley session. Returns the popup and the callback.
   */
  async function consentFromPanel(viewer: PipedriveUser, consenting: PipedriveUser = viewer) {
    const ticket = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/connect-ticket',
      headers: bearer(await panelToken(viewer)),
    });
    const url = new URL(ticket.json<ConnectTicketReply>().url);
    const popup = createBrowser(testApp.app);
    const start = await popup.get(`${url.pathname}${url.search}`);
    const callback = await popup.get(
      `/oauth/callback?code=${pd.authorize(consenting)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );
    return { popup, callback };
  }

  const connectionOf = async (user: PipedriveUser) =>
    (
      await db()
        .select()
        .from(connections)
        .where(and(eq(connections.companyId, user.companyId), eq(connections.pipedriveUserId, user.userId)))
    )[0];

  const accountOf = async (email: string) => (await db().select().from(accounts).where(eq(accounts.email, email)))[0];

  const pendingRequests = async () => db().select().from(joinRequests).where(eq(joinRequests.status, 'pending'));

  it('a pending invitation for the Pipedrive email is accepted by the consent itself: member, connected, signed in', async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.sam.email, 'admin');

    const { popup, callback } = await consentFromPanel(pd.users.sam);
    expect(callback.statusCode).toBe(200);
    expect(callback.body).toContain('You joined and are connected');
    expect(callback.body).toContain('"outcome":"personal_connected"');
    // The popup stays until its reader closes it (no timer closing it), and offers to.
    expect(callback.body).not.toContain('setTimeout');
    expect(callback.body).toContain('Close this window');

    const account = await accountOf(pd.users.sam.email);
    expect(account).toMatchObject({ emailVerified: true, passwordHash: null });
    const [member] = await db()
      .select()
      .from(members)
      .where(eq(members.accountId, account?.id ?? ''));
    expect(member?.role).toBe('admin');
    expect((await connectionOf(pd.users.sam))?.memberId).toBe(member?.id);
    const [invitation] = await db().select().from(invitations).where(eq(invitations.email, pd.users.sam.email));
    expect(invitation?.status).toBe('accepted');
    expect(await pendingRequests()).toEqual([]);

    expect(await panelStatus(pd.users.sam)).toMatchObject({
      state: 'connected',
      personal: { connected: true, awaitingApprovalSince: null },
    });
    // Sam's new account is reachable through Pipedrive only, and this popup is now signed in to it.
    expect((await popup.get('/api/session')).json()).toMatchObject({ account: { email: pd.users.sam.email } });
  });

  it('without an invitation, retries keep exactly one join request; the panel waits, then approval connects it', async () => {
    const admin = await installAsAda();
    const first = await consentFromPanel(pd.users.sam);
    expect(first.callback.body).toContain('Waiting for an admin to approve you');
    expect(first.callback.body).toContain('"outcome":"join_requested"');
    const second = await consentFromPanel(pd.users.sam);
    expect(second.callback.body).toContain('Waiting for an admin to approve you');

    const requests = await pendingRequests();
    expect(requests).toHaveLength(1);
    const filed = await db().select().from(auditLog).where(eq(auditLog.action, 'join_request.created'));
    expect(filed).toHaveLength(1);

    const waiting = await panelStatus(pd.users.sam);
    expect(waiting).toMatchObject({ state: 'personal_not_connected', personal: { connected: false } });
    expect(waiting.personal.awaitingApprovalSince).toBe(requests[0]?.createdAt.toISOString());
    // Another user of the company has nothing pending.
    expect((await panelStatus(pd.users.rita)).personal.awaitingApprovalSince).toBeNull();

    const team = (await admin.get('/api/team')).json<TeamInfo>();
    expect((await admin.post(`/api/team/join-requests/${team.joinRequests[0]?.id ?? ''}/approve`)).statusCode).toBe(
      200,
    );
    expect(await panelStatus(pd.users.sam)).toMatchObject({
      state: 'connected',
      personal: { connected: true, awaitingApprovalSince: null },
    });
  });

  it('a join request closes when its person joins by invitation, from Pipedrive or from the dashboard', async () => {
    const admin = await installAsAda();
    await consentFromPanel(pd.users.sam);
    await consentFromPanel(pd.users.rita);
    expect((await admin.get('/api/team')).json<TeamInfo>().joinRequests).toHaveLength(2);

    // Sam: invited, and connects again from the panel (that consent accepts the invitation).
    await invite(admin, pd.users.sam.email);
    expect((await consentFromPanel(pd.users.sam)).callback.body).toContain('You joined and are connected');
    // Rita: invited, signs up with a password and accepts in the dashboard.
    const link = await invite(admin, pd.users.rita.email);
    const rita = await signUpConfirmed(testApp, { email: pd.users.rita.email, workspaceName: 'Rita’s' });
    expect(
      (await rita.post(`/api/invitations/${new URL(link).pathname.split('/').at(-1) ?? ''}/accept`)).statusCode,
    ).toBe(200);

    expect((await admin.get('/api/team')).json<TeamInfo>().joinRequests).toEqual([]);
    const closed = await db().select().from(joinRequests);
    expect(closed.map((request) => request.status)).toEqual(['approved', 'approved']);
  });

  it('an earlier consent counts when its person then joins from the dashboard; nobody else’s grant is bound', async () => {
    const admin = await installAsAda();
    await consentFromPanel(pd.users.sam);
    await consentFromPanel(pd.users.rita);
    const link = await invite(admin, pd.users.sam.email);
    const sam = await signUpConfirmed(testApp, { email: pd.users.sam.email, workspaceName: 'Sam’s' });
    const token = new URL(link).pathname.split('/').at(-1) ?? '';
    expect((await sam.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);

    // No second consent: Sam's panel is connected with the grant he gave before joining.
    expect(await panelStatus(pd.users.sam)).toMatchObject({ state: 'connected' });
    const account = await accountOf(pd.users.sam.email);
    const [member] = await db()
      .select()
      .from(members)
      .where(and(eq(members.accountId, account?.id ?? ''), eq(members.role, 'member')));
    expect((await connectionOf(pd.users.sam))?.memberId).toBe(member?.id);
    // Rita still waits, her grant bound to nobody.
    expect((await panelStatus(pd.users.rita)).personal.awaitingApprovalSince).not.toBeNull();
    expect((await connectionOf(pd.users.rita))?.memberId).toBeNull();
  });

  it('a member already in the workspace connects at once, and a request they had left pending closes', async () => {
    const admin = await installAsAda();
    await consentFromPanel(pd.users.sam);
    const team = (await admin.get('/api/team')).json<TeamInfo>();
    await admin.post(`/api/team/join-requests/${team.joinRequests[0]?.id ?? ''}/approve`);
    expect((await consentFromPanel(pd.users.sam)).callback.body).toContain('You are connected');
    expect(await pendingRequests()).toEqual([]);
  });

  it('attacker: a Pipedrive user with another email cannot use an invitation meant for someone else', async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.sam.email);
    // Rita consents in her own panel; so does she in Sam's (the ticket names Sam: refused).
    expect((await consentFromPanel(pd.users.sam, pd.users.rita)).callback.statusCode).toBe(403);
    const ritas = await consentFromPanel(pd.users.rita);
    expect(ritas.callback.body).toContain('Waiting for an admin to approve you');

    const [invitation] = await db().select().from(invitations).where(eq(invitations.email, pd.users.sam.email));
    expect(invitation?.status).toBe('pending');
    expect(await accountOf(pd.users.rita.email)).toBeUndefined();
    expect((await connectionOf(pd.users.rita))?.memberId).toBeNull();
    expect((await ritas.popup.get('/api/session')).statusCode).toBe(401);
  });

  it('attacker: an unverified account pre-made with the invited email is taken over, its maker loses every way in', async () => {
    const admin = await installAsAda();
    const premade = await legacyUnverifiedAccount(testApp, pd.users.sam.email);
    await invite(admin, pd.users.sam.email);

    expect((await consentFromPanel(pd.users.sam)).callback.body).toContain('You joined and are connected');
    expect(await accountOf(pd.users.sam.email)).toMatchObject({
      id: premade.account.id,
      emailVerified: true,
      passwordHash: null,
    });
    expect((await premade.sessionOf()).statusCode).toBe(401);
    const makersMemberships = await db().select().from(members).where(eq(members.workspaceId, premade.workspace.id));
    expect(makersMemberships).toEqual([]);
    const maker = createBrowser(testApp.app);
    expect(
      (await maker.post('/api/auth/login', { email: pd.users.sam.email, password: 'the makers password' })).statusCode,
    ).toBe(401);
  });

  it('attacker: a verified account with the invited email is joined and connected, but the popup is not signed in to it', async () => {
    const admin = await installAsAda();
    await signUpConfirmed(testApp, { email: pd.users.sam.email, workspaceName: 'Sam’s' });
    await invite(admin, pd.users.sam.email);
    const { popup, callback } = await consentFromPanel(pd.users.sam);
    expect(callback.body).toContain('You joined and are connected');
    // An email match proves nothing about who holds the account's password: no session from it.
    expect((await popup.get('/api/session')).statusCode).toBe(401);
    expect(await panelStatus(pd.users.sam)).toMatchObject({ state: 'connected' });
  });

  it("attacker: another company's user with the invited email joins nothing", async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.gina.email);
    const { callback } = await consentFromPanel(pd.users.gina);
    expect(callback.statusCode).toBe(409);
    const [invitation] = await db().select().from(invitations).where(eq(invitations.email, pd.users.gina.email));
    expect(invitation?.status).toBe('pending');
  });

  it('invitation links can be copied again by admins until used or revoked; the token is stored encrypted', async () => {
    const admin = await installAsAda();
    const samsLink = await invite(admin, pd.users.sam.email);
    const ritasLink = await invite(admin, pd.users.rita.email);
    const listed = (await admin.get('/api/team')).json<TeamInfo>().invitations;
    expect(Object.fromEntries(listed.map((invitation) => [invitation.email, invitation.link]))).toEqual({
      [pd.users.sam.email]: samsLink,
      [pd.users.rita.email]: ritasLink,
    });
    const tokens = [samsLink, ritasLink].map((link) => new URL(link).pathname.split('/').at(-1) ?? '');
    for (const row of await db().select().from(invitations)) {
      expect(row.tokenCiphertext).toMatch(/^v1\./);
      for (const token of tokens) expect(row.tokenCiphertext).not.toContain(token);
    }

    // A ciphertext moved to another invitation's row does not decrypt there (bound to its row):
    // that invitation has no link to copy, and the page still loads.
    await testApp.database.pool.query(
      'update invitations set token_ciphertext = (select token_ciphertext from invitations where email = $1) where email = $2',
      [pd.users.sam.email, pd.users.rita.email],
    );
    const moved = (await admin.get('/api/team')).json<TeamInfo>().invitations;
    expect(moved.find((invitation) => invitation.email === pd.users.rita.email)?.link).toBeNull();

    // Used: Sam accepts from his panel. Revoked: Rita's. Neither is listed any more.
    await consentFromPanel(pd.users.sam);
    const ritas = (await admin.get('/api/team')).json<TeamInfo>().invitations;
    expect(ritas.map((invitation) => [invitation.email, invitation.link])).toEqual([[pd.users.rita.email, null]]);
    const revoked = await admin.request({ method: 'DELETE', url: `/api/team/invitations/${ritas[0]?.id ?? ''}` });
    expect(revoked.statusCode).toBe(200);
    expect((await admin.get('/api/team')).json<TeamInfo>().invitations).toEqual([]);
  });

  it('a regular member sees pending invitations without their links', async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.rita.email);
    await invite(admin, pd.users.sam.email);
    const { popup } = await consentFromPanel(pd.users.sam);
    await popup.refreshCsrf();
    const seen = (await popup.get('/api/team')).json<TeamInfo>();
    expect(seen.invitations.map((invitation) => [invitation.email, invitation.link])).toEqual([
      [pd.users.rita.email, null],
    ]);
  });

  it('signing up from an invitation asks for no workspace name and makes no workspace; the invitation then joins one', async () => {
    const admin = await installAsAda();
    const link = await invite(admin, pd.users.sam.email);
    const sam = createBrowser(testApp.app);
    const signup = await sam.post('/api/auth/signup', {
      email: pd.users.sam.email,
      password: TEST_PASSWORD,
      name: 'Sam',
    });
    expect(signup.statusCode).toBe(202);
    const token = linkToken(await latestMailTo(testApp, pd.users.sam.email, 'Confirm your email'));
    expect((await sam.post('/api/auth/verify-email', { token })).json()).toEqual({ kind: 'signed_up' });
    await signInAs(sam, pd.users.sam.email);
    expect((await sam.get('/api/session')).json()).toMatchObject({ workspace: null, memberships: [] });

    const accepted = await sam.post(`/api/invitations/${new URL(link).pathname.split('/').at(-1) ?? ''}/accept`);
    expect(accepted.statusCode).toBe(200);
    const workspaces = await db()
      .select()
      .from(members)
      .where(eq(members.accountId, (await accountOf(pd.users.sam.email))?.id ?? ''));
    expect(workspaces).toHaveLength(1);
  });

  /** "Sign in with Pipedrive" (the invitation and sign-in pages): a full-page flow, no popup. */
  async function signInWithPipedrive(user: PipedriveUser) {
    const browser = createBrowser(testApp.app);
    const start = await browser.get('/oauth/install?purpose=sign_in');
    const callback = await browser.get(
      `/oauth/callback?code=${pd.authorize(user)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );
    return { browser, callback };
  }

  it('"Sign in with Pipedrive" on the invitation page joins with the invited email and lands signed in', async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.sam.email);
    const { browser, callback } = await signInWithPipedrive(pd.users.sam);
    expect(callback.headers.location).toBe('/integrations/pipedrive?connected=personal');
    expect((await browser.get('/api/session')).json()).toMatchObject({
      account: { email: pd.users.sam.email, hasPassword: false },
      workspace: { role: 'member' },
    });
  });

  it('a full-page outcome reached from Pipedrive offers the way back to Pipedrive', async () => {
    await installAsAda();
    const { callback } = await signInWithPipedrive(pd.users.rita);
    expect(callback.body).toContain('Waiting for an admin to approve you');
    expect(callback.body).toContain(`href="${pd.sandbox.url}"`);
    expect(callback.body).toContain('Back to Pipedrive');
  });

  it("after Disconnect Organization, a regular user's panel says an admin disconnected it, and when", async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.sam.email);
    await consentFromPanel(pd.users.sam);
    expect((await panelStatus(pd.users.sam)).organization.ended).toBeNull();
    const disconnect = await admin.post('/api/integrations/pipedrive/disconnect-organization');
    expect(disconnect.statusCode).toBe(200);
    const status = await panelStatus(pd.users.sam);
    expect(status).toMatchObject({
      state: 'org_not_connected',
      organization: { connected: false, ended: { reason: 'disconnected' } },
    });
    expect(Number.isNaN(Date.parse(status.organization.ended?.at ?? ''))).toBe(false);
  });
});
