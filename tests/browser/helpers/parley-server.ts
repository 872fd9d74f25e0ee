import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { appFromManifest } from '../../../sandbox/app-registration.ts';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { WorkerRunner } from '../../../server/jobs/worker-runner.ts';
import { startTestWorkers } from '../../helpers/connected-company.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { launchChromium } from './chromium.ts';

/** A port nobody uses right now, so Parley's public URL is known before it is configured. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The panels as `npm start` serves them, built once into a folder of this test's own. */
function buildExtensions(): string {
  const outDir = mkdtempSync(path.join(tmpdir(), 'parley-extensions-'));
  // In a process of its own: Vite's native bundler refuses objects from jest's module realm.
  execFileSync(process.execPath, [path.resolve('scripts/build.ts'), outDir]);
  return outDir;
}

/**
 * Parley as `npm start` runs it in sandbox mode, over real HTTP: the built dashboard and panels, the
 * sandbox's Pipedrive with Parley registered from the real manifest, workers running, and mail
 * delivered to the sandbox's mailbox page.
 */
export async function startParleyWithSandbox(): Promise<{
  sandbox: Sandbox;
  testApp: TestApp;
  parleyUrl: string;
  close(): Promise<void>;
}> {
  const extensionsDist = buildExtensions();
  const port = await freePort();
  const parleyUrl = `http://localhost:${port}`;
  const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
  sandbox.pipedrive.registerApp(
    appFromManifest({
      manifestDir: path.resolve('manifest'),
      publicUrl: parleyUrl,
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
      jwtSecret: TEST_SECRETS.jwtSecret,
    }),
  );
  const testApp = await createTestApp({
    config: {
      publicUrl: parleyUrl,
      pipedrive: {
        clientId: TEST_SECRETS.clientId,
        clientSecret: TEST_SECRETS.clientSecret,
        jwtSecret: TEST_SECRETS.jwtSecret,
        oauthUrl: sandbox.url,
      },
      // Parley's panels may be framed by the sandbox's origin, as by Pipedrive's.
      sandbox: { enabled: true, port: 0, url: sandbox.url },
      // The sandbox stands in for Meta's Graph API too (in sandbox mode WHATSAPP_GRAPH_URL defaults to it).
      whatsapp: { graphUrl: sandbox.url, graphVersion: 'v23.0', mediaMaxBytes: 16 * 1024 * 1024 },
      mail: { transport: 'sandbox', inboxUrl: `${sandbox.url}/mail/messages`, from: 'Parley <parley@localhost>' },
    },
    paths: { extensionsDist },
  });
  await testApp.app.listen({ port, host: '127.0.0.1' });
  const workers: WorkerRunner = await startTestWorkers(testApp);
  return {
    sandbox,
    testApp,
    parleyUrl,
    async close() {
      await workers.stop();
      await testApp.close();
      await sandbox.close();
    },
  };
}

export interface ChromiumWithParley {
  browser: Browser;
  sandbox: Sandbox;
  testApp: TestApp;
  parleyUrl: string;
}

/**
 * A describe block's Chromium and Parley-with-sandbox, started once before its tests and closed
 * after them. Read the fields inside tests (they are set by the `beforeAll` hook).
 */
export function useChromiumWithParley(): ChromiumWithParley {
  const context = {} as ChromiumWithParley;
  let closeParley: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    context.browser = await launchChromium();
    const parley = await startParleyWithSandbox();
    closeParley = parley.close;
    Object.assign(context, { sandbox: parley.sandbox, testApp: parley.testApp, parleyUrl: parley.parleyUrl });
  });
  afterAll(async () => {
    await context.browser?.close();
    await closeParley?.();
  });
  return context;
}

/** Opens a sandbox page and signs in through Pipedrive's user picker, landing back on it. */
export async function signInToPipedrive(page: Page, startUrl: string, userId: number): Promise<void> {
  await page.goto(startUrl);
  await page.locator(`[data-sign-in-as="${userId}"]`).click();
  await page.waitForURL(startUrl);
}

/**
 * Opens the newest mail to `to` about `subject` on the sandbox's mailbox page and follows its first
 * link, as a person reading their mail would. Parley's worker delivers mail, so this waits for it.
 */
export async function followMailedLink(page: Page, sandbox: Sandbox, to: string, subject: string): Promise<void> {
  const delivered = await waitFor(
    () => sandbox.mailbox.messages.find((mail) => mail.to === to && mail.subject.includes(subject)),
    { message: `a mail to ${to} about "${subject}" in the sandbox mailbox` },
  );
  await page.goto(`${sandbox.url}/mail`);
  await page.locator(`article[data-mail-id="${delivered.id}"] pre a`).first().click();
}
