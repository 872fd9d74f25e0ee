import { jwtVerify } from 'jose';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { RegisteredApp, User } from '../../../sandbox/pipedrive/state.ts';
import { fetchPage, iframesOf, textOf } from '../../helpers/sandbox-pages.ts';
import {
  grantApp,
  startTestAppServer,
  testAppRegistration,
  type TestAppServer,
} from '../../helpers/sandbox-test-app.ts';

const secret = new TextEncoder().encode('test-jwt-secret');

describe('sandbox extension frames', () => {
  let sandbox: Sandbox;
  let appServer: TestAppServer;
  let app: RegisteredApp;

  beforeAll(async () => {
    appServer = await startTestAppServer();
    app = testAppRegistration(appServer);
    sandbox = await startSandbox({ port: 0, timeScale: 0.001, apps: [app] });
    grantApp(sandbox, app, sandbox.pipedrive.seed.demo.admin);
  });

  afterAll(async () => {
    await sandbox.close();
    await appServer.close();
  });

  const admin = () => sandbox.pipedrive.seed.demo.admin;
  const dealPath = () => `/deal/${sandbox.pipedrive.seed.demo.deals[1]?.id}`;

  it('embeds the panel with Pipedrive’s query parameters and a JWT signed with the app’s secret', async () => {
    const deal = sandbox.pipedrive.seed.demo.deals[1];
    const page = await fetchPage(`${sandbox.url}${dealPath()}`, {
      cookie: sandbox.pipedrive.ui.signIn(admin().id).cookie,
    });
    const panel = iframesOf(page.body).find((frame) => frame.kind === 'custom_panel');
    if (panel === undefined) throw new Error('no panel iframe');
    expect(`${panel.url.origin}${panel.url.pathname}`).toBe(`${appServer.url}/ext/panel`);
    const params = Object.fromEntries(panel.url.searchParams);
    expect(Object.keys(params)).toEqual([
      'id',
      'token',
      'userId',
      'companyId',
      'resource',
      'view',
      'selectedIds',
      'theme',
    ]);
    expect(params).toMatchObject({
      userId: String(admin().id),
      companyId: String(admin().companyId),
      resource: 'deal',
      view: 'details',
      selectedIds: String(deal?.id),
      theme: 'light',
    });

    const { payload, protectedHeader } = await jwtVerify(params['token'] ?? '', secret, { algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toEqual({
      userId: admin().id,
      companyId: admin().companyId,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    await expect(jwtVerify(params['token'] ?? '', new TextEncoder().encode('test-client-secret'))).rejects.toThrow();
  });

  it('gives every iframe instance its own id', async () => {
    const { cookie } = sandbox.pipedrive.ui.signIn(admin().id);
    const ids = [];
    for (let load = 0; load < 2; load++) {
      const page = await fetchPage(`${sandbox.url}${dealPath()}`, { cookie });
      ids.push(...iframesOf(page.body).map((frame) => frame.url.searchParams.get('id')));
    }
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });

  it('embeds the floating window with only id, token, userId, companyId and theme', async () => {
    const page = await fetchPage(`${sandbox.url}/deals`, { cookie: sandbox.pipedrive.ui.signIn(admin().id).cookie });
    const floating = iframesOf(page.body).find((frame) => frame.kind === 'custom_floating_window');
    expect(Object.keys(Object.fromEntries(floating?.url.searchParams ?? []))).toEqual([
      'id',
      'token',
      'userId',
      'companyId',
      'theme',
    ]);
    expect(page.body).toContain('data-dock-for="test-app"');
  });

  it('shows a person panel with resource=person', async () => {
    const person = sandbox.pipedrive.seed.demo.persons[1];
    const page = await fetchPage(`${sandbox.url}/person/${person?.id}`, {
      cookie: sandbox.pipedrive.ui.signIn(admin().id).cookie,
    });
    const panel = iframesOf(page.body).find((frame) => frame.kind === 'custom_panel');
    expect(panel?.url.searchParams.get('resource')).toBe('person');
    expect(panel?.url.searchParams.get('selectedIds')).toBe(String(person?.id));
  });

  it('shows users who have not authorized the app a hint instead of its extensions', async () => {
    const user = sandbox.pipedrive.seed.demo.users[2] as User;
    const page = await fetchPage(`${sandbox.url}${dealPath()}`, {
      cookie: sandbox.pipedrive.ui.signIn(user.id).cookie,
    });
    expect(iframesOf(page.body)).toEqual([]);
    expect(textOf(page.body)).toContain('Authorize app to use this extension');
    expect(page.body).not.toContain('data-dock-for');
  });

  it('embeds the settings extension on the app-settings deep link, with a redirect context', async () => {
    const page = await fetchPage(`${sandbox.url}/settings/marketplace/app/test-app/app-settings?tab=numbers`, {
      cookie: sandbox.pipedrive.ui.signIn(admin().id).cookie,
    });
    expect(page.status).toBe(200);
    const settings = iframesOf(page.body).find((frame) => frame.kind === 'custom_ui_settings');
    expect(`${settings?.url.origin}${settings?.url.pathname}`).toBe(`${appServer.url}/ext/settings`);
    expect(Object.fromEntries(settings?.url.searchParams ?? [])).toMatchObject({
      tab: 'numbers',
      userId: String(admin().id),
      companyId: String(admin().companyId),
    });
  });

  describe('host endpoints the page script calls', () => {
    async function frameOnDealPage(user: User) {
      const session = sandbox.pipedrive.ui.signIn(user.id);
      const page = await fetchPage(`${sandbox.url}${dealPath()}`, { cookie: session.cookie });
      const panel = iframesOf(page.body).find((frame) => frame.kind === 'custom_panel');
      return {
        ...session,
        id: panel?.url.searchParams.get('id') ?? '',
        urlToken: panel?.url.searchParams.get('token'),
      };
    }
    const post = (path: string, cookie: string, csrf: string, body: unknown = {}) =>
      fetch(`${sandbox.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('GET_SIGNED_TOKEN: the same token while valid, a new one after it expires', async () => {
      const frame = await frameOnDealPage(admin());
      const first = (await (await post(`/sandbox/frames/${frame.id}/token`, frame.cookie, frame.csrfToken)).json()) as {
        token: string;
      };
      expect(first.token).toBe(frame.urlToken);
      sandbox.clock.advance(301_000);
      const second = (await (
        await post(`/sandbox/frames/${frame.id}/token`, frame.cookie, frame.csrfToken)
      ).json()) as {
        token: string;
      };
      expect(second.token).not.toBe(first.token);
      const { payload } = await jwtVerify(second.token, secret, {
        currentDate: sandbox.clock.now(),
        algorithms: ['HS256'],
      });
      expect(payload['userId']).toBe(admin().id);
    });

    it('answers only the frame’s own user, with the page’s CSRF token', async () => {
      const frame = await frameOnDealPage(admin());
      expect((await post(`/sandbox/frames/${frame.id}/token`, frame.cookie, 'forged')).status).toBe(403);
      const stranger = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.users[1]?.id ?? 0);
      expect((await post(`/sandbox/frames/${frame.id}/token`, stranger.cookie, stranger.csrfToken)).status).toBe(404);
    });

    it('OPEN_MODAL: finds the custom modal by id or name and passes data as JSON', async () => {
      const frame = await frameOnDealPage(admin());
      for (const actionId of ['test-modal', 'Test modal']) {
        const response = await post(`/sandbox/frames/${frame.id}/modal`, frame.cookie, frame.csrfToken, {
          action_id: actionId,
          data: { item: 'xyz', n: 1 },
        });
        expect(response.status).toBe(200);
        const { url } = (await response.json()) as { url: string };
        const modal = new URL(url);
        expect(`${modal.origin}${modal.pathname}`).toBe(`${appServer.url}/ext/modal`);
        expect(JSON.parse(modal.searchParams.get('data') ?? '')).toEqual({ item: 'xyz', n: 1 });
        expect(modal.searchParams.get('resource')).toBe('deal');
      }
      const missing = await post(`/sandbox/frames/${frame.id}/modal`, frame.cookie, frame.csrfToken, {
        action_id: 'nope',
      });
      expect(missing.status).toBe(404);
    });
  });
});
