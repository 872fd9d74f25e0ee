import { and, eq } from 'drizzle-orm';
import type { TeamInfo } from '../../../contracts/dashboard.schemas.ts';
import { auditLog, invitations, joinRequests, members } from '../../../server/db/schema/index.ts';
import { signInAs } from '../../helpers/accounts.ts';
import { createBrowser, stateFromRedirect } from '../../helpers/browser-session.ts';
import { useJoiningWorld } from '../../helpers/joining.ts';
import { latestMailTo, linkToken, signUpConfirmed, TEST_PASSWORD } from '../../helpers/mail-outbox.ts';
import type { PipedriveSandbox, PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** Issue 11: one consent from the panel is enough to join, by invitation, by approval, or as a member. */
describe('joining the workspace from a Pipedrive consent', () => {
  const joining = useJoiningWorld();
  const { db, installAsAda, invite, panelStatus, consentFromPanel, connectionOf, accountOf, pendingRequests } = joining;
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  beforeEach(() => {
    ({ pd, testApp } = joining.world);
  });

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
