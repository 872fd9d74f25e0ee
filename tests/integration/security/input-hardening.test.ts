import { createHmac } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { accounts, companies, connections, oauthStates, workspaces } from '../../../server/db/schema/index.ts';
import { signUpConfirmed } from '../../helpers/mail-outbox.ts';
import { createBrowser, stateFromRedirect, type Browser } from '../../helpers/browser-session.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';

const basicAuth = `Basic ${Buffer.from(`${TEST_SECRETS.clientId}:${TEST_SECRETS.clientSecret}`).toString('base64')}`;
const PASSWORD = 'a long enough password';

describe('bad input at every door (issue 7: findings 8, 13, 14, 15; catalogue B5, B14)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let routes: RouteOptions[];

  beforeEach(async () => {
    routes = [];
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config(), onRoute: (route) => routes.push(route) });
  });

  afterEach(async () => {
    await testApp.close();
    await pd.close();
  });

  const db = () => testApp.database.db;

  /** Sign-up through the mailed link (tests/helpers/mail-outbox.ts), signed in afterwards. */
  const signUp = (email: string, fields: { name?: string; workspaceName?: string } = {}): Promise<Browser> =>
    signUpConfirmed(testApp, { email, password: PASSWORD, name: 'Someone', workspaceName: 'A team', ...fields });

  it('finding 8: a NUL in a name, workspace name or panel setting is a 400 with its own code, never a 500', async () => {
    for (const field of ['name', 'workspaceName', 'email', 'password']) {
      const response = await createBrowser(testApp.app).post('/api/auth/signup', {
        email: 'nul@example.com',
        password: PASSWORD,
        name: 'Someone',
        workspaceName: 'A team',
        [field]: field === 'email' ? 'nu\u0000l@example.com' : 'has a \u0000 inside',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        error: { code: 'request.nul_character', details: { part: 'body', path: `/${field}` } },
      });
    }
    expect(await db().select().from(accounts)).toHaveLength(0);

    // In the query string, path parameters and nested JSON alike.
    const owner = await signUp('owner@example.com');
    expect((await owner.get('/api/invitations/abcdefghijklmnop%00qrstuvwxyz')).json()).toMatchObject({
      error: { code: 'request.nul_character', details: { part: 'params' } },
    });
    expect((await owner.get('/oauth/install?purpose=sign%00in')).statusCode).toBe(400);

    await connectCompany(testApp, pd.consent());
    const token = await signPanelToken(pd.users.ada);
    const current = await testApp.app.inject({ method: 'GET', url: '/api/panel/settings', headers: bearer(token) });
    const settings = current.json<{ settings: Record<string, unknown> }>().settings;
    const saved = await testApp.app.inject({
      method: 'PUT',
      url: '/api/panel/settings',
      headers: bearer(token),
      payload: { ...settings, dealTitleTemplate: 'WhatsApp \u0000 {contact}' },
    });
    expect(saved.statusCode).toBe(400);
    expect(saved.json()).toMatchObject({
      error: { code: 'request.nul_character', details: { path: '/dealTitleTemplate' } },
    });
  });

  it('finding 8: routes of known senders that retry drop NULs from the body instead of refusing it', async () => {
    testApp.app.post('/test/known-sender', { config: { nulCharacters: 'strip' } }, async (request) => request.body);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/test/known-sender',
      payload: { name: 'Ada\u0000 Admin', 'ke\u0000y': ['x\u0000'] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'Ada Admin', key: ['x'] });
  });

  it('finding 8: NULs in the Pipedrive user and company names are stripped, and the install completes', async () => {
    const { ada } = pd.users;
    const user = pd.sandbox.pipedrive.state.users.get(ada.userId);
    const company = pd.sandbox.pipedrive.state.companies.get(ada.companyId);
    if (user === undefined || company === undefined) throw new Error('sandbox seed changed');
    user.name = 'Ada\u0000 Admin';
    company.name = 'Acme\u0000 Inc';
    const installed = await createBrowser(testApp.app).get(`/oauth/callback?code=${pd.authorize(ada)}`);
    expect(installed.headers.location).toBe('/onboarding?new=1');
    expect((await db().select().from(connections))[0]?.pipedriveUserName).toBe('Ada Admin');
    expect((await db().select().from(companies))[0]?.name).toBe('Acme Inc');
    expect((await db().select().from(workspaces))[0]?.name).toBe('Acme Inc');
  });

  it('finding 8: when the install fails after the code exchange, the exchanged grant is revoked', async () => {
    const { ada } = pd.users;
    const user = pd.sandbox.pipedrive.state.users.get(ada.userId);
    if (user === undefined) throw new Error('sandbox seed changed');
    // An email with a NUL cannot be matched or stored: the install is refused after the exchange.
    user.email = 'ada\u0000@acme.test';
    const response = await createBrowser(testApp.app).get(`/oauth/callback?code=${pd.authorize(ada)}`);
    expect(response.statusCode).toBe(502);
    expect(response.body).toContain('Nothing was connected');
    expect(pd.grantOf(ada)).toBeDefined();
    expect(pd.isRevoked(ada)).toBe(true);
    expect(await db().select().from(connections)).toHaveLength(0);
  });

  it('finding 13: purposes that name Object.prototype members are unknown (400), and a state is checked before any code exchange', async () => {
    for (const purpose of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const response = await createBrowser(testApp.app).get(`/oauth/install?purpose=${purpose}`);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Unknown connection type');
    }
    // A state signed with the right secret but naming no real purpose: refused before the code is used.
    const browser = createBrowser(testApp.app);
    const started = await browser.get('/oauth/install?purpose=sign_in');
    const genuine = JSON.parse(Buffer.from(stateFromRedirect(started).split('.')[0] ?? '', 'base64url').toString()) as {
      nonce: string;
    };
    const body = Buffer.from(
      JSON.stringify({ purpose: 'toString', nonce: genuine.nonce, expiresAt: Date.now() + 60_000 }),
    ).toString('base64url');
    const signature = createHmac('sha256', TEST_SECRETS.sessionSecret)
      .update(`oauth-state:${body}`)
      .digest('base64url');
    const code = pd.authorize(pd.users.ada);
    const forged = await browser.get(
      `/oauth/callback?code=${code}&state=${encodeURIComponent(`${body}.${signature}`)}`,
    );
    expect(forged.statusCode).toBe(400);
    expect(pd.grantOf(pd.users.ada)).toBeUndefined();
    // The code was not spent: the real install still works with it.
    expect((await createBrowser(testApp.app).get(`/oauth/callback?code=${code}`)).headers.location).toBe(
      '/onboarding?new=1',
    );
  });

  it('finding 14: uninstall and sharing callbacks with ids that are not integers in the column range → 400, never 500', async () => {
    await connectCompany(testApp, pd.consent());
    const { ada } = pd.users;
    // (Fastify's validator coerces numeric strings and booleans; only values that are no id in range matter.)
    for (const bad of [1.5, 2 ** 63, 2 ** 53, -1, 0, 'abc', '1.5', '9223372036854775808', null, {}]) {
      for (const field of ['company_id', 'user_id']) {
        const payload = {
          client_id: TEST_SECRETS.clientId,
          company_id: ada.companyId,
          user_id: ada.userId,
          [field]: bad,
        };
        const uninstall = await testApp.app.inject({
          method: 'DELETE',
          url: '/oauth/callback',
          headers: { authorization: basicAuth },
          payload,
        });
        expect([uninstall.statusCode, uninstall.json<{ error: { code: string } }>().error.code]).toEqual([
          400,
          'request.invalid',
        ]);
        const sharing = await testApp.app.inject({
          method: 'POST',
          url: '/oauth/callback',
          headers: { authorization: basicAuth },
          payload: { company_id: ada.companyId, user_id: ada.userId, isShared: true, [field]: bad },
        });
        expect(sharing.statusCode).toBe(400);
      }
    }
    // Nothing was uninstalled along the way.
    expect((await db().select().from(companies))[0]?.status).toBe('connected');
    // A panel token whose ids overflow is refused as a token, not by the database.
    const overflowing = await signPanelToken({ companyId: 2 ** 63, userId: 1 });
    const panel = await testApp.app.inject({ method: 'GET', url: '/api/panel/status', headers: bearer(overflowing) });
    expect(panel.statusCode).toBe(401);
  });

  it('finding 15: /oauth/install writes no row per call and is limited per address; only a callback writes one', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i += 1)
      statuses.push(
        (
          await testApp.app.inject({
            method: 'GET',
            url: '/oauth/install?purpose=sign_in',
            remoteAddress: '203.0.113.9',
          })
        ).statusCode,
      );
    expect(statuses.slice(0, 30).every((status) => status === 302)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
    expect(await db().select().from(oauthStates)).toHaveLength(0);
    // Another address is not affected.
    const browser = createBrowser(testApp.app);
    const started = await browser.get('/oauth/install?purpose=sign_in');
    expect(started.statusCode).toBe(302);
    // The callback records the state's single use, once; a replay is refused.
    const state = encodeURIComponent(stateFromRedirect(started));
    const first = await browser.get(`/oauth/callback?code=${pd.authorize(pd.users.ada)}&state=${state}`);
    expect(first.headers.location).toBe('/onboarding?new=1');
    expect(await db().select().from(oauthStates)).toHaveLength(1);
    const replay = await browser.get(`/oauth/callback?code=${pd.authorize(pd.users.ada)}&state=${state}`);
    expect(replay.statusCode).toBe(400);
    expect(await db().select().from(oauthStates)).toHaveLength(1);
  });

  it('B5: malformed JSON, an empty body, text/plain and a top-level array are 4xx on every JSON endpoint, never 500', async () => {
    const { admin } = await connectCompany(testApp, pd.consent());
    const panelToken = await signPanelToken(pd.users.ada);
    const writes = routes.filter((route) =>
      [route.method].flat().some((method) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)),
    );
    expect(writes.length).toBeGreaterThan(10);
    const sample = (url: string) =>
      url
        .replace(/:id\b/g, '00000000-0000-4000-8000-000000000000')
        .replace(/:token\b/g, 'abcdefghijklmnopqrstuvwxyz')
        .replace(/:decision\b/g, 'approve');
    const send = async (route: RouteOptions, method: string, contentType: string, payload: string) => {
      const url = sample(route.url);
      const headers: Record<string, string> = { 'content-type': contentType };
      if (url.startsWith('/api/panel/')) Object.assign(headers, bearer(panelToken));
      if (url.startsWith('/oauth/')) headers['authorization'] = basicAuth;
      const request = { method: method as 'POST', url, headers, payload };
      // Dashboard routes with the admin's session cookie and CSRF token; the others carry their own auth.
      const dashboard = url.startsWith('/api/') && !url.startsWith('/api/panel/');
      const response = dashboard ? await admin.request(request) : await testApp.app.inject(request);
      return {
        route: `${method} ${route.url}`,
        contentType,
        payload,
        status: response.statusCode,
        body: response.body,
      };
    };
    const outcomes = [];
    for (const route of writes) {
      const hasBodySchema = route.schema?.body !== undefined;
      for (const method of [route.method].flat().filter((m) => m !== 'HEAD')) {
        outcomes.push({
          ...(await send(route, method, 'application/json', '{"email": "x@example.com",')),
          expected: 400,
        });
        outcomes.push({ ...(await send(route, method, 'application/json', '')), expected: 400 });
        if (!hasBodySchema) continue; // The body is ignored by such routes; the handler would run.
        outcomes.push({ ...(await send(route, method, 'text/plain', 'email=x@example.com')), expected: 400 });
        outcomes.push({
          ...(await send(route, method, 'application/json', '[{"email":"x@example.com"}]')),
          expected: 400,
        });
      }
    }
    // Signed webhooks read raw bytes and authenticate first: any 4xx there; JSON APIs answer 400 (415 for text/plain).
    const wrong = outcomes.filter((outcome) =>
      outcome.route.includes(' /webhooks/')
        ? outcome.status < 400 || outcome.status >= 500
        : outcome.status !== outcome.expected && !(outcome.status === 415 && outcome.contentType === 'text/plain'),
    );
    expect(wrong).toEqual([]);
    expect(outcomes.every((outcome) => /"code":"(request|webhooks)\./.test(outcome.body))).toBe(true);
  });

  it('B14: SQL-like and wildcard names are stored and shown literally', async () => {
    const name = "Robert'); DROP TABLE persons;-- %_\\";
    const browser = await signUp('bobby@example.com', { name, workspaceName: name });
    const session = (await browser.get('/api/session')).json<{
      account: { name: string };
      memberships: { name?: string }[];
    }>();
    expect(session.account.name).toBe(name);
    expect((await db().select().from(workspaces))[0]?.name).toBe(name);
  });
});
