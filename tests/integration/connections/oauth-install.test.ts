import { eq } from 'drizzle-orm';
import { accounts, companies, connections, members, workspaces } from '../../../server/db/schema/index.ts';
import { createBrowser, stateFromRedirect } from '../../helpers/browser-session.ts';
import { startPipedriveSandbox, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { signUpConfirmed, TEST_PASSWORD } from '../../helpers/mail-outbox.ts';
import { confirmPendingInstall } from '../../helpers/pending-install.ts';

describe('Pipedrive install flow (OAuth callback, against the sandbox)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
  });

  afterAll(async () => {
    await pd.close();
  });

  beforeEach(async () => {
    testApp = await createTestApp({ config: pd.config() });
  });

  afterEach(async () => {
    await testApp.close();
  });

  const db = () => testApp.database.db;

  it('Marketplace install without state: a new admin gets a workspace named after the company, the org connection, and a session', async () => {
    const { ada } = pd.users;
    const browser = createBrowser(testApp.app);

    const response = await browser.get(`/oauth/callback?code=${pd.authorize(ada)}`);

    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/onboarding?new=1');
    expect(browser.cookie('parley_session')).toBeDefined();
    const [workspace] = await db().select().from(workspaces);
    expect(workspace?.name).toBe('Acme Demo');
    const [account] = await db().select().from(accounts);
    expect(account).toMatchObject({ email: ada.email, name: ada.name, passwordHash: null });
    const [member] = await db().select().from(members);
    expect(member).toMatchObject({ workspaceId: workspace?.id, accountId: account?.id, role: 'owner' });
    const [company] = await db().select().from(companies);
    expect(company).toMatchObject({
      id: ada.companyId,
      workspaceId: workspace?.id,
      status: 'connected',
      // The company's own API origin from the token response (the sandbox's per-company domain).
      apiDomain: `http://${pd.sandbox.pipedrive.seed.demo.company.domain}.pipedrive.localhost:${new URL(pd.sandbox.url).port}`,
    });
    const [connection] = await db().select().from(connections);
    expect(connection).toMatchObject({
      pipedriveUserId: ada.userId,
      isOrgConnection: true,
      isPersonalConnection: true,
      state: 'active',
      memberId: member?.id,
      isPipedriveAdmin: true,
    });
    // Tokens are stored as ciphertext only: neither value Pipedrive issued appears in the row.
    const grant = pd.grantOf(ada);
    const accessToken = [...pd.sandbox.pipedrive.state.accessTokens.values()].find(
      (token) => token.grantId === grant?.id,
    )?.token;
    expect(accessToken).toMatch(/^v1u:/);
    expect(connection?.accessTokenCiphertext).toMatch(/^v1\.k1\./);
    expect(JSON.stringify(connection)).not.toContain(accessToken);
    expect(JSON.stringify(connection)).not.toContain(grant?.refreshToken);

    const session = await browser.get('/api/session');
    expect(session.json()).toMatchObject({ account: { email: ada.email }, workspace: { role: 'owner' } });
  });

  it('Marketplace install through the Installation URL: state minted, bound to the browser, used once', async () => {
    const browser = createBrowser(testApp.app);
    const start = await browser.get('/oauth/install');
    expect(start.statusCode).toBe(302);
    const location = new URL(String(start.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${pd.sandbox.url}/oauth/authorize`);
    expect(location.searchParams.get('client_id')).toBe('test-client-id');
    expect(location.searchParams.get('redirect_uri')).toBe('http://localhost:3000/oauth/callback');
    expect(browser.hasCookie('parley_oauth_')).toBe(true);
    const state = stateFromRedirect(start);

    const code = pd.authorize(pd.users.ada);
    const callback = await browser.get(`/oauth/callback?code=${code}&state=${encodeURIComponent(state)}`);
    expect(callback.headers.location).toBe('/onboarding?new=1');

    const replay = await browser.get(`/oauth/callback?code=${code}&state=${encodeURIComponent(state)}`);
    expect(replay.statusCode).toBe(400);
    expect(replay.headers.location).toBeUndefined();
    expect(replay.body).toContain('invalid, expired, or was already used');
  });

  it.each([
    ['forged', (state: string) => `${state.split('.')[0] ?? ''}.AAAA`],
    [
      'tampered payload',
      (state: string) =>
        `${Buffer.from('{"purpose":"org_connect","nonce":"x","expiresAt":99999999999999}').toString('base64url')}.${state.split('.')[1] ?? ''}`,
    ],
  ])('refuses a %s state with 400 and no redirect', async (_label, mutate) => {
    const browser = createBrowser(testApp.app);
    const state = stateFromRedirect(await browser.get('/oauth/install'));
    const response = await browser.get(`/oauth/callback?code=anything&state=${encodeURIComponent(mutate(state))}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('refuses a state that expired (over 10 minutes old) with 400 and no redirect', async () => {
    let offsetMs = 0;
    const clocked = await createTestApp({ config: pd.config(), clock: { now: () => new Date(Date.now() + offsetMs) } });
    try {
      const browser = createBrowser(clocked.app);
      const state = stateFromRedirect(await browser.get('/oauth/install'));
      offsetMs = 11 * 60 * 1000;
      const response = await browser.get(
        `/oauth/callback?code=${pd.authorize(pd.users.ada)}&state=${encodeURIComponent(state)}`,
      );
      expect(response.statusCode).toBe(400);
      expect(response.headers.location).toBeUndefined();
      expect(await clocked.database.db.select().from(connections)).toEqual([]);
    } finally {
      await clocked.close();
    }
  });

  it('refuses a state used from another browser (no nonce cookie)', async () => {
    const state = stateFromRedirect(await createBrowser(testApp.app).get('/oauth/install'));
    const response = await createBrowser(testApp.app).get(
      `/oauth/callback?code=anything&state=${encodeURIComponent(state)}`,
    );
    expect(response.statusCode).toBe(400);
  });

  it('ends a cancelled consent (error=user_denied) on a friendly page that changes nothing', async () => {
    const response = await createBrowser(testApp.app).get('/oauth/callback?error=user_denied');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Connection cancelled');
    expect(await db().select().from(companies)).toEqual([]);
  });

  it('refuses a non-admin who installs before the organization is connected, and revokes the unused grant', async () => {
    const response = await createBrowser(testApp.app).get(`/oauth/callback?code=${pd.authorize(pd.users.sam)}`);
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Only a Pipedrive admin can connect the organization');
    expect(await db().select().from(connections)).toEqual([]);
    const revokes = await testApp.database.pool
      .query("select data from pgboss.job where name = 'pipedrive.revoke-grant'")
      .catch(() => ({ rows: [] }));
    expect(revokes.rows).toHaveLength(1);
  });

  it('asks an existing account to sign in in the same browser, confirm on a page naming the company and user, then finishes the parked install', async () => {
    const { ada } = pd.users;
    const browser = createBrowser(testApp.app);
    await signUpConfirmed(testApp, { email: ada.email, name: 'Ada', workspaceName: 'Ada’s team' }, browser);
    await browser.post('/api/auth/logout');
    const callback = await browser.get(`/oauth/callback?code=${pd.authorize(ada)}`);
    expect(callback.statusCode).toBe(302);
    const location = new URL(String(callback.headers.location), 'http://localhost:3000');
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('email')).toBe(ada.email);
    const pendingId = location.searchParams.get('resume') ?? '';
    expect(await db().select().from(connections)).toEqual([]);

    const login = await browser.post('/api/auth/login', { email: ada.email, password: TEST_PASSWORD });
    expect(login.statusCode).toBe(200);
    await browser.refreshCsrf();
    // Opening the link only shows what would be connected; it changes nothing.
    const page = await browser.get(`/oauth/resume/${pendingId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Acme Demo');
    expect(page.body).toContain(ada.name);
    expect(page.body).toContain(ada.email);
    expect(await db().select().from(connections)).toEqual([]);

    const resumed = await confirmPendingInstall(browser, pendingId);
    expect(resumed.headers.location).toBe('/onboarding');
    const [company] = await db().select().from(companies);
    const [workspace] = await db()
      .select()
      .from(workspaces)
      .where(eq(workspaces.id, company?.workspaceId ?? ''));
    expect(workspace?.name).toBe('Ada’s team');
    const csrf = (await browser.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
    expect((await confirmPendingInstall(browser, pendingId, { csrf })).statusCode).toBe(410);
  });
});
