import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { inboxEvents, messages } from '../../server/db/schema/index.ts';
import type { WorkerRunner } from '../../server/jobs/worker-runner.ts';
import type { ChannelView } from '../../server/services/whatsapp/channels.service.ts';
import { signLikeMeta } from '../../server/services/whatsapp/cloud-api/webhook-signature.ts';
import type { SandboxBusinessNumber } from '../../sandbox/whatsapp/emulator.ts';
import { createBrowser, type Browser } from './browser-session.ts';
import { startTestWorkers } from './connected-company.ts';
import { startPipedriveSandbox, type PipedriveUser } from './pipedrive-sandbox.ts';
import { waitFor } from './wait-for.ts';
import { createTestApp } from './test-app.ts';

/** `waitFor` with room for webhook → inbox → job → row on a loaded machine (it still returns as soon as it holds). */
export function waitForProcessing<T>(
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  return waitFor(condition, { timeoutMs: 30_000, ...options });
}

/** A free loopback port (Meta must reach Parley over real HTTP: the handshake and webhook deliveries). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * Parley listening on a real port, pointed at a sandbox of its own (Pipedrive and WhatsApp), in
 * sandbox mode, with its workers running. `installCompany` connects a sandbox company (its admin's
 * Marketplace install), which gives a workspace and a dashboard browser.
 */
export async function startWhatsAppParley(options: { workers?: boolean; mediaMaxBytes?: number } = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const pd = await startPipedriveSandbox({ parleyUrl: publicUrl });
  const { sandbox } = pd;
  const testApp = await createTestApp({
    config: {
      ...pd.config(),
      publicUrl,
      port,
      whatsapp: { graphUrl: sandbox.url, graphVersion: 'v23.0', mediaMaxBytes: options.mediaMaxBytes ?? 1024 * 1024 },
      sandbox: { enabled: true, port: Number(new URL(sandbox.url).port), url: sandbox.url },
    },
  });
  await testApp.app.listen({ port, host: '127.0.0.1' });
  let workers: WorkerRunner | undefined = options.workers === false ? undefined : await startTestWorkers(testApp);

  async function installCompany(user: PipedriveUser): Promise<Browser> {
    const browser = createBrowser(testApp.app, publicUrl);
    const installed = await browser.get(`/oauth/callback?code=${pd.authorize(user)}`);
    if (installed.headers.location !== '/onboarding?new=1')
      throw new Error(`install failed: ${installed.statusCode} ${installed.body}`);
    await browser.refreshCsrf();
    return browser;
  }

  /** Adds a sandbox number with its credentials, as an admin pastes them, and sets Meta's webhook to Parley. */
  async function addNumber(browser: Browser, number: SandboxBusinessNumber): Promise<ChannelView> {
    const response = await browser.post('/api/whatsapp/channels', {
      phoneNumberId: number.phoneNumberId,
      wabaId: number.wabaId,
      accessToken: number.accessToken,
      appSecret: number.appSecret,
    });
    if (response.statusCode !== 201) throw new Error(`add number failed: ${response.statusCode} ${response.body}`);
    const { channel } = response.json<{ channel: ChannelView }>();
    // What the admin does in Meta's app settings: paste the callback URL and verify token.
    const verification = await sandbox.whatsapp.configureWebhook({
      appId: number.appId,
      callbackUrl: channel.webhookUrl,
      verifyToken: channel.verifyToken ?? '',
    });
    if (!verification.ok) throw new Error(`webhook verification failed: ${JSON.stringify(verification)}`);
    return channel;
  }

  /** POSTs a body to a channel's webhook URL signed with `appSecret`, as Meta would. */
  function postSigned(
    channelId: string,
    body: string | Buffer,
    appSecret: string,
    headers: Record<string, string> = {},
  ) {
    return testApp.app.inject({
      method: 'POST',
      url: `/webhooks/whatsapp/${channelId}`,
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signLikeMeta(body, appSecret),
        ...headers,
      },
    });
  }

  /** The stored message with this wamid, once processing has stored it. */
  const storedMessage = (wamid: string) =>
    waitForProcessing(
      async () => (await testApp.database.db.select().from(messages).where(eq(messages.providerMessageId, wamid)))[0],
      { message: `message ${wamid} stored` },
    );

  let sequence = 0;
  /** Posts one inbound message of any shape to the channel, signed like Meta; returns its wamid. */
  async function deliverInbound(
    number: SandboxBusinessNumber,
    channelId: string,
    message: Record<string, unknown>,
    contact: Record<string, unknown> = { profile: { name: 'John Carter' }, wa_id: '14155550101' },
  ): Promise<string> {
    sequence += 1;
    const wamid = `wamid.hand-${sequence}-${Date.now()}`;
    const body = notification(number.wabaId, {
      metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
      contacts: [contact],
      messages: [{ from: contact['wa_id'], id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
    });
    const response = await postSigned(channelId, metaJson(body), number.appSecret);
    if (response.statusCode !== 200) throw new Error(`webhook refused: ${response.statusCode} ${response.body}`);
    return wamid;
  }

  return {
    pd,
    sandbox,
    storedMessage,
    deliverInbound,
    testApp,
    db: testApp.database.db,
    publicUrl,
    installCompany,
    addNumber,
    postSigned,
    async inboxCount(channelId: string): Promise<number> {
      return (await testApp.database.db.select().from(inboxEvents).where(eq(inboxEvents.channelId, channelId))).length;
    },
    /** Inbox rows mentioning this wamid that are not processed yet. */
    async inboxPendingFor(wamid: string): Promise<number> {
      const result = await testApp.database.pool.query<{ count: string }>(
        "select count(*) from inbox_events where processed_at is null and dedupe_key like '%' || $1 || '%'",
        [wamid],
      );
      return Number(result.rows[0]?.count);
    },
    async stopWorkers() {
      await workers?.stop();
      workers = undefined;
    },
    async close() {
      await workers?.stop();
      await testApp.close();
      await pd.close();
    },
  };
}

export type WhatsAppParley = Awaited<ReturnType<typeof startWhatsAppParley>>;

/**
 * Two tenants for isolation tests: Acme (Ada, the sandbox's first number) and Globex (Gina, the
 * second), each with its number connected and one chat a customer opened.
 */
export async function startTwoCompanyChats() {
  const parley = await startWhatsAppParley();
  const [acme, globex] = parley.sandbox.whatsapp.numbers as [SandboxBusinessNumber, SandboxBusinessNumber];
  const channelA = await parley.addNumber(await parley.installCompany(parley.pd.users.ada), acme);
  const channelB = await parley.addNumber(await parley.installCompany(parley.pd.users.gina), globex);
  const firstChat = async (from: string, to: SandboxBusinessNumber, text: string) =>
    (await parley.storedMessage(parley.sandbox.whatsapp.sendFromCustomer({ from, to: to.phoneNumberId, text }))).chatId;
  const chatA = await firstChat('+34600111222', acme, 'hola');
  const chatB = await firstChat('+14155550101', globex, 'hi B');
  return { parley, acme, globex, channelA, channelB, chatA, chatB };
}

/** One change of a Cloud API notification: its field (`messages`, `smb_message_echoes`…) and value. */
export function webhookChange(field: string, value: Record<string, unknown>) {
  return { field, value: { messaging_product: 'whatsapp', ...value } };
}

/** A Cloud API notification of one account's changes (one entry), as Meta batches them. */
export function notificationOf(wabaId: string, changes: ReturnType<typeof webhookChange>[]) {
  return { object: 'whatsapp_business_account', entry: [{ id: wabaId, changes }] };
}

/** A Cloud API notification around `value` (one entry, one `messages` change). */
export function notification(wabaId: string, value: Record<string, unknown>) {
  return notificationOf(wabaId, [webhookChange('messages', value)]);
}

/** JSON the way Meta writes it: non-ASCII as \\uXXXX (emoji as surrogate pairs) and '/' as '\\/'. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/');
}
