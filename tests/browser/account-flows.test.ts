import { eq } from 'drizzle-orm';
import { companies } from '../../server/db/schema/index.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';
import { describeInChromium } from './helpers/chromium.ts';
import { followMailedLink, signInToPipedrive, useChromiumWithParley } from './helpers/parley-server.ts';

const SCREENSHOTS = process.env['PARLEY_SCREENSHOTS'];

describeInChromium('accounts in the browser: mailed links and the parked-install confirmation', () => {
  const chromium = useChromiumWithParley();

  it('signs up, confirms the address from the sandbox mailbox, signs in; then finishes a Marketplace install on the confirmation page', async () => {
    const { browser, sandbox, testApp, parleyUrl } = chromium;
    const ada = sandbox.pipedrive.seed.demo.admin;
    const context = await browser.newContext();
    const page = await context.newPage();

    // Sign-up: no account until the mailed link is opened.
    await page.goto(`${parleyUrl}/signup`);
    await page.locator('input[autocomplete=name]').fill('Ada');
    await page.locator('input[autocomplete=email]').fill(ada.email);
    await page.locator('input[autocomplete=new-password]').fill('a long enough password');
    await page.locator('form input').nth(3).fill('Ada’s team');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    await followMailedLink(page, sandbox, ada.email, 'Confirm your email');
    await page.getByText('Your email is confirmed and your account is ready').waitFor();
    if (SCREENSHOTS !== undefined) await page.screenshot({ path: `${SCREENSHOTS}/verify-email.png` });
    // The token was in the fragment and is gone from the address bar.
    expect(page.url()).toBe(`${parleyUrl}/verify-email`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('input[autocomplete=username]').fill(ada.email);
    await page.locator('input[autocomplete=current-password]').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${parleyUrl}/integrations/pipedrive`);
    if (SCREENSHOTS !== undefined) {
      await page.goto(`${parleyUrl}/account`);
      await page.getByRole('heading', { name: 'Change your password' }).waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}/account.png`, fullPage: true });
      await page.goto(`${sandbox.url}/mail`);
      await page.screenshot({ path: `${SCREENSHOTS}/mailbox.png` });
      await page.goto(`${parleyUrl}/integrations/pipedrive`);
    }
    await page.getByText('Sign out').click();
    await page.waitForURL(`${parleyUrl}/login`);

    // Ada installs from the Marketplace: her email has an account, so she signs in and confirms.
    await signInToPipedrive(page, `${sandbox.url}/marketplace`, ada.id);
    await page.locator(`[data-install="${TEST_SECRETS.clientId}"]`).click();
    await page.getByRole('button', { name: 'Allow and install' }).click();
    await page.waitForURL(/\/login\?resume=/);
    await page.locator('input[autocomplete=current-password]').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/oauth\/resume\//);
    await page.getByRole('heading', { name: 'Connect this Pipedrive company?' }).waitFor();
    expect(await page.locator('dl').textContent()).toContain('Acme Demo');
    expect(await page.locator('dl').textContent()).toContain(`${ada.name} (${ada.email})`);
    if (SCREENSHOTS !== undefined) await page.screenshot({ path: `${SCREENSHOTS}/confirm-install.png` });
    expect(await testApp.database.db.select().from(companies)).toEqual([]);

    await page.getByRole('button', { name: 'Connect' }).click();
    await page.waitForURL(`${parleyUrl}/onboarding`);
    const [company] = await testApp.database.db.select().from(companies).where(eq(companies.id, ada.companyId));
    expect(company).toMatchObject({ status: 'connected' });
    await context.close();
  });
});
