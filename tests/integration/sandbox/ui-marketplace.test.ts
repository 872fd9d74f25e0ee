import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { RegisteredApp, User, Webhook } from '../../../sandbox/pipedrive/state.ts';
import { fetchPage, textOf } from '../../helpers/sandbox-pages.ts';
import {
  grantApp,
  startTestAppServer,
  testAppRegistration,
  type TestAppServer,
} from '../../helpers/sandbox-test-app.ts';

function addWebhook(sandbox: Sandbox, clientId: string | null, user: User): Webhook {
  const state = sandbox.pipedrive.state;
  const webhook: Webhook = {
    id: state.nextId('webhook'),
    companyId: user.companyId,
    userId: user.id,
    clientId,
    subscriptionUrl: 'https://app.example/webhooks',
    eventAction: '*',
    eventObject: 'person',
    version: '2.0',
    name: 'test',
    httpAuthUser: null,
    httpAuthPassword: null,
    addTime: state.clock.now(),
    isActive: true,
    banCounter: 0,
    bannedUntil: null,
    lastDeliveryTime: null,
    lastHttpStatus: null,
  };
  state.webhooks.set(webhook.id, webhook);
  return webhook;
}

describe('sandbox Marketplace pages', () => {
  let sandbox: Sandbox;
  let appServer: TestAppServer;
  let app: RegisteredApp;
  let other: RegisteredApp;

  beforeEach(async () => {
    appServer = await startTestAppServer();
    app = testAppRegistration(appServer);
    other = testAppRegistration(appServer, {
      clientId: 'other-app',
      name: 'Other App',
      installationUrl: `${appServer.url}/install`,
      extensions: [],
    });
    sandbox = await startSandbox({ port: 0, timeScale: 0.001, apps: [app, other] });
  });

  afterEach(async () => {
    await sandbox.close();
    await appServer.close();
  });

  const admin = () => sandbox.pipedrive.seed.demo.admin;
  const regular = () => sandbox.pipedrive.seed.demo.users[1] as User;

  it('lists the apps; Install goes to consent with no state, or to the Installation URL when there is one', async () => {
    const { cookie } = sandbox.pipedrive.ui.signIn(admin().id);
    const page = await fetchPage(`${sandbox.url}/marketplace`, { cookie });
    expect(page.status).toBe(200);
    const installLinks: Record<string, string> = Object.fromEntries(
      [...page.body.matchAll(/href="([^"]+)" data-install="([^"]+)"/g)].map(([, href, clientId]) => [
        clientId,
        (href ?? '').replace(/&amp;/g, '&'),
      ]),
    );
    const consent = new URL(installLinks['test-app'] ?? '', sandbox.url);
    expect(consent.pathname).toBe('/oauth/authorize');
    expect(Object.fromEntries(consent.searchParams)).toEqual({ client_id: 'test-app', redirect_uri: app.callbackUrl });
    expect(installLinks['other-app']).toBe(`${appServer.url}/install`);

    const detail = await fetchPage(`${sandbox.url}/marketplace/app/test-app`, { cookie });
    expect(textOf(detail.body)).toContain('Test panel');
  });

  it('shows each app’s status for the signed-in user: Authorized, Re-authorize, Authorize', async () => {
    grantApp(sandbox, app, admin());
    grantApp(sandbox, other, admin(), ['base']);
    const adminPage = await fetchPage(`${sandbox.url}/settings/marketplace`, {
      cookie: sandbox.pipedrive.ui.signIn(admin().id).cookie,
    });
    expect(adminPage.body).toMatch(/data-installed-app="test-app"[\s\S]*?data-app-status="authorized"/);
    expect(adminPage.body).toMatch(/data-installed-app="other-app"[\s\S]*?data-app-status="reauthorize"/);

    const regularCookie = sandbox.pipedrive.ui.signIn(regular().id).cookie;
    const before = await fetchPage(`${sandbox.url}/settings/marketplace`, { cookie: regularCookie });
    expect(before.body).not.toContain('data-installed-app="test-app"');

    await sandbox.pipedrive.ui.setSharing({ clientId: 'test-app', userId: admin().id, isShared: true });
    const after = await fetchPage(`${sandbox.url}/settings/marketplace`, { cookie: regularCookie });
    expect(after.body).toMatch(/data-installed-app="test-app"[\s\S]*?data-app-status="authorize"/);
    expect(after.body).not.toContain('data-uninstall="test-app"');
  });

  it('Uninstall revokes the grant, deletes the app’s webhooks and sends the signed DELETE', async () => {
    const grant = grantApp(sandbox, app, admin());
    const otherGrant = grantApp(sandbox, app, regular());
    const state = sandbox.pipedrive.state;
    state.accessTokens.set('tok-admin', {
      token: 'tok-admin',
      grantId: grant.id,
      expiresAt: new Date(),
      revoked: false,
    });
    state.accessTokens.set('tok-other', {
      token: 'tok-other',
      grantId: otherGrant.id,
      expiresAt: new Date(),
      revoked: false,
    });
    const appHook = addWebhook(sandbox, 'test-app', admin());
    const otherAppHook = addWebhook(sandbox, 'other-app', admin());
    const otherUserHook = addWebhook(sandbox, 'test-app', regular());
    const userHook = addWebhook(sandbox, null, admin());

    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(admin().id);
    const page = await fetchPage(`${sandbox.url}/settings/marketplace/app/test-app/uninstall`, {
      cookie,
      form: { _csrf: csrfToken },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-callback-result="200"');
    expect(textOf(page.body)).toContain(`DELETE ${app.callbackUrl}`);

    const received = await appServer.waitForRequest((request) => request.method === 'DELETE');
    expect(received.url).toBe('/callback');
    expect(received.headers.authorization).toBe(
      `Basic ${Buffer.from('test-app:test-client-secret').toString('base64')}`,
    );
    expect(received.headers['content-type']).toBe('application/json');
    const body = JSON.parse(received.body) as Record<string, unknown>;
    expect(body).toEqual({
      client_id: 'test-app',
      company_id: admin().companyId,
      user_id: admin().id,
      timestamp: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(String(body['timestamp'])))).toBe(false);

    expect(grant.revokedAt).toEqual(expect.any(Date));
    expect(otherGrant.revokedAt).toBeNull();
    expect(state.accessTokens.get('tok-admin')?.revoked).toBe(true);
    expect(state.accessTokens.get('tok-other')?.revoked).toBe(false);
    expect([...state.webhooks.keys()].sort()).toEqual([otherAppHook.id, otherUserHook.id, userHook.id].sort());
    expect(state.webhooks.has(appHook.id)).toBe(false);

    const installed = await fetchPage(`${sandbox.url}/settings/marketplace`, { cookie });
    expect(installed.body).not.toContain('data-installed-app="test-app"');
  });

  it('shows the failure when the app does not answer, and refuses to uninstall what is not installed', async () => {
    const unreachable = testAppRegistration(appServer, { clientId: 'gone', callbackUrl: 'http://127.0.0.1:9/cb' });
    sandbox.pipedrive.registerApp(unreachable);
    grantApp(sandbox, unreachable, admin());
    const call = await sandbox.pipedrive.ui.uninstall({ clientId: 'gone', userId: admin().id });
    expect(call.status).toBeNull();
    expect(call.error).toEqual(expect.any(String));
    await expect(sandbox.pipedrive.ui.uninstall({ clientId: 'gone', userId: admin().id })).rejects.toThrow(
      'is not installed',
    );
    expect(sandbox.pipedrive.ui.state.callbackCalls).toHaveLength(1);
  });

  it('refuses an uninstall form without the CSRF token', async () => {
    grantApp(sandbox, app, admin());
    const { cookie } = sandbox.pipedrive.ui.signIn(admin().id);
    const page = await fetchPage(`${sandbox.url}/settings/marketplace/app/test-app/uninstall`, {
      cookie,
      form: { _csrf: 'forged' },
    });
    expect(page.status).toBe(403);
    expect(appServer.requests.filter((request) => request.method === 'DELETE')).toHaveLength(0);
  });

  it('an admin’s sharing change POSTs {company_id, user_id, isShared} to the callback URL', async () => {
    grantApp(sandbox, app, admin());
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(admin().id);
    const page = await fetchPage(`${sandbox.url}/settings/marketplace/app/test-app/sharing`, {
      cookie,
      form: { _csrf: csrfToken, isShared: 'true' },
    });
    expect(page.status).toBe(200);
    const received = await appServer.waitForRequest((request) => request.method === 'POST');
    expect(received.url).toBe('/callback');
    expect(JSON.parse(received.body)).toEqual({ company_id: admin().companyId, user_id: admin().id, isShared: true });

    await sandbox.pipedrive.ui.setSharing({ clientId: 'test-app', userId: admin().id, isShared: false });
    const posts = appServer.requests.filter((request) => request.method === 'POST');
    expect(JSON.parse(posts[1]?.body ?? '{}')).toMatchObject({ isShared: false });
  });

  it('only admins who installed the app may share it', async () => {
    grantApp(sandbox, app, regular());
    await expect(
      sandbox.pipedrive.ui.setSharing({ clientId: 'test-app', userId: regular().id, isShared: true }),
    ).rejects.toThrow('Only admins');
    await expect(
      sandbox.pipedrive.ui.setSharing({ clientId: 'test-app', userId: admin().id, isShared: true }),
    ).rejects.toThrow('Install Test App yourself');
  });
});
