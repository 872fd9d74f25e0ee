import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { companies } from '../../server/db/schema/index.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { describeInChromium, extensionFrame } from './helpers/chromium.ts';
import { signInToPipedrive, useChromiumWithParley } from './helpers/parley-server.ts';

const SCREENSHOTS = process.env['PARLEY_SCREENSHOTS'];
if (SCREENSHOTS !== undefined) mkdirSync(SCREENSHOTS, { recursive: true });

const NARROW = { width: 375, height: 740 };
const WIDE = { width: 1280, height: 860 };

/** Whether anything makes the page wider than the window (a horizontal scrollbar). */
const overflowsHorizontally = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describeInChromium('dashboard pages in the browser: audit log, 404, settings inside Pipedrive', () => {
  const chromium = useChromiumWithParley();
  let ada: Page;

  beforeAll(async () => {
    const { browser, sandbox, parleyUrl } = chromium;
    const context = await browser.newContext({ viewport: WIDE });
    ada = await context.newPage();
    await signInToPipedrive(ada, `${sandbox.url}/marketplace`, sandbox.pipedrive.seed.demo.admin.id);
    await ada.locator(`[data-install="${TEST_SECRETS.clientId}"]`).click();
    await ada.getByRole('button', { name: 'Allow and install' }).click();
    await ada.waitForURL(`${parleyUrl}/onboarding?new=1`);
  });

  it('the settings page inside Pipedrive grows to its content (Save visible) and "Settings saved." clears on the next edit', async () => {
    const { sandbox } = chromium;
    await ada.goto(`${sandbox.url}/settings/marketplace/app/${TEST_SECRETS.clientId}/app-settings`);
    const iframe = ada.locator('iframe.pd-frame[data-kind="custom_ui_settings"]');
    const frame = await extensionFrame(ada, 'iframe.pd-frame[data-kind="custom_ui_settings"]');
    const save = frame.getByRole('button', { name: 'Save settings' });
    await save.waitFor();
    // The frame is as tall as what it shows (no inner scrolling): the page asked Pipedrive to resize it.
    await waitFor(
      async () => {
        const outer = (await iframe.boundingBox())?.height ?? 0;
        const inner = await frame.evaluate(() => document.getElementById('app')?.getBoundingClientRect().height ?? 0);
        return inner > 0 && Math.abs(outer - inner) <= 2;
      },
      { message: 'the settings frame as tall as its content' },
    );
    const frameBox = await iframe.boundingBox();
    const saveBox = await save.boundingBox();
    if (frameBox === null || saveBox === null) throw new Error('the settings frame is not laid out');
    expect(frameBox.height).not.toBe(600);
    expect(saveBox.y + saveBox.height).toBeLessThanOrEqual(frameBox.y + frameBox.height);
    if (SCREENSHOTS !== undefined)
      await ada.screenshot({ path: `${SCREENSHOTS}/settings-in-pipedrive.png`, fullPage: true });

    await save.click();
    await frame.getByText('Settings saved.').waitFor();
    await frame.getByRole('checkbox', { name: 'Skip group chats', exact: true }).click();
    await frame.getByText('Settings saved.').waitFor({ state: 'detached' });
  });

  it('the audit log reads as sentences with names and links, filters, pages, and never overflows', async () => {
    const { testApp, parleyUrl } = chromium;
    const [company] = await testApp.database.db.select().from(companies);
    if (company?.workspaceId == null) throw new Error('Ada’s install made no workspace');
    const scope = { workspaceId: company.workspaceId, companyId: company.id };
    // A long unbroken value, and enough entries for a second page.
    const longEmail = `${'a-very-long-local-part-'.repeat(6)}@${'subdomain.'.repeat(8)}example.com`;
    for (let index = 0; index < 55; index += 1)
      await testApp.domain.audit.record({
        ...scope,
        actor: 'system',
        action: 'sync.reconciled',
        detail: { chatsQueued: index },
      });
    await testApp.domain.audit.record({
      ...scope,
      actor: 'system',
      action: 'invitation.created',
      detail: { email: longEmail, role: 'member' },
    });
    await testApp.domain.audit.record({
      ...scope,
      actor: 'system',
      action: 'sync.person_linked',
      subjectType: 'chat',
      subjectId: '00000000-0000-4000-8000-000000000000',
      detail: { personId: 1, via: 'phone_search' },
    });

    await ada.goto(`${parleyUrl}/audit`);
    const table = ada.getByRole('table');
    await table.waitFor();
    expect(await table.locator('thead th').allTextContents()).toEqual(['When', 'Who', 'What happened']);
    const first = table.locator('tbody tr').first();
    expect(await first.locator('td').nth(2).innerText()).toContain(
      'Parley linked a chat to person 1, found by its phone number.',
    );
    expect(await first.getByRole('link', { name: 'person 1' }).getAttribute('href')).toBe(
      `${company.apiDomain}/person/1`,
    );
    // Dates with the month in words (the viewer's locale), never 11/30/2026.
    expect(await first.locator('td').first().innerText()).toMatch(/[A-Za-z]{3}/);
    expect(await first.locator('td').first().innerText()).not.toMatch(/\d+\/\d+\/\d+/);

    // Page 2 holds the oldest entries: the install by Ada, in words.
    await ada.getByRole('button', { name: 'Older →' }).click();
    await ada.getByText('Ada Admin installed Parley from the Pipedrive Marketplace').waitFor();
    expect(await ada.locator('tbody').innerText()).not.toContain('organization.connected');
    if (SCREENSHOTS !== undefined) await ada.screenshot({ path: `${SCREENSHOTS}/audit-wide.png`, fullPage: true });
    await ada.getByRole('button', { name: '← Newer' }).click();
    await ada.getByText('Parley linked a chat to person 1').waitFor();

    // What: only team events.
    await ada.getByLabel('What').selectOption({ label: 'Team and invitations' });
    await ada.getByText('Parley queued 54 chats').waitFor({ state: 'detached' });
    await table.and(ada.locator('[aria-busy="false"]')).waitFor();
    const sentences = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) expect(sentence).toMatch(/invited|joined|join/);
    expect(await overflowsHorizontally(ada)).toBe(false);

    // Who: Ada only; then nothing in a future range.
    await ada.getByRole('button', { name: 'Clear filters' }).click();
    const who = ada.getByLabel('Who');
    const adaActor = await who.locator('option', { hasText: 'Ada Admin' }).first().getAttribute('value');
    await who.selectOption(adaActor ?? '');
    await ada.getByText('Parley linked a chat').waitFor({ state: 'detached' });
    await table.and(ada.locator('[aria-busy="false"]')).waitFor();
    for (const who of await table.locator('tbody tr td:nth-child(2)').allInnerTexts()) expect(who).toBe('Ada Admin');
    await ada.getByLabel('From').fill('2099-01-01');
    await ada.getByText('Nothing matches these filters.').waitFor();

    // Narrow: entries stack, the long email wraps, nothing widens the page.
    await ada.getByRole('button', { name: 'Clear filters' }).click();
    await ada.setViewportSize(NARROW);
    await ada.getByText(`Parley invited ${longEmail.slice(0, 30)}`).waitFor();
    expect(await overflowsHorizontally(ada)).toBe(false);
    if (SCREENSHOTS !== undefined) await ada.screenshot({ path: `${SCREENSHOTS}/audit-narrow.png` });
    await ada.setViewportSize(WIDE);
    expect(await overflowsHorizontally(ada)).toBe(false);
  });

  it('an unknown dashboard URL shows a 404 page with a way home; an unknown API path stays JSON', async () => {
    const { parleyUrl } = chromium;
    const response = await ada.goto(`${parleyUrl}/no/such/page`);
    expect(response?.status()).toBe(404);
    await ada.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await ada.locator('main').innerText()).toContain('/no/such/page');
    if (SCREENSHOTS !== undefined) await ada.screenshot({ path: `${SCREENSHOTS}/not-found-wide.png` });
    await ada.setViewportSize(NARROW);
    expect(await overflowsHorizontally(ada)).toBe(false);
    if (SCREENSHOTS !== undefined) await ada.screenshot({ path: `${SCREENSHOTS}/not-found-narrow.png` });
    await ada.setViewportSize(WIDE);
    await ada.getByRole('link', { name: 'Go to your dashboard' }).click();
    await ada.waitForURL(`${parleyUrl}/`);
    await ada.getByRole('heading', { name: 'Page not found' }).waitFor({ state: 'detached' });

    const api = await ada.goto(`${parleyUrl}/api/no-such-endpoint`);
    expect(api?.status()).toBe(404);
    expect(JSON.parse(await ada.locator('body').innerText())).toMatchObject({ error: { code: 'route.not_found' } });
  });

  it('every table of the dashboard has headers', async () => {
    const { parleyUrl } = chromium;
    // Ada invites someone, so the team page has its invitations table too.
    await ada.goto(`${parleyUrl}/team`);
    await ada.getByLabel('Email').fill('someone@acme.test');
    await ada.getByRole('button', { name: 'Create invitation link' }).click();
    await ada.getByLabel('Invitation link').waitFor();
    let tables = 0;
    for (const path of ['/team', '/integrations/pipedrive', '/audit', '/unmatched', '/whatsapp']) {
      await ada.goto(`${parleyUrl}${path}`);
      await ada.getByRole('heading', { level: 1 }).waitFor();
      await ada.waitForLoadState('networkidle');
      for (const table of await ada.locator('table').all()) {
        tables += 1;
        const headers = await table.locator('thead th[scope="col"], tbody th[scope="row"]').count();
        expect({ path, headers: headers > 0 }).toEqual({ path, headers: true });
      }
      if (SCREENSHOTS !== undefined && path === '/team')
        await ada.screenshot({ path: `${SCREENSHOTS}/team-wide.png`, fullPage: true });
    }
    expect(tables).toBeGreaterThanOrEqual(4);
  });
});
