import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { fetchPage, textOf } from '../../helpers/sandbox-pages.ts';
import {
  grantApp,
  startTestAppServer,
  testAppRegistration,
  type TestAppServer,
} from '../../helpers/sandbox-test-app.ts';

describe('sandbox Start page', () => {
  let sandbox: Sandbox;
  let appServer: TestAppServer;

  beforeAll(async () => {
    appServer = await startTestAppServer();
    sandbox = await startSandbox({
      port: 0,
      timeScale: 0.001,
      apps: [testAppRegistration(appServer, { clientId: 'parley-sandbox', name: 'Parley' })],
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await appServer.close();
  });

  it('walks a new user through the five steps, with working links', async () => {
    const page = await fetchPage(`${sandbox.url}/start`);
    expect(page.status).toBe(200);
    const { admin, deals } = sandbox.pipedrive.seed.demo;
    expect(page.body).toContain(`name="user_id" value="${admin.id}"`);
    expect(page.body).toContain('href="/marketplace/app/parley-sandbox"');
    expect(page.body).toContain(`href="/deal/${deals[0]?.id}"`);
    expect(page.body).toContain(`href="${sandbox.whatsapp.customerPhonePath}"`);
    expect(page.body).toContain('href="/settings/marketplace/app/parley-sandbox/app-settings"');
    const text = textOf(page.body);
    for (const step of [
      'Sign in to Pipedrive as the admin',
      'Install Parley',
      'Connect a WhatsApp number',
      'Open a deal',
    ])
      expect(text).toContain(step);
    expect(text).toContain("Parley's WhatsApp settings");
    expect((await fetchPage(`${sandbox.url}/`)).location).toBe('/start');
  });

  it('shows the sandbox business number’s credentials', async () => {
    const [number] = sandbox.whatsapp.numbers;
    if (!number) throw new Error('the WhatsApp emulator seeds a business number');
    const text = textOf((await fetchPage(`${sandbox.url}/start`)).body);
    for (const value of [
      number.phoneNumberId,
      number.wabaId,
      number.accessToken,
      number.appSecret,
      `+${number.displayPhoneNumber}`,
    ])
      expect(text).toContain(value);
  });

  it('ticks off signing in and installing', async () => {
    const { admin } = sandbox.pipedrive.seed.demo;
    const { cookie } = sandbox.pipedrive.ui.signIn(admin.id);
    const before = await fetchPage(`${sandbox.url}/start`, { cookie });
    expect(before.body).toContain('class="done" data-step="sign-in"');
    expect(before.body).toContain('class="" data-step="install"');
    const app = sandbox.pipedrive.state.apps.get('parley-sandbox');
    if (app === undefined) throw new Error('app not registered');
    grantApp(sandbox, app, admin);
    const after = await fetchPage(`${sandbox.url}/start`, { cookie });
    expect(after.body).toContain('class="done" data-step="install"');
  });
});
