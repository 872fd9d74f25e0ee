import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import type { Sandbox } from '../../../sandbox/index.ts';

/** Debian's Chromium (`.ci/run` installs it); playwright-core never downloads a browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * `describe` for browser tests. Without Chromium the suite is reported as skipped and says why;
 * everywhere else (CI installs Chromium) it runs as part of `npm test`.
 */
export function describeInChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, body);
    return;
  }
  process.stderr.write(
    `\n[browser tests] "${name}" skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)\n`,
  );
  // eslint-disable-next-line no-restricted-syntax -- skipped only when the machine has no Chromium, and says so
  describe.skip(name, body);
}

/** Playwright gives every launch a fresh temporary user-data directory. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A browser context already signed in to the sandbox as `userId`. */
export async function signedInContext(browser: Browser, sandbox: Sandbox, userId: number): Promise<BrowserContext> {
  const context = await browser.newContext();
  const [name = '', value = ''] = sandbox.pipedrive.ui.signIn(userId).cookie.split('=');
  await context.addCookies([{ name, value, url: sandbox.url }]);
  return context;
}

/** The content frame of the extension iframe matching `selector`, once its page has loaded. */
export async function extensionFrame(page: Page, selector: string): Promise<Frame> {
  const handle = await page.waitForSelector(selector, { state: 'attached' });
  const frame = await handle.contentFrame();
  if (frame === null) throw new Error(`${selector} has no content frame`);
  await frame.waitForLoadState('load');
  return frame;
}

/**
 * Clicks a button that closes its own window, and waits until the window is closed. The window may
 * close while Playwright is still finishing the click ("Target page … has been closed"): that is
 * the click's success, so the error counts only while the page is still open.
 */
export async function clickToCloseWindow(page: Page, name: string): Promise<void> {
  const closed = page.waitForEvent('close');
  await page
    .getByRole('button', { name })
    .click()
    .catch((error: unknown) => {
      if (!page.isClosed()) throw error;
    });
  await closed;
}
