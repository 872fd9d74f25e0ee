import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { RegisteredApp } from '../../../sandbox/pipedrive/state.ts';
import {
  grantApp,
  startTestAppServer,
  testAppRegistration,
  type TestAppServer,
} from '../../helpers/sandbox-test-app.ts';
import { extensionFrame, launchChromium, signedInContext } from './chromium.ts';
import { waitForSdkReady } from './extension-page.ts';

/** A sandbox with the test app installed by the demo admin, and Chromium to look at it. */
export interface HostFixture {
  appServer: TestAppServer;
  sandbox: Sandbox;
  app: RegisteredApp;
  browser: Browser;
  close(): Promise<void>;
}

export async function startHostFixture(): Promise<HostFixture> {
  const appServer = await startTestAppServer();
  const app = testAppRegistration(appServer);
  const sandbox = await startSandbox({ port: 0, timeScale: 0.001, apps: [app] });
  grantApp(sandbox, app, sandbox.pipedrive.seed.demo.admin);
  const browser = await launchChromium();
  return {
    appServer,
    sandbox,
    app,
    browser,
    async close() {
      await browser.close();
      await sandbox.close();
      await appServer.close();
    },
  };
}

/** The admin on a deal page, with the test app's panel initialized. */
export async function openDealAsAdmin(
  fixture: HostFixture,
): Promise<{ context: BrowserContext; page: Page; panel: Frame }> {
  const { sandbox } = fixture;
  const context = await signedInContext(fixture.browser, sandbox, sandbox.pipedrive.seed.demo.admin.id);
  const page = await context.newPage();
  await page.goto(`${sandbox.url}/deal/${sandbox.pipedrive.seed.demo.deals[1]?.id}`);
  const panel = await extensionFrame(page, 'iframe[data-kind="custom_panel"]');
  await waitForSdkReady(panel);
  return { context, page, panel };
}
