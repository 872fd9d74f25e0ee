import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { User } from '../../sandbox/pipedrive/state.ts';
import { seedChannel, workspaceOfCompany } from '../helpers/live-chat.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';
import { clickToCloseWindow, describeInChromium, extensionFrame, signedInContext } from './helpers/chromium.ts';
import { followMailedLink, signInToPipedrive, useChromiumWithParley } from './helpers/parley-server.ts';

/** Git-ignored: a screenshot of every screen a joining salesperson and their admin see. */
const SCREENSHOTS = path.resolve('tests/browser/screenshots');
const PANEL = 'iframe[data-kind="custom_panel"]';

/**
 * Issue 11: each route into the workspace (invitation accepted from the panel, join request
 * approved, existing member) ends with the salesperson's deal panel connected after exactly one
 * consent at Pipedrive.
 */
describeInChromium('joining the workspace from the Pipedrive panel (sandbox)', () => {
  const chromium = useChromiumWithParley();
  const contexts: BrowserContext[] = [];

  beforeAll(() => mkdirSync(SCREENSHOTS, { recursive: true }));
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `joining-${name}.png`), fullPage: true });

  const seededAt = <T>(seeded: T[], index: number): T => {
    const found = seeded[index];
    if (found === undefined) throw new Error('the sandbox seed changed');
    return found;
  };

  /** A Pipedrive admin installs Parley from the Marketplace; their page ends signed in to Parley. */
  async function installAs(admin: User): Promise<Page> {
    const context = await chromium.browser.newContext();
    contexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: chromium.parleyUrl });
    const page = await context.newPage();
    await signInToPipedrive(page, `${chromium.sandbox.url}/marketplace`, admin.id);
    await page.locator(`[data-install="${TEST_SECRETS.clientId}"]`).click();
    await page.getByRole('button', { name: /^Allow/ }).click();
    await page.waitForURL(`${chromium.parleyUrl}/onboarding?new=1`);
    return page;
  }

  /** A salesperson's Pipedrive tab on a deal, with Parley's panel in it. */
  async function dealPanelOf(user: User, dealId: number): Promise<{ page: Page; panel: Frame }> {
    // Their Pipedrive shows the app's extensions (the app is installed for the company).
    chromium.sandbox.pipedrive.authorizeApp({ clientId: TEST_SECRETS.clientId, userId: user.id });
    const context = await signedInContext(chromium.browser, chromium.sandbox, user.id);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${chromium.sandbox.url}/deal/${dealId}`);
    return { page, panel: await extensionFrame(page, PANEL) };
  }

  /**
   * "Connect only for me" in the panel, and the one consent at Pipedrive, in the popup the panel
   * opens. Returns the popup showing Parley's outcome; fails if a second window or consent appears.
   */
  async function connectOnce(page: Page, panel: Frame, name: string): Promise<Page> {
    const popups: Page[] = [];
    page.context().on('page', (opened) => popups.push(opened));
    const popupOpened = page.waitForEvent('popup');
    await panel.getByRole('button', { name: 'Connect only for me' }).click();
    const popup = await popupOpened;
    const allow = popup.getByRole('button', { name: /^Allow/ });
    await allow.waitFor();
    await shot(popup, `${name}-2-consent`);
    await allow.click();
    await popup.waitForURL(`${chromium.parleyUrl}/oauth/callback**`);
    await popup.getByRole('heading', { level: 1 }).waitFor();
    expect(popups).toEqual([popup]);
    return popup;
  }

  /** The workspace gets a WhatsApp number, so a connected panel shows the record's chat state. */
  async function addWhatsAppNumber(companyId: number): Promise<void> {
    const { db } = chromium.testApp.database;
    await seedChannel(db, await workspaceOfCompany(db, companyId), 'Sales line', '+15550001111');
  }

  async function expectPanelConnected(panel: Frame): Promise<void> {
    // Connected: the panel moves past the connection states to the record's chat (none yet).
    await panel.getByText('No WhatsApp chat yet').waitFor();
    expect(await panel.getByRole('button', { name: 'Connect only for me' }).count()).toBe(0);
  }

  let ada: Page;

  it('(a) an invitation is accepted from the panel: one consent joins and connects, no password', async () => {
    const { demo } = chromium.sandbox.pipedrive.seed;
    const sam = seededAt(demo.users, 1);
    ada = await installAs(demo.admin);
    await addWhatsAppNumber(demo.company.id);

    // Ada invites Sam; the link stays on the team page to copy again.
    await ada.goto(`${chromium.parleyUrl}/team`);
    await ada.getByLabel('Email').fill(sam.email);
    await ada.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await ada.getByLabel('Invitation link').inputValue();
    await ada.reload();
    const row = ada.getByRole('row').filter({ hasText: sam.email });
    await row.getByRole('button', { name: 'Copy link' }).click();
    await ada.getByText('Link copied.').waitFor();
    expect(await ada.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await shot(ada, 'a-0-team-invitation');

    // Sam has not opened the link: he clicks Connect in the deal panel.
    const { page, panel } = await dealPanelOf(sam, seededAt(demo.deals, 0).id);
    await panel.getByRole('button', { name: 'Connect only for me' }).waitFor();
    await shot(page, 'a-1-panel-not-connected');
    const popup = await connectOnce(page, panel, 'a');
    await popup.getByText('You joined and are connected').waitFor();
    await popup.getByText(/accepted your invitation and joined Acme Demo/).waitFor();
    await shot(popup, 'a-3-popup-joined');
    // The popup stays; closing it is the way back to the deal.
    await clickToCloseWindow(popup, 'Close this window');

    await expectPanelConnected(panel);
    await shot(page, 'a-4-panel-connected');

    // The invitation is used: Ada's team page lists Sam as a member, with no link left to copy.
    await ada.goto(`${chromium.parleyUrl}/team`);
    await ada.getByRole('row').filter({ hasText: sam.email }).getByRole('combobox').waitFor();
    expect(await ada.getByRole('button', { name: 'Copy link' }).count()).toBe(0);
    // The link itself no longer works.
    const stranger = await chromium.browser.newContext();
    contexts.push(stranger);
    const visitor = await stranger.newPage();
    await visitor.goto(link);
    await visitor
      .getByText('This invitation link is invalid, was already used, or has expired.', { exact: false })
      .waitFor();
  });

  it('(b) a join request is approved: the panel waits, then turns connected by itself, with no second consent', async () => {
    const { other } = chromium.sandbox.pipedrive.seed;
    const otto = seededAt(other.users, 1);
    const gina = await installAs(other.admin);
    await addWhatsAppNumber(other.company.id);

    const { page, panel } = await dealPanelOf(otto, seededAt(other.deals, 0).id);
    await panel.getByRole('button', { name: 'Connect only for me' }).waitFor();
    await shot(page, 'b-1-panel-not-connected');
    const popup = await connectOnce(page, panel, 'b');
    await popup.getByRole('heading', { name: 'Waiting for an admin to approve you' }).waitFor();
    await shot(popup, 'b-3-popup-waiting');
    await clickToCloseWindow(popup, 'Close this window');

    await panel.getByText(/Waiting for approval since/).waitFor();
    await shot(page, 'b-4-panel-waiting');

    // Gina's home says someone is asking to join; she approves on the team page.
    await gina.goto(`${chromium.parleyUrl}/integrations/pipedrive`);
    await gina.getByText(`${otto.name} is asking to join this workspace.`).waitFor();
    await shot(gina, 'b-5-admin-home-pending');
    await gina.getByRole('link', { name: 'Review on the Team page' }).click();
    const request = gina.getByRole('row').filter({ hasText: otto.email });
    await request.waitFor();
    await shot(gina, 'b-6-team-asking-to-join');
    await request.getByRole('button', { name: 'Approve' }).click();
    await gina.getByText(`${otto.email} joined the workspace.`).waitFor();
    // The team list reloads after the notice: the request leaves it (waits for that, fails if it stays).
    await gina.getByRole('button', { name: 'Approve' }).waitFor({ state: 'detached' });
    expect(await gina.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    // Otto's panel polls while he waits: it turns connected without him doing anything.
    await expectPanelConnected(panel);
    await shot(page, 'b-7-panel-connected');
  });

  it('(c) an existing member connects from the panel with one consent', async () => {
    const { demo } = chromium.sandbox.pipedrive.seed;
    const rita = seededAt(demo.users, 2);

    // Rita joins by the invitation page with a password: no workspace name is asked.
    await ada.goto(`${chromium.parleyUrl}/team`);
    await ada.getByLabel('Email').fill(rita.email);
    await ada.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await ada.getByLabel('Invitation link').inputValue();
    const ritaDashboard = await chromium.browser.newContext();
    contexts.push(ritaDashboard);
    const dashboard = await ritaDashboard.newPage();
    await dashboard.goto(link);
    await dashboard.getByRole('button', { name: 'Sign in with Pipedrive' }).waitFor();
    await shot(dashboard, 'c-0-invitation-page');
    await dashboard.getByRole('button', { name: 'Create an account' }).click();
    await dashboard.getByLabel('Your name').fill(rita.name);
    await dashboard.getByLabel('Password').fill('a long enough password');
    expect(await dashboard.getByLabel('Workspace name').count()).toBe(0);
    await shot(dashboard, 'c-0-signup-joining');
    await dashboard.getByRole('button', { name: 'Create account' }).click();
    await dashboard.getByRole('heading', { name: 'Check your email' }).waitFor();
    await followMailedLink(dashboard, chromium.sandbox, rita.email, 'Confirm your email');
    await dashboard.getByText('Your email is confirmed').waitFor();
    await dashboard.goto(link);
    await dashboard.getByRole('button', { name: 'I have an account' }).click();
    await dashboard.locator('input[autocomplete=current-password]').fill('a long enough password');
    await dashboard.getByRole('button', { name: 'Sign in', exact: true }).click();
    await dashboard.waitForURL(/\/invite\//);
    await dashboard.getByRole('button', { name: `Accept as ${rita.email}` }).click();
    await dashboard.waitForURL(`${chromium.parleyUrl}/integrations/pipedrive`);

    const { page, panel } = await dealPanelOf(rita, seededAt(demo.deals, 0).id);
    await panel.getByRole('button', { name: 'Connect only for me' }).waitFor();
    await shot(page, 'c-1-panel-not-connected');
    const popup = await connectOnce(page, panel, 'c');
    await popup.getByRole('heading', { name: 'You are connected' }).waitFor();
    await shot(popup, 'c-3-popup-connected');
    await expectPanelConnected(panel);
    await shot(page, 'c-4-panel-connected');
  });

  it("after Disconnect Organization, a salesperson's panel says an admin disconnected it", async () => {
    const { demo } = chromium.sandbox.pipedrive.seed;
    await ada.goto(`${chromium.parleyUrl}/integrations/pipedrive`);
    await ada.getByRole('button', { name: 'Disconnect Organization' }).click();
    await ada.getByRole('dialog').getByRole('button', { name: 'Disconnect everyone' }).click();
    await ada.getByText('The organization is disconnected.', { exact: false }).waitFor();

    const { page, panel } = await dealPanelOf(seededAt(demo.users, 1), seededAt(demo.deals, 0).id);
    await panel.getByRole('heading', { name: 'Organization disconnected' }).waitFor();
    await panel.getByText(/disconnected from Parley by an admin on/).waitFor();
    await shot(page, 'd-panel-organization-disconnected');
  });
});
