import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { RegisteredApp } from '../../../sandbox/pipedrive/state.ts';
import { fetchPage, textOf } from '../../helpers/sandbox-pages.ts';
import { startTestAppServer, testAppRegistration, type TestAppServer } from '../../helpers/sandbox-test-app.ts';

describe('sandbox OAuth consent page', () => {
  let sandbox: Sandbox;
  let appServer: TestAppServer;
  let app: RegisteredApp;

  beforeAll(async () => {
    appServer = await startTestAppServer();
    app = testAppRegistration(appServer);
    sandbox = await startSandbox({ port: 0, timeScale: 0.001, apps: [app] });
  });

  afterAll(async () => {
    await sandbox.close();
    await appServer.close();
  });

  const authorizeUrl = (params: Record<string, string>) =>
    `${sandbox.url}/oauth/authorize?${new URLSearchParams(params).toString()}`;

  it.each([
    ['client_id is missing', { redirect_uri: 'CALLBACK' }, 'missing client_id'],
    ['client_id is unknown', { client_id: 'nope', redirect_uri: 'CALLBACK' }, 'No app with this client_id'],
    ['redirect_uri is missing', { client_id: 'test-app' }, 'missing redirect_uri'],
    [
      'redirect_uri differs from the callback URL',
      { client_id: 'test-app', redirect_uri: 'https://evil.example/callback' },
      'does not match the Callback URL',
    ],
    [
      'redirect_uri only starts like the callback URL',
      { client_id: 'test-app', redirect_uri: 'CALLBACK/../other' },
      'does not match the Callback URL',
    ],
  ])('shows an error page and never redirects when %s', async (_case, params, message) => {
    const query = Object.fromEntries(
      Object.entries(params).map(([key, value]) => [key, value.replace('CALLBACK', app.callbackUrl)]),
    );
    const { cookie } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.admin.id);
    const page = await fetchPage(authorizeUrl({ ...query, state: 'abc' }), { cookie });
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(textOf(page.body)).toContain(message);
  });

  it('asks a signed-out visitor to sign in, then comes back to the consent page', async () => {
    const url = authorizeUrl({ client_id: app.clientId, redirect_uri: app.callbackUrl, state: 's1' });
    const page = await fetchPage(url);
    expect(page.status).toBe(302);
    const returnTo = new URL(page.location ?? '', sandbox.url).searchParams.get('return_to');
    expect(returnTo).toBe(url.slice(sandbox.url.length));
  });

  it('shows the app name, the company and the requested scopes', async () => {
    const { admin, company } = sandbox.pipedrive.seed.demo;
    const { cookie } = sandbox.pipedrive.ui.signIn(admin.id);
    const page = await fetchPage(authorizeUrl({ client_id: app.clientId, redirect_uri: app.callbackUrl }), {
      cookie,
    });
    expect(page.status).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain(`${app.name} wants to access your Pipedrive account`);
    expect(text).toContain(company.name);
    expect(text).toContain(admin.name);
    for (const scope of app.scopes) expect(text).toContain(scope);
    expect(text).toContain('Allow and install');
    expect(text).toContain('Cancel');
  });

  it('Allow creates a 5-minute authorization code and redirects with code and state', async () => {
    const user = sandbox.pipedrive.seed.demo.users[1];
    if (user === undefined) throw new Error('seed has no regular user');
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(user.id);
    const before = sandbox.clock.now().getTime();
    const page = await fetchPage(`${sandbox.url}/oauth/authorize`, {
      cookie,
      form: {
        client_id: app.clientId,
        redirect_uri: app.callbackUrl,
        state: 'state with spaces & symbols',
        decision: 'allow',
        _csrf: csrfToken,
      },
    });
    expect(page.status).toBe(302);
    const location = new URL(page.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(app.callbackUrl);
    expect(location.searchParams.get('state')).toBe('state with spaces & symbols');
    const code = location.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const record = sandbox.pipedrive.state.authorizationCodes.get(code);
    expect(record).toEqual({
      code,
      clientId: app.clientId,
      companyId: user.companyId,
      userId: user.id,
      redirectUri: app.callbackUrl,
      expiresAt: expect.any(Date),
      exchanged: false,
    });
    const lifetime = (record?.expiresAt.getTime() ?? 0) - before;
    expect(lifetime).toBeGreaterThanOrEqual(5 * 60 * 1000);
    expect(lifetime).toBeLessThan(5 * 60 * 1000 + 5_000);
  });

  it('Allow without a state redirects with the code only', async () => {
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.admin.id);
    const page = await fetchPage(`${sandbox.url}/oauth/authorize`, {
      cookie,
      form: { client_id: app.clientId, redirect_uri: app.callbackUrl, decision: 'allow', _csrf: csrfToken },
    });
    const location = new URL(page.location ?? '');
    expect([...location.searchParams.keys()]).toEqual(['code']);
  });

  it('Cancel redirects with error=user_denied and the state, and issues no code', async () => {
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.other.admin.id);
    const codesBefore = sandbox.pipedrive.state.authorizationCodes.size;
    const page = await fetchPage(`${sandbox.url}/oauth/authorize`, {
      cookie,
      form: {
        client_id: app.clientId,
        redirect_uri: app.callbackUrl,
        state: 'xyz',
        decision: 'deny',
        _csrf: csrfToken,
      },
    });
    expect(page.status).toBe(302);
    const location = new URL(page.location ?? '');
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'user_denied', state: 'xyz' });
    expect(sandbox.pipedrive.state.authorizationCodes.size).toBe(codesBefore);
  });

  it('refuses a decision without the session’s CSRF token', async () => {
    const { cookie } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.admin.id);
    const page = await fetchPage(`${sandbox.url}/oauth/authorize`, {
      cookie,
      form: { client_id: app.clientId, redirect_uri: app.callbackUrl, decision: 'allow', _csrf: 'forged' },
    });
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });

  it('validates the decision form like the page: a wrong redirect_uri never redirects', async () => {
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.admin.id);
    const page = await fetchPage(`${sandbox.url}/oauth/authorize`, {
      cookie,
      form: { client_id: app.clientId, redirect_uri: 'https://evil.example/', decision: 'allow', _csrf: csrfToken },
    });
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });

  it('says "authorize", not "install", to a user of a company where the app is already installed', async () => {
    const { admin, users } = sandbox.pipedrive.seed.demo;
    const sam = users[1];
    if (sam === undefined) throw new Error('seed has no regular user');
    const url = authorizeUrl({ client_id: app.clientId, redirect_uri: app.callbackUrl });
    const before = textOf((await fetchPage(url, { cookie: sandbox.pipedrive.ui.signIn(sam.id).cookie })).body);
    expect(before).toContain('Allow and install');

    sandbox.pipedrive.authorizeApp({ clientId: app.clientId, userId: admin.id });
    const after = textOf((await fetchPage(url, { cookie: sandbox.pipedrive.ui.signIn(sam.id).cookie })).body);
    expect(after).toContain('Allow and authorize');
    expect(after).toContain('already installed');
    expect(after).not.toMatch(/install(ing)? for|Allow and install/i);
  });
});
