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
    const phonePath = `${sandbox.whatsapp.customerPhonePath}?number=${sandbox.whatsapp.numbers[0]?.phoneNumberId}`;
    expect(page.body).toContain(`href="${phonePath}"`);
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

  it('offers a copy button for each value pasted into Parley', async () => {
    const [number] = sandbox.whatsapp.numbers;
    if (!number) throw new Error('the WhatsApp emulator seeds a business number');
    const { body } = await fetchPage(`${sandbox.url}/start`);
    for (const value of [number.phoneNumberId, number.wabaId, number.accessToken, number.appSecret])
      expect(body).toContain(`data-copy="${value}"`);
  });

  it('is linked from the top bar of every signed-in page', async () => {
    const { cookie } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.users[1]?.id ?? 0);
    const deals = await fetchPage(`${sandbox.url}/deals`, { cookie });
    expect(deals.body).toMatch(/<nav class="nav"[^]*href="\/start"[^]*<\/nav>/);
    const start = await fetchPage(`${sandbox.url}/start`, { cookie });
    expect(start.body).toContain('href="/start" aria-current="page"');
  });

  it("shows the signed-in company's own admin, deals, contacts and business number, not another company's", async () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const [acmeNumber, globexNumber] = sandbox.whatsapp.numbers;
    if (!acmeNumber || !globexNumber) throw new Error('the WhatsApp emulator seeds two business numbers');
    const { cookie } = sandbox.pipedrive.ui.signIn(other.users[1]?.id ?? 0);
    const { body } = await fetchPage(`${sandbox.url}/start`, { cookie });
    expect(body).toContain(`name="user_id" value="${other.admin.id}"`);
    expect(body).toContain(`data-copy="${globexNumber.phoneNumberId}"`);
    expect(body).toContain(`data-copy="${globexNumber.accessToken}"`);
    expect(body).not.toContain(acmeNumber.phoneNumberId);
    expect(body).not.toContain(acmeNumber.accessToken);
    expect(body).toContain(`href="/deal/${other.deals[0]?.id}"`);
    expect(body).toContain(`href="/person/${other.persons[0]?.id}"`);
    for (const deal of demo.deals) expect(body).not.toContain(`href="/deal/${deal.id}"`);
    for (const person of demo.persons) expect(body).not.toContain(`href="/person/${person.id}"`);
  });

  it('lists only the deals the signed-in user may see', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const privateDeal = demo.deals.find((deal) => deal.visibleTo === 1);
    const outsider = demo.users.find((user) => !user.isAdmin && user.id !== privateDeal?.ownerId);
    if (privateDeal === undefined || outsider === undefined) throw new Error('the seed has a private deal');
    const asOutsider = await fetchPage(`${sandbox.url}/start`, {
      cookie: sandbox.pipedrive.ui.signIn(outsider.id).cookie,
    });
    expect(asOutsider.body).not.toContain(`href="/deal/${privateDeal.id}"`);
    const asOwner = await fetchPage(`${sandbox.url}/start`, {
      cookie: sandbox.pipedrive.ui.signIn(privateDeal.ownerId).cookie,
    });
    expect(asOwner.body).toContain(`href="/deal/${privateDeal.id}"`);
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
