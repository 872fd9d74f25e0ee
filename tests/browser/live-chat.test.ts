import type { Sandbox } from '../../sandbox/index.ts';
import type { TestApp } from '../helpers/test-app.ts';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { connectCompany } from '../helpers/connected-company.ts';
import {
  addMessages,
  emitPanelEvent,
  seedChannel,
  seedChat,
  seedTemplate,
  workspaceOfCompany,
} from '../helpers/live-chat.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';
import { describeInChromium, extensionFrame, launchChromium, signedInContext } from './helpers/chromium.ts';
import { startParleyWithSandbox } from './helpers/parley-server.ts';

/** Git-ignored: a screenshot of each panel state, to look at after a run. */
const SCREENSHOTS = path.resolve('tests/browser/screenshots');
const HOUR = 60 * 60 * 1000;
/** An image message that renders without any network. */
const PHOTO = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="140"><rect width="240" height="140" fill="#2a6fdb"/><circle cx="120" cy="70" r="40" fill="#9cc3ff"/></svg>',
)}`;

describeInChromium('live chat in Pipedrive (sandbox, real SDK)', () => {
  let browser: Browser;
  let sandbox: Sandbox;
  let testApp: TestApp;
  let parley: Awaited<ReturnType<typeof startParleyWithSandbox>>;
  let context: BrowserContext;
  let page: Page;
  let chat: { workspaceId: string; channelId: string; chatId: string };
  let johnChat: { workspaceId: string; channelId: string; chatId: string };

  const shot = (target: Page | Frame, name: string) =>
    ('screenshot' in target ? target : target.page()).screenshot({
      path: path.join(SCREENSHOTS, `${name}.png`),
      fullPage: true,
    });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    parley = await startParleyWithSandbox();
    ({ sandbox, testApp } = parley);

    // Ada installs Parley (organization and her personal connection in one grant).
    const { demo } = sandbox.pipedrive.seed;
    await connectCompany(testApp, {
      admin: demo.admin,
      authorize: (user) =>
        sandbox.pipedrive.createAuthorizationCode({ clientId: TEST_SECRETS.clientId, userId: user.id }).code,
      emailOf: (user) => user.email,
      nameOf: (user) => user.name,
    });
    const { db } = testApp.database;
    const workspaceId = await workspaceOfCompany(db, demo.company.id);
    const channel = await seedChannel(db, workspaceId, 'Acme sales', '+15550001111');
    await seedTemplate(db, channel.id, 'order_update', 'Hi {{1}}, your order {{2}} is ready.');
    const maria = await seedChat(db, {
      workspaceId,
      channelId: channel.id,
      contactName: 'Maria G.',
      e164: '+34600111222',
      personId: demo.persons[0]?.id ?? null,
      messages: [
        {
          direction: 'inbound',
          body: 'Hola, do you have the blue model?',
          status: 'read',
          sentAt: new Date(Date.now() - 3 * HOUR),
        },
        {
          direction: 'outbound',
          body: 'Yes! Sending a photo.',
          status: 'read',
          sentAt: new Date(Date.now() - 2 * HOUR),
        },
        {
          direction: 'inbound',
          type: 'image',
          body: null,
          media: { url: PHOTO, caption: 'Like this one?' },
          status: 'read',
          sentAt: new Date(Date.now() - HOUR),
        },
      ],
    });
    chat = { workspaceId, channelId: channel.id, chatId: maria.chat.id };
    const john = await seedChat(db, {
      workspaceId,
      channelId: channel.id,
      contactName: 'John Carter',
      e164: '+14155550101',
      personId: demo.persons[1]?.id ?? null,
      messages: [
        { direction: 'inbound', body: 'Call me next week', status: 'read', sentAt: new Date(Date.now() - 30 * HOUR) },
      ],
    });

    johnChat = { workspaceId, channelId: channel.id, chatId: john.chat.id };
    context = await signedInContext(browser, sandbox, demo.admin.id);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await parley?.close();
  });

  const dealPanel = async (dealIndex: number) => {
    await page.goto(`${sandbox.url}/deal/${sandbox.pipedrive.seed.demo.deals[dealIndex]?.id}`);
    return extensionFrame(page, 'iframe[data-kind="custom_panel"]');
  };

  it('shows the person’s chat in the deal panel, and a new message arrives live without reload', async () => {
    const panel = await dealPanel(0);
    await panel.getByText('Hola, do you have the blue model?').waitFor();
    await panel.getByRole('img', { name: 'Like this one?' }).waitFor();
    await panel.getByText(/Window open: closes in 2[12] h/).waitFor();
    expect(await panel.getByLabel('Read').count()).toBe(1);
    await shot(page, 'deal-panel-chat');

    const before = Date.now();
    const [created] = await addMessages(testApp.database.db, chat, [
      { direction: 'inbound', body: 'Hi', sentAt: new Date() },
    ]);
    await emitPanelEvent(testApp.database.db, testApp.eventBus, chat.workspaceId, 'message.created', {
      chatId: chat.chatId,
      messageId: created?.id,
    });
    await panel.getByText('Hi', { exact: true }).waitFor({ timeout: 5000 });
    // "Within a second" of the event, measured end to end (stream, re-read, render).
    expect(Date.now() - before).toBeLessThan(2000);
    await shot(page, 'deal-panel-live-message');
  });

  it('outside the 24-hour window offers a template pre-filled from Pipedrive', async () => {
    const panel = await dealPanel(1);
    await panel.getByText('Window closed: only templates can be sent').waitFor();
    await panel.getByRole('button', { name: 'Send a template…' }).click();
    expect(await panel.getByRole('combobox', { name: 'Variable {{1}}' }).inputValue()).toBe('John');
    expect(await panel.getByRole('combobox', { name: 'Variable {{2}}' }).inputValue()).toBe('Carter expansion');
    await panel.getByText('Hi John, your order Carter expansion is ready.').waitFor();
    await shot(page, 'deal-panel-template');
  });

  it('follows the dark theme', async () => {
    const panel = await dealPanel(0);
    await panel.getByText('Hola, do you have the blue model?').waitFor();
    await page.locator('[data-theme-toggle]').click();
    await panel.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark', undefined, {
      polling: 50,
    });
    await shot(page, 'deal-panel-dark');
    await page.locator('[data-theme-toggle]').click();
    await panel.waitForFunction(() => document.documentElement.dataset['theme'] === 'light', undefined, {
      polling: 50,
    });
  });

  it('counts unread messages on the floating inbox badge and opens a chat from it', async () => {
    // A page without the chat panel (the panels mark what they show as read); the inbox loads in the background.
    await page.goto(`${sandbox.url}/deal/${sandbox.pipedrive.seed.demo.deals[2]?.id}`);
    const inbox = await extensionFrame(page, 'iframe[data-kind="custom_floating_window"]');
    await inbox.getByText('Maria G.').waitFor({ state: 'attached' });
    const badge = page.locator(`[data-dock-for="${TEST_SECRETS.clientId}"] .pd-badge`);
    expect(await badge.isHidden()).toBe(true);
    const [unread] = await addMessages(testApp.database.db, johnChat, [
      { direction: 'inbound', body: 'Are you there?', sentAt: new Date() },
    ]);
    await emitPanelEvent(testApp.database.db, testApp.eventBus, johnChat.workspaceId, 'message.created', {
      chatId: johnChat.chatId,
      messageId: unread?.id,
    });
    await badge.waitFor({ state: 'visible' });
    expect(await badge.textContent()).toBe('1');
    await page.locator(`[data-dock-for="${TEST_SECRETS.clientId}"]`).click();
    await inbox.getByText('Maria G.').waitFor();
    await shot(page, 'floating-inbox');
    await inbox.getByRole('button', { name: /John Carter/ }).click();
    await inbox.getByText('Are you there?', { exact: true }).waitFor();
    await inbox.getByText('Call me next week').waitFor();
    await inbox.getByRole('button', { name: 'Open person' }).waitFor();
    // He just wrote, so the window is open again; opening the chat read it, which clears the badge.
    await inbox.getByText(/Window open: closes in 2[34] h/).waitFor();
    await badge.waitFor({ state: 'hidden' });
    await shot(page, 'floating-inbox-chat');
  });

  it('asks a user without a personal connection to connect only for themself', async () => {
    const rita = sandbox.pipedrive.seed.demo.users[2];
    if (rita === undefined) throw new Error('the sandbox seed changed');
    sandbox.pipedrive.authorizeApp({ clientId: TEST_SECRETS.clientId, userId: rita.id });
    const ritaContext = await signedInContext(browser, sandbox, rita.id);
    const ritaPage = await ritaContext.newPage();
    await ritaPage.goto(`${sandbox.url}/deal/${sandbox.pipedrive.seed.demo.deals[0]?.id}`);
    const panel = await extensionFrame(ritaPage, 'iframe[data-kind="custom_panel"]');
    await panel.getByRole('button', { name: 'Connect only for me' }).waitFor();
    await shot(ritaPage, 'deal-panel-personal-not-connected');
    await ritaContext.close();
  });
});
