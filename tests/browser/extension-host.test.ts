import { jwtVerify } from 'jose';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { Sandbox } from '../../sandbox/index.ts';
import type { RegisteredApp } from '../../sandbox/pipedrive/state.ts';
import { describeInChromium } from './helpers/chromium.ts';
import { eventsOf, execute, finishCommand, startCommand } from './helpers/extension-page.ts';
import { openDealAsAdmin, startHostFixture, type HostFixture } from './helpers/host-fixture.ts';

const PANEL = 'iframe[data-kind="custom_panel"]';

describeInChromium('extension host: a panel using the real app-extensions SDK', () => {
  let fixture: HostFixture;
  let sandbox: Sandbox;
  let app: RegisteredApp;
  let context: BrowserContext;
  let page: Page;
  let panel: Frame;

  beforeAll(async () => {
    fixture = await startHostFixture();
    ({ sandbox, app } = fixture);
  });

  beforeEach(async () => {
    ({ context, page, panel } = await openDealAsAdmin(fixture));
  });

  afterEach(async () => {
    await context.close();
  });

  afterAll(async () => {
    await fixture.close();
  });

  const panelHeight = () => page.$eval(PANEL, (element) => element.getBoundingClientRect().height);

  it('initializes with its requested size and gets a signed token that verifies with the app’s JWT secret', async () => {
    expect(await panelHeight()).toBe(220);
    const { token } = (await execute(panel, 'get_signed_token')) as { token: string };
    const { payload } = await jwtVerify(token, new TextEncoder().encode(app.jwtSecret), { algorithms: ['HS256'] });
    const { admin } = sandbox.pipedrive.seed.demo;
    expect(payload).toMatchObject({ userId: admin.id, companyId: admin.companyId });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
  });

  it('resizes the panel, clamped to 100–750 px', async () => {
    await execute(panel, 'resize', { height: 333 });
    expect(await panelHeight()).toBe(333);
    await execute(panel, 'resize', { height: 5_000 });
    expect(await panelHeight()).toBe(750);
    await execute(panel, 'resize', { height: 12, width: 900 });
    expect(await panelHeight()).toBe(100);
  });

  it('shows a snackbar with its link', async () => {
    await execute(panel, 'show_snackbar', {
      message: 'Message sent',
      link: { url: 'https://example.com/chat', label: 'Open chat' },
    });
    const snackbar = page.locator('.pd-snackbar', { hasText: 'Message sent' });
    await snackbar.waitFor({ state: 'visible' });
    expect(await snackbar.locator('a').getAttribute('href')).toBe('https://example.com/chat');
    expect(await snackbar.locator('a').textContent()).toBe('Open chat');
  });

  it('shows a real confirmation dialog and answers {confirmed}', async () => {
    await startCommand(panel, 'delete', 'show_confirmation', {
      title: 'Delete this chat?',
      description: 'The messages stay in WhatsApp.',
      okText: 'Delete',
      cancelText: 'Keep',
    });
    const dialog = page.locator('dialog[data-confirmation]');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain('The messages stay in WhatsApp.');
    expect(await dialog.getByRole('button', { name: 'Delete' }).getAttribute('class')).toBe('negative');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    expect(await finishCommand(panel, 'delete')).toEqual({ confirmed: true });

    await startCommand(panel, 'again', 'show_confirmation', { title: 'Send template?', okColor: 'primary' });
    await page.locator('dialog[data-confirmation]').getByRole('button', { name: 'Cancel' }).click();
    expect(await finishCommand(panel, 'again')).toEqual({ confirmed: false });
    expect(await page.locator('dialog[data-confirmation]').count()).toBe(0);
  });

  it('sends a visibility event when the user collapses and expands the panel', async () => {
    const toggle = page.locator('[data-panel-toggle]');
    await toggle.click();
    expect(await page.locator('.pd-panel-body').isHidden()).toBe(true);
    expect(await eventsOf(panel, 'visibility', 1)).toEqual([{ is_visible: false }]);
    await toggle.click();
    expect(await eventsOf(panel, 'visibility', 2)).toEqual([{ is_visible: false }, { is_visible: true }]);
  });

  it('tolerates track messages, answers get_metadata and rejects modal types it does not emulate', async () => {
    // The SDK posts `track` (no reply port) whenever its window regains focus, even before initialize.
    await panel.evaluate(() => (window as unknown as { sdk: { track(event: string): void } }).sdk.track('focused'));
    const viewport = page.viewportSize();
    expect(await execute(panel, 'get_metadata')).toEqual({
      windowHeight: viewport?.height,
      windowWidth: viewport?.width,
    });
    await expect(execute(panel, 'open_modal', { type: 'json_modal', action_id: 'x' })).rejects.toThrow(
      'does not emulate',
    );
  });
});
