import { and, eq } from 'drizzle-orm';
import { connections, joinRequests } from '../../../server/db/schema/index.ts';
import { createBrowser, stateFromRedirect, type Browser } from '../../helpers/browser-session.ts';
import { startSandboxedTestApp, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import type { TestApp } from '../../helpers/test-app.ts';
import type { PanelStatus } from '../../../contracts/panel.schemas.ts';
import type { IntegrationInfo } from '../../../contracts/dashboard.schemas.ts';
import type { ConnectTicketReply } from '../../../contracts/panel.schemas.ts';
import type { InviteReply, TeamInfo } from '../../../contracts/dashboard.schemas.ts';
import { signUpConfirmed } from '../../helpers/mail-outbox.ts';

describe('connecting from the dashboard and from the panel', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;

  let closeAll: () => Promise<void>;

  beforeEach(async () => {
    ({ pd, testApp, close: closeAll } = await startSandboxedTestApp());
  });

  afterEach(async () => {
    await closeAll();
  });

  async function signUp(browser: Browser, email: string, workspaceName = 'Acme team'): Promise<void> {
    await signUpConfirmed(testApp, { email, workspaceName }, browser);
  }

  /** Runs the whole consent round trip for `purpose` as the Pipedrive user `identity`. */
  async function consent(browser: Browser, purpose: string, identity: PipedriveUser) {
    const start = await browser.get(`/oauth/install?purpose=${purpose}`);
    return browser.get(
      `/oauth/callback?code=${pd.authorize(identity)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );
  }

  async function connectOrganization(): Promise<Browser> {
    const admin = createBrowser(testApp.app);
    await signUp(admin, 'ada@acme.test');
    const callback = await consent(admin, 'organization', pd.users.ada);
    expect(callback.headers.location).toBe('/integrations/pipedrive?connected=organization');
    return admin;
  }

  async function inviteAndJoin(admin: Browser, email: string): Promise<Browser> {
    const invitation = await admin.post('/api/team/invitations', { email, role: 'member' });
    expect(invitation.statusCode).toBe(201);
    const link = new URL(invitation.json<InviteReply>().link);
    const invitee = createBrowser(testApp.app);
    await signUp(invitee, email, 'Personal');
    const accepted = await invitee.post(`/api/invitations/${link.pathname.split('/').at(-1) ?? ''}/accept`);
    expect(accepted.statusCode).toBe(200);
    return invitee;
  }

  it('a workspace admin connects the organization; the connector gets a personal connection too', async () => {
    const admin = await connectOrganization();
    const status = await admin.get('/api/integrations/pipedrive');
    // The whole body: a column the contract does not declare never leaves the server.
    expect(status.json()).toStrictEqual<IntegrationInfo>({
      role: 'owner',
      company: {
        id: pd.users.ada.companyId,
        name: 'Acme Demo',
        status: 'connected',
        purgeAfter: null,
        appSettingsUrl: `${pd.sandbox.url}/settings/marketplace/app/test-client-id/app-settings`,
      },
      organization: {
        state: 'active',
        connectedBy: 'Ada Admin',
        connectedAt: expect.any(String),
        pipedriveUserId: pd.users.ada.userId,
      },
      personal: { state: 'active', pipedriveUserName: 'Ada Admin', connectedAt: expect.any(String) },
      connectedUsers: [{ name: 'Ada Admin', email: expect.any(String), state: 'active', isOrgConnection: true }],
    });
  });

  it('refuses the organization connection when the consenting Pipedrive user is not an admin', async () => {
    const admin = createBrowser(testApp.app);
    await signUp(admin, 'ada@acme.test');
    const callback = await consent(admin, 'organization', pd.users.sam);
    expect(callback.statusCode).toBe(403);
    expect(callback.body).toContain('Only a Pipedrive admin');
    expect((await admin.get('/api/integrations/pipedrive')).json()).toMatchObject({
      company: null,
      organization: null,
    });
  });

  it('an invited member connects only for themself from the dashboard', async () => {
    const admin = await connectOrganization();
    const sam = await inviteAndJoin(admin, 'sam@acme.test');
    const callback = await consent(sam, 'personal', pd.users.sam);
    expect(callback.headers.location).toBe('/integrations/pipedrive?connected=personal');
    expect((await sam.get('/api/integrations/pipedrive')).json()).toMatchObject({
      personal: { state: 'active' },
      organization: { connectedBy: 'Ada Admin' },
    });
    const token = await signPanelToken({ companyId: pd.users.sam.companyId, userId: pd.users.sam.userId });
    const panel = await testApp.app.inject({ method: 'GET', url: '/api/panel/status', headers: bearer(token) });
    expect(panel.json()).toStrictEqual<PanelStatus>({
      state: 'connected',
      company: { id: pd.users.sam.companyId, name: 'Acme Demo' },
      organization: {
        connected: true,
        state: 'active',
        connectedBy: { pipedriveUserId: pd.users.ada.userId, name: 'Ada Admin' },
        ended: null,
      },
      personal: { connected: true, state: 'active', awaitingApprovalSince: null },
      viewer: { pipedriveUserId: pd.users.sam.userId, isPipedriveAdmin: false, isOrgConnector: false },
      links: {
        dashboard: `${testApp.config.publicUrl}/integrations/pipedrive`,
        install: `${testApp.config.publicUrl}/oauth/install`,
      },
    });
  });

  it('connects from the panel popup with a ticket, and refuses a consent by another Pipedrive user', async () => {
    await connectOrganization();
    const token = await signPanelToken({ companyId: pd.users.sam.companyId, userId: pd.users.sam.userId });
    const before = await testApp.app.inject({ method: 'GET', url: '/api/panel/status', headers: bearer(token) });
    expect(before.json()).toMatchObject({ state: 'personal_not_connected' });

    const ticketed = async () => {
      const ticket = await testApp.app.inject({
        method: 'POST',
        url: '/api/panel/connect-ticket',
        headers: bearer(token),
      });
      return new URL(ticket.json<ConnectTicketReply>().url);
    };
    // The popup is a fresh top-level window: no Parley session. Sam's email matches no member yet.
    const popup = createBrowser(testApp.app);
    const url = await ticketed();
    const start = await popup.get(`${url.pathname}${url.search}`);
    const refused = await popup.get(
      `/oauth/callback?code=${pd.authorize(pd.users.rita)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('different Pipedrive user');

    const url2 = await ticketed();
    const start2 = await popup.get(`${url2.pathname}${url2.search}`);
    const joined = await popup.get(
      `/oauth/callback?code=${pd.authorize(pd.users.sam)}&state=${encodeURIComponent(stateFromRedirect(start2))}`,
    );
    expect(joined.statusCode).toBe(200);
    expect(joined.body).toContain('Waiting for an admin to approve you');
    expect(joined.body).toContain('parley:oauth');
    // The popup must keep its opener (a panel on Pipedrive's page) to report back and close.
    expect(joined.headers['cross-origin-opener-policy']).toBe('unsafe-none');
    const [request] = await testApp.database.db
      .select()
      .from(joinRequests)
      .where(eq(joinRequests.email, 'sam@acme.test'));
    expect(request).toMatchObject({ status: 'pending', pipedriveUserId: pd.users.sam.userId });
  });

  it('approving the join request activates the grant the user already gave', async () => {
    const admin = await connectOrganization();
    const token = await signPanelToken({ companyId: pd.users.sam.companyId, userId: pd.users.sam.userId });
    const ticket = new URL(
      (
        await testApp.app.inject({ method: 'POST', url: '/api/panel/connect-ticket', headers: bearer(token) })
      ).json<ConnectTicketReply>().url,
    );
    const popup = createBrowser(testApp.app);
    const start = await popup.get(`${ticket.pathname}${ticket.search}`);
    await popup.get(
      `/oauth/callback?code=${pd.authorize(pd.users.sam)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
    );

    const team = (await admin.get('/api/team')).json<TeamInfo>();
    expect(team.joinRequests.map((r) => r.email)).toEqual(['sam@acme.test']);
    const approve = await admin.post(`/api/team/join-requests/${team.joinRequests[0]?.id ?? ''}/approve`);
    expect(approve.statusCode).toBe(200);

    const [connection] = await testApp.database.db
      .select()
      .from(connections)
      .where(
        and(eq(connections.companyId, pd.users.sam.companyId), eq(connections.pipedriveUserId, pd.users.sam.userId)),
      );
    expect(connection).toMatchObject({ isPersonalConnection: true, state: 'active' });
    expect(connection?.memberId).not.toBeNull();
    const status = await testApp.app.inject({ method: 'GET', url: '/api/panel/status', headers: bearer(token) });
    expect(status.json()).toMatchObject({ state: 'connected' });
  });

  it('a personal connection needs the organization connected first', async () => {
    const sam = createBrowser(testApp.app);
    await signUp(sam, 'sam@acme.test');
    const callback = await consent(sam, 'personal', pd.users.sam);
    expect(callback.statusCode).toBe(409);
    expect(callback.body).toContain('not connected to Parley');
  });
});
