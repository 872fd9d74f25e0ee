import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { describeInChromium, extensionFrame, launchChromium } from './helpers/chromium.ts';
import { buildExtensions, startParleyWithSandbox } from './helpers/parley-server.ts';

/** Git-ignored: what each screen looked like before and after the restart. */
const SCREENSHOTS = path.resolve('tests/browser/screenshots');
// Two complete starts of Parley and the sandbox in one test, beside Chromium: longer than the browser default.
jest.setTimeout(180_000);

const CREDENTIAL_LABELS = ['Phone number ID', 'WhatsApp Business Account ID', 'Access token', 'App secret'];

describeInChromium('restarting Parley and the sandbox on the same data (browser)', () => {
  let browser: Browser;
  let database: TestDatabase;
  let dataDir: string;
  let extensionsDist: string;
  let parley: Awaited<ReturnType<typeof startParleyWithSandbox>> | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'parley-restart-'));
    // Parley's data outlives its restart in this database, the sandbox's in dataDir.
    database = await createTestDatabase();
    extensionsDist = buildExtensions();
    browser = await launchChromium();
    context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await parley?.close();
    await database?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `sandbox-restart-${name}.png`), fullPage: true });

  /** The values the Start page offers to copy, by label. */
  const startPageCredentials = async (page: Page): Promise<Record<string, string | null>> => {
    const values: Record<string, string | null> = {};
    for (const label of CREDENTIAL_LABELS)
      values[label] = await page.getByRole('button', { name: `Copy ${label}` }).getAttribute('data-copy');
    return values;
  };

  it('finds the same sandbox credentials, sign-in, installation and chat history after both restart', async () => {
    parley = await startParleyWithSandbox({ dataDir, database, extensionsDist });
    const { sandbox, parleyUrl } = parley;
    const { admin, deals, persons } = sandbox.pipedrive.seed.demo;
    const maria = persons[0];
    const deal = deals[0];
    if (maria === undefined || deal === undefined) throw new Error('the sandbox seeds Maria and her deal');
    const page = await context.newPage();

    // Ada signs in from the Start page and copies the access token with its button.
    await page.goto(`${sandbox.url}/start`);
    await page.getByRole('button', { name: `Sign in as ${admin.name}` }).click();
    await page.waitForURL(`${sandbox.url}/start`);
    const before = await startPageCredentials(page);
    expect(before['Access token']).toBe(sandbox.whatsapp.numbers[0]?.accessToken);
    await page.getByRole('button', { name: 'Copy Access token' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(before['Access token']);
    await shot(page, '1-start-before');

    // She installs Parley and connects the sandbox's number in Parley.
    await page.goto(`${sandbox.url}/marketplace`);
    await page.locator(`[data-install="${TEST_SECRETS.clientId}"]`).click();
    await page.getByRole('button', { name: 'Allow and install' }).click();
    await page.waitForURL(`${parleyUrl}/onboarding?new=1`);
    await page.goto(`${parleyUrl}/whatsapp`);
    await page.getByRole('button', { name: 'Use the sandbox number' }).click();
    await page.getByText('Acme Demo', { exact: false }).first().waitFor();

    // Maria writes from the customer phone; the message reaches the deal's chat panel.
    const phoneUrl = `${sandbox.url}/whatsapp/phone?customer=34600111222&number=${before['Phone number ID']}`;
    await page.goto(phoneUrl);
    await page.getByRole('textbox', { name: 'Message' }).fill('Hola, written before the restart');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('#chat').getByText('Hola, written before the restart').waitFor();
    // The panel shows a chat once Parley has found its person in Pipedrive (a few searches).
    await waitFor(
      async () => (await database.pool.query('select 1 from chats where person_id = $1', [maria.id])).rowCount === 1,
      { message: "Parley links Maria's chat to her person" },
    );
    await page.goto(`${sandbox.url}/deal/${deal.id}`);
    const panelBefore = await extensionFrame(page, 'iframe[data-kind="custom_panel"]');
    await panelBefore.getByText('Hola, written before the restart').waitFor();
    await shot(page, '2-deal-before');

    // Both stop and start again on the same ports and data.
    const ports = { parleyPort: parley.parleyPort, sandboxPort: parley.sandboxPort };
    await page.close();
    await parley.close();
    parley = undefined;
    parley = await startParleyWithSandbox({ dataDir, database, extensionsDist, ...ports });
    const restarted = parley.sandbox;
    const after = await context.newPage();

    // Still signed in (the same cookie), Parley still installed, the same credentials to copy.
    await after.goto(`${restarted.url}/start`);
    await after.locator(`[data-signed-in-user="${admin.id}"]`).waitFor();
    expect(await startPageCredentials(after)).toEqual(before);
    expect(await after.locator('[data-step="install"]').getAttribute('class')).toBe('done');
    await shot(after, '3-start-after');

    // The customer phone still shows the chat.
    await after.goto(phoneUrl);
    await after.locator('#chat').getByText('Hola, written before the restart').waitFor();
    // A message after the restart reaches Parley: the number, app secret and webhook Parley holds still work.
    await after.getByRole('textbox', { name: 'Message' }).fill('And this one after it');
    await after.getByRole('button', { name: 'Send', exact: true }).click();
    await after.locator('#chat').getByText('And this one after it').waitFor();
    await shot(after, '4-phone-after');

    await after.goto(`${restarted.url}/deal/${deal.id}`);
    const panelAfter = await extensionFrame(after, 'iframe[data-kind="custom_panel"]');
    await panelAfter.getByText('Hola, written before the restart').waitFor();
    await panelAfter.getByText('And this one after it').waitFor();
    await shot(after, '5-deal-after');
  });
});
