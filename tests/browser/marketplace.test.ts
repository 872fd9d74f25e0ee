import type { Browser } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import type { RegisteredApp } from '../../sandbox/pipedrive/state.ts';
import { grantApp, startTestAppServer, testAppRegistration, type TestAppServer } from '../helpers/sandbox-test-app.ts';
import { describeInChromium, launchChromium } from './helpers/chromium.ts';

describeInChromium('Marketplace in the browser', () => {
  let appServer: TestAppServer;
  let sandbox: Sandbox;
  let app: RegisteredApp;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  beforeEach(async () => {
    appServer = await startTestAppServer();
    app = testAppRegistration(appServer);
    sandbox = await startSandbox({ port: 0, timeScale: 0.001, apps: [app] });
  });

  afterEach(async () => {
    await sandbox.close();
    await appServer.close();
  });

  afterAll(async () => {
    await browser.close();
  });

  it('signs in through the user picker, installs from the listing and lands on the app’s callback with a code', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const { admin } = sandbox.pipedrive.seed.demo;
      await page.goto(`${sandbox.url}/marketplace`);
      await page.locator(`[data-sign-in-as="${admin.id}"]`).click();
      await page.waitForURL(`${sandbox.url}/marketplace`);
      expect(await page.locator('.who').textContent()).toContain(admin.name);

      await page.locator('[data-install="test-app"]').click();
      await page.getByRole('button', { name: 'Allow and install' }).click();
      const callback = await appServer.waitForRequest(
        (request) => request.method === 'GET' && request.url.startsWith('/callback?'),
      );
      const query = new URL(callback.url, appServer.url).searchParams;
      expect([...query.keys()]).toEqual(['code']);
      expect(sandbox.pipedrive.state.authorizationCodes.get(query.get('code') ?? '')).toMatchObject({
        clientId: 'test-app',
        userId: admin.id,
        exchanged: false,
      });
    } finally {
      await context.close();
    }
  });

  it('drives Uninstall from the installed apps page and the signed DELETE arrives', async () => {
    const { admin } = sandbox.pipedrive.seed.demo;
    const grant = grantApp(sandbox, app, admin);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${sandbox.url}/settings/marketplace`);
      await page.locator(`[data-sign-in-as="${admin.id}"]`).click();
      await page.waitForURL(`${sandbox.url}/settings/marketplace`);
      expect(await page.locator('[data-installed-app="test-app"] [data-app-status]').textContent()).toBe('Authorized');

      await page.locator('[data-uninstall="test-app"]').click();
      await page.locator('[data-callback-result="200"]').waitFor();
      expect(await page.locator('[data-callback-result]').textContent()).toContain(`DELETE ${app.callbackUrl}`);

      const received = await appServer.waitForRequest((request) => request.method === 'DELETE');
      expect(received.headers.authorization).toBe(
        `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      );
      expect(JSON.parse(received.body)).toEqual({
        client_id: app.clientId,
        company_id: admin.companyId,
        user_id: admin.id,
        timestamp: expect.any(String),
      });
      expect(grant.revokedAt).not.toBeNull();

      await page.goto(`${sandbox.url}/deal/${sandbox.pipedrive.seed.demo.deals[1]?.id}`);
      expect(await page.locator('[data-app-panel="test-app"]').textContent()).toContain(
        'Authorize app to use this extension',
      );
    } finally {
      await context.close();
    }
  });
});
