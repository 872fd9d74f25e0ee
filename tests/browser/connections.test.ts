import { and, eq } from 'drizzle-orm';
import { connections } from '../../server/db/schema/index.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';
import { describeInChromium, extensionFrame } from './helpers/chromium.ts';
import { followMailedLink, signInToPipedrive, useChromiumWithParley } from './helpers/parley-server.ts';

describeInChromium('connecting Parley in the browser (sandbox)', () => {
  const chromium = useChromiumWithParley();

  it('the admin installs Parley from the Marketplace and lands on onboarding; a regular user then connects only for themself from the app-settings page', async () => {
    const { browser, sandbox, testApp, parleyUrl } = chromium;
    const { admin, users } = sandbox.pipedrive.seed.demo;
    const sam = users[1];
    if (sam === undefined) throw new Error('the sandbox seed has a regular user');
    const settingsUrl = `${sandbox.url}/settings/marketplace/app/${TEST_SECRETS.clientId}/app-settings`;

    // Ada, a Pipedrive admin with no Parley account: Marketplace → Install → consent → onboarding.
    const adaContext = await browser.newContext();
    const ada = await adaContext.newPage();
    await signInToPipedrive(ada, `${sandbox.url}/marketplace`, admin.id);
    await ada.locator(`[data-install="${TEST_SECRETS.clientId}"]`).click();
    await ada.getByRole('button', { name: 'Allow and install' }).click();
    await ada.waitForURL(`${parleyUrl}/onboarding?new=1`);
    await ada.getByText('Acme Demo is connected to Parley').waitFor();
    expect(await ada.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome to Parley');

    // Her settings page inside Pipedrive shows the organization connected by her.
    await ada.goto(settingsUrl);
    const adaSettings = await extensionFrame(ada, 'iframe.pd-frame[data-kind="custom_ui_settings"]');
    await adaSettings.getByText('connected by Ada Admin (you)').waitFor();
    // She chooses how often an active chat's note may be rewritten (the budget it spends).
    const interval = adaSettings.getByLabel("Update an active chat's timeline entry");
    expect(await interval.locator('option:checked').textContent()).toBe('At most every 30 seconds');
    await interval.selectOption({ label: 'At most every 2 minutes' });
    await adaSettings.getByRole('button', { name: 'Save settings' }).click();
    await adaSettings.getByText('Settings saved.').waitFor();
    await ada.screenshot({ path: 'tmp/screenshots/sync-settings-interval.png', fullPage: true });
    expect((await testApp.domain.syncSettings.get(admin.companyId)).timelineUpdateIntervalSeconds).toBe(120);

    // Ada invites Sam to the workspace; Sam signs up through the link.
    await ada.goto(`${parleyUrl}/team`);
    await ada.getByLabel('Email').fill(sam.email);
    await ada.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await ada.getByLabel('Invitation link').inputValue();
    const samContext = await browser.newContext();
    const samPage = await samContext.newPage();
    await samPage.goto(link);
    await samPage.getByRole('button', { name: 'Create an account' }).click();
    await samPage.getByLabel('Your name').fill(sam.name);
    await samPage.getByLabel('Password').fill('a long enough password');
    // Joining a workspace: no workspace name is asked.
    expect(await samPage.getByLabel('Workspace name').count()).toBe(0);
    await samPage.getByRole('button', { name: 'Create account' }).click();
    await samPage.getByRole('heading', { name: 'Check your email' }).waitFor();
    // The account exists once Sam opens the link Parley mailed (the sandbox's mailbox shows it).
    await followMailedLink(samPage, sandbox, sam.email, 'Confirm your email');
    await samPage.getByText('Your email is confirmed').waitFor();
    await samPage.goto(`${link}`);
    await samPage.getByRole('button', { name: 'I have an account' }).click();
    await samPage.locator('input[autocomplete=current-password]').fill('a long enough password');
    await samPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await samPage.waitForURL(/\/invite\//);
    await samPage.getByRole('button', { name: `Accept as ${sam.email}` }).click();
    await samPage.waitForURL(`${parleyUrl}/integrations/pipedrive`);

    // Sam has authorized the app in Pipedrive (so its extensions show for him), but has no
    // personal connection in Parley yet: the settings page offers "Connect only for me".
    sandbox.pipedrive.authorizeApp({ clientId: TEST_SECRETS.clientId, userId: sam.id });
    await signInToPipedrive(samPage, settingsUrl, sam.id);
    const samSettings = await extensionFrame(samPage, 'iframe.pd-frame[data-kind="custom_ui_settings"]');
    await samSettings.getByText('not connected — live chat and sending are off for you').waitFor();

    const popupOpened = samPage.waitForEvent('popup');
    await samSettings.getByRole('button', { name: 'Connect only for me' }).click();
    const popup = await popupOpened;
    await popup.getByRole('button', { name: 'Allow and authorize' }).click();
    await popup.getByText('You are connected').waitFor();
    await samSettings.getByText('You are connected to Parley.').waitFor();
    await samSettings.getByRole('button', { name: 'Disconnect only for me' }).waitFor();

    const [row] = await testApp.database.db
      .select()
      .from(connections)
      .where(and(eq(connections.companyId, sam.companyId), eq(connections.pipedriveUserId, sam.id)));
    expect(row).toMatchObject({ isPersonalConnection: true, isOrgConnection: false, state: 'active' });
    expect(row?.memberId).not.toBeNull();

    // Ada's Pipedrive page shows the budget meter (the settings pages spent tokens), and the pause.
    await testApp.database.pool.query(
      "update companies set budget_paused_until = now() + interval '3 hours' where id = $1",
      [admin.companyId],
    );
    await ada.goto(`${parleyUrl}/integrations/pipedrive`);
    await ada.getByRole('heading', { name: 'Pipedrive API budget' }).waitFor();
    // Three hours on may fall tomorrow (after 21:00 UTC), when the time is printed with its day.
    await ada.getByText(/Sync paused until [\w ,]*\d{1,2}:\d{2}/).waitFor();
    await ada
      .getByRole('table', { name: 'Pipedrive API tokens per day' })
      .getByText(/Settings: \d+/)
      .waitFor();
    await ada.screenshot({ path: 'tmp/screenshots/budget-meter.png', fullPage: true });

    await adaContext.close();
    await samContext.close();
  });
});
