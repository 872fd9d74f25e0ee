import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { Sandbox } from '../../sandbox/index.ts';
import { grantApp, testAppRegistration, type TestAppServer } from '../helpers/sandbox-test-app.ts';
import { describeInChromium, extensionFrame } from './helpers/chromium.ts';
import {
  eventsOf,
  execute,
  finishCommand,
  queryParams,
  startCommand,
  waitForSdkReady,
} from './helpers/extension-page.ts';
import { openDealAsAdmin, startHostFixture, type HostFixture } from './helpers/host-fixture.ts';

describeInChromium('extension host: modals, theme, floating window, redirects, failed frames', () => {
  let fixture: HostFixture;
  let appServer: TestAppServer;
  let sandbox: Sandbox;
  let context: BrowserContext;
  let page: Page;
  let panel: Frame;

  beforeAll(async () => {
    fixture = await startHostFixture();
    ({ appServer, sandbox } = fixture);
  });

  beforeEach(async () => {
    ({ context, page, panel } = await openDealAsAdmin(fixture));
  });

  afterEach(async () => {
    await context.close();
    sandbox.pipedrive.ui.state.themes.clear();
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('opens a custom modal with data; close_modal resolves open_modal and tells the opener', async () => {
    await startCommand(panel, 'modal', 'open_modal', {
      type: 'custom_modal',
      action_id: 'test-modal',
      data: { chatId: 'c-42', note: 'hi & bye' },
    });
    const modal = await extensionFrame(page, 'dialog[data-custom-modal] iframe');
    await waitForSdkReady(modal);
    const params = await queryParams(modal);
    expect(JSON.parse(params['data'] ?? '')).toEqual({ chatId: 'c-42', note: 'hi & bye' });
    expect(params).toMatchObject({ resource: 'deal', view: 'details' });
    expect(params['id']).not.toBe((await queryParams(panel))['id']);

    // The modal goes away as it asks to close, so its own promise may never settle: do not await it.
    await startCommand(modal, 'close', 'close_modal');
    expect(await finishCommand(panel, 'modal')).toEqual({ status: 'closed' });
    expect(await eventsOf(panel, 'close_custom_modal')).toHaveLength(1);
    expect(await page.locator('dialog[data-custom-modal]').count()).toBe(0);
  });

  it('a user closing the modal resolves open_modal as closed', async () => {
    await startCommand(panel, 'modal', 'open_modal', { type: 'custom_modal', action_id: 'Test modal' });
    await waitForSdkReady(await extensionFrame(page, 'dialog[data-custom-modal] iframe'));
    await page.locator('dialog[data-custom-modal]').getByRole('button', { name: 'Close' }).click();
    expect(await finishCommand(panel, 'modal')).toEqual({ status: 'closed' });
    await expect(execute(panel, 'close_modal')).rejects.toThrow('No custom modal is open');
  });

  it('a theme switch on the page reaches every extension as user_settings_change', async () => {
    const floating = await extensionFrame(page, 'iframe[data-kind="custom_floating_window"]');
    await waitForSdkReady(floating);
    await page.locator('[data-theme-toggle]').click();
    expect(await eventsOf(panel, 'user_settings_change')).toEqual([{ theme: 'dark' }]);
    expect(await eventsOf(floating, 'user_settings_change')).toEqual([{ theme: 'dark' }]);
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');

    await page.reload();
    const reloaded = await extensionFrame(page, 'iframe[data-kind="custom_panel"]');
    expect((await queryParams(reloaded))['theme']).toBe('dark');
  });

  it('shows and hides the floating window by command and from the dock, with badges', async () => {
    const floating = await extensionFrame(page, 'iframe[data-kind="custom_floating_window"]');
    await waitForSdkReady(floating);
    const window = page.locator('.pd-floating');
    expect(await window.isHidden()).toBe(true);

    await execute(panel, 'show_floating_window', { context: { personId: 7 } });
    await window.waitFor({ state: 'visible' });
    expect(await eventsOf(floating, 'visibility')).toEqual([
      { is_visible: true, context: { personId: 7, invoker: 'command' } },
    ]);

    await execute(floating, 'set_notification', { number: 3 });
    expect(await page.locator('[data-dock-for="test-app"] .pd-badge').textContent()).toBe('3');
    await execute(floating, 'set_notification', {});
    expect(await page.locator('[data-dock-for="test-app"] .pd-badge').isHidden()).toBe(true);

    await execute(floating, 'resize', { width: 100, height: 1_000 });
    const box = await page.$eval('iframe[data-kind="custom_floating_window"]', (element) => {
      const rect = element.getBoundingClientRect();
      return { width: rect.width, height: rect.height };
    });
    expect(box).toEqual({ width: 200, height: 700 });

    await page.locator('[data-dock-for="test-app"]').click();
    await window.waitFor({ state: 'hidden' });
    expect((await eventsOf(floating, 'visibility', 2))[1]).toEqual({ is_visible: false, context: { invoker: 'user' } });
  });

  it('redirect_to navigates the Pipedrive page', async () => {
    const person = sandbox.pipedrive.seed.demo.persons[0];
    await execute(panel, 'redirect_to', { view: 'contacts', id: person?.id });
    await page.waitForURL(`${sandbox.url}/person/${person?.id}`);
    await expect(
      execute(await extensionFrame(page, 'iframe[data-kind="custom_panel"]'), 'redirect_to', {}),
    ).rejects.toThrow();
  });

  it('replaces an iframe that never initializes with Pipedrive’s error box', async () => {
    const silent = testAppRegistration(appServer, {
      clientId: 'silent-app',
      name: 'Silent App',
      extensions: [
        {
          id: 'mute',
          type: 'custom_panel',
          name: 'Mute',
          url: `${appServer.url}/ext/never`,
          locations: ['deal_details'],
        },
      ],
    });
    sandbox.pipedrive.registerApp(silent);
    grantApp(sandbox, silent, sandbox.pipedrive.seed.demo.admin);
    // Pipedrive waits 10 s; the sandbox lets tests wait less.
    sandbox.pipedrive.ui.state.extensionInitTimeoutMs = 2_000;
    try {
      await page.reload();
      const error = page.locator('[data-app-panel="silent-app"] [data-extension-error]');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toContain('Something went wrong');
      expect(await page.locator('[data-app-panel="silent-app"] iframe').count()).toBe(0);
      // The app that did initialize in time keeps its frame.
      await waitForSdkReady(await extensionFrame(page, '[data-app-panel="test-app"] iframe'));
      expect(await page.locator('[data-app-panel="test-app"] [data-extension-error]').count()).toBe(0);
    } finally {
      sandbox.pipedrive.ui.state.extensionInitTimeoutMs = 10_000;
      sandbox.pipedrive.state.apps.delete('silent-app');
    }
  });
});
