import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { inboxEvents, phonePersonCache, pipedriveWebhookSubscriptions } from '../../../server/db/schema/index.ts';
import { createIdentityRepository } from '../../../server/db/repositories/identity.repository.ts';
import { DEFAULT_SYNC_SETTINGS } from '../../../server/services/settings/sync-settings.ts';
import type { WorkerRunner } from '../../../server/jobs/worker-runner.ts';
import { connectCompany, startTestWorkers } from '../../helpers/connected-company.ts';
import { startPipedriveSandbox, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import { addSandboxPerson, seedChannel } from '../../helpers/seed-chats.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { waitFor } from '../../helpers/wait-for.ts';

describe('Pipedrive webhooks keep chat links and the phone cache right (against the sandbox)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let workers: WorkerRunner;
  let companyId: number;
  let channel: Awaited<ReturnType<typeof seedChannel>>;
  let parleyUrl: string;

  const state = () => pd.sandbox.pipedrive.state;
  const ourWebhooks = () => [...state().webhooks.values()].filter((webhook) => webhook.companyId === companyId);
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const password = () => ourWebhooks()[0]?.httpAuthPassword ?? '';
  const post = (payload: object, authorization?: string, company = companyId) =>
    testApp.app.inject({
      method: 'POST',
      url: `/webhooks/pipedrive/${company}`,
      headers: authorization === undefined ? {} : { authorization },
      payload,
    });
  const event = (meta: Record<string, unknown>, data: object | null = null, previous: object | null = null) => ({
    meta: { company_id: String(companyId), version: '2.0', ...meta },
    data,
    previous,
  });
  const audits = async (action: string) =>
    (await testApp.domain.audit.list({ companyId }, { limit: 500 })).filter((entry) => entry.action === action);

  // Connecting companies through the real flows takes a while on a loaded machine.
  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    workers = await startTestWorkers(testApp);
    await connectCompany(testApp, pd.consent());
    companyId = pd.users.ada.companyId;
    channel = await seedChannel(testApp.database.db, companyId);
    // The org connect enqueued the subscription; the worker makes it (the audit entry comes last).
    await waitFor(async () => (await audits('pipedrive.webhooks_subscribed')).length > 0, {
      message: 'webhooks subscribed',
    });
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    parleyUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
    // Pipedrive would reach Parley at its public URL; the test Parley listens on a random port.
    for (const webhook of ourWebhooks())
      webhook.subscriptionUrl = webhook.subscriptionUrl.replace('http://localhost:3000', parleyUrl);
  }, 120_000);

  afterAll(async () => {
    await workers.stop();
    await testApp.close();
    await pd.close();
  });

  it('subscribes on org connect: v2, Basic auth with a random password stored encrypted, idempotently', async () => {
    const webhooks = ourWebhooks();
    expect(webhooks.map((webhook) => `${webhook.eventAction}.${webhook.eventObject}`).sort()).toEqual([
      'change.deal',
      'change.person',
      'delete.deal',
      'delete.lead',
      'delete.person',
    ]);
    for (const webhook of webhooks) {
      expect(webhook).toMatchObject({ version: '2.0', httpAuthUser: 'parley', userId: pd.users.ada.userId });
      expect(webhook.subscriptionUrl).toBe(`${parleyUrl}/webhooks/pipedrive/${companyId}`);
    }
    expect(password().length).toBeGreaterThanOrEqual(40);
    const [row] = await testApp.database.db
      .select()
      .from(pipedriveWebhookSubscriptions)
      .where(eq(pipedriveWebhookSubscriptions.companyId, companyId));
    expect(row?.passwordCiphertext.startsWith('v1.')).toBe(true);
    expect(row?.passwordCiphertext).not.toContain(password());
    expect([...(row?.webhookIds ?? [])].sort()).toEqual(webhooks.map((webhook) => webhook.id).sort());

    // Subscribing again (a retried job) adds nothing.
    for (const webhook of ourWebhooks())
      webhook.subscriptionUrl = `http://localhost:3000/webhooks/pipedrive/${companyId}`;
    await testApp.domain.pipedriveWebhooks.subscribe(companyId);
    expect(
      ourWebhooks()
        .map((webhook) => webhook.id)
        .sort(),
    ).toEqual(webhooks.map((webhook) => webhook.id).sort());
    for (const webhook of ourWebhooks())
      webhook.subscriptionUrl = webhook.subscriptionUrl.replace('http://localhost:3000', parleyUrl);
  });

  it('refuses missing, wrong and other-company credentials with 401, and bodies that are no event with 400', async () => {
    const body = event({ id: 'evt-auth', action: 'delete', entity: 'deal', entity_id: '1' });
    expect((await post(body)).statusCode).toBe(401);
    expect((await post(body, basic('parley', 'wrong'))).statusCode).toBe(401);
    expect((await post(body, basic('someone', password()))).statusCode).toBe(401);
    const otherCompany = pd.users.gina.companyId;
    expect((await post(body, basic('parley', password()), otherCompany)).statusCode).toBe(401);
    expect((await post({ hello: 'world' }, basic('parley', password()))).statusCode).toBe(400);
    expect((await post([1, 2], basic('parley', password()))).statusCode).toBe(400);
    const rows = await testApp.database.db
      .select()
      .from(inboxEvents)
      .where(and(eq(inboxEvents.provider, 'pipedrive'), eq(inboxEvents.dedupeKey, 'evt-auth')));
    expect(rows).toHaveLength(0);
  });

  it('stores a replayed event once and applies it once', async () => {
    const chatId = await channel.chat({ e164: '+34633000111' });
    await createIdentityRepository(testApp.database.db).updateChatLinks(chatId, { personId: 1, dealId: 987654 });
    const body = event({ id: 'evt-replay', action: 'delete', entity: 'deal', entity_id: '987654' });
    const first = await post(body, basic('parley', password()));
    const second = await post(body, basic('parley', password()));
    expect(first.json()).toEqual({ ok: true, duplicate: false });
    expect(second.json()).toEqual({ ok: true, duplicate: true });
    await waitFor(async () => (await channel.chatRow(chatId)).dealId === null, { message: 'deal unlinked' });
    const rows = await testApp.database.db
      .select()
      .from(inboxEvents)
      .where(and(eq(inboxEvents.provider, 'pipedrive'), eq(inboxEvents.dedupeKey, 'evt-replay')));
    expect(rows).toHaveLength(1);
    await waitFor(
      async () =>
        (
          await testApp.database.db
            .select()
            .from(inboxEvents)
            .where(eq(inboxEvents.id, rows[0]?.id ?? 0))
        )[0]?.processedAt,
    );
    expect((await audits('sync.deal_unlinked')).filter((entry) => entry.subjectId === '987654')).toHaveLength(1);
  });

  it('relinks chats and the cache to the surviving person when persons are merged in Pipedrive', async () => {
    const api = pd.sandbox.pipedrive;
    const from = addSandboxPerson(pd, 'Merge From', '+34644000111');
    const into = addSandboxPerson(pd, 'Merge Into', '+34644000222');
    const chatId = await channel.chat({ e164: '+34644000111' });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ personId: from.id });

    api.simulateChange({
      entity: 'person',
      action: 'merge',
      userId: pd.users.ada.userId,
      id: from.id,
      mergeIntoId: into.id,
    });
    await api.settleWebhooks();
    await waitFor(async () => (await audits('sync.person_relinked')).length > 0, { message: 'merge applied' });
    expect((await channel.chatRow(chatId)).personId).toBe(into.id);
    const cached = await testApp.database.db
      .select()
      .from(phonePersonCache)
      .where(and(eq(phonePersonCache.companyId, companyId), eq(phonePersonCache.e164, '+34644000111')));
    expect(cached.map((row) => row.personId)).toEqual([into.id]);
  });

  it('unlinks a deleted person and follows a changed phone in the cache', async () => {
    const api = pd.sandbox.pipedrive;
    const person = addSandboxPerson(pd, 'Phone Changer', '+34655000111');
    const chatId = await channel.chat({ e164: '+34655000111' });
    await testApp.domain.chatLinks.resolve(chatId);

    api.simulateChange({
      entity: 'person',
      action: 'change',
      userId: pd.users.ada.userId,
      id: person.id,
      values: { phones: [{ value: '+34 655 000 999', label: 'mobile', primary: true }] },
    });
    await waitFor(
      async () => {
        const rows = await testApp.database.db
          .select()
          .from(phonePersonCache)
          .where(and(eq(phonePersonCache.companyId, companyId), eq(phonePersonCache.personId, person.id)));
        return rows.length === 1 && rows[0]?.e164 === '+34655000999';
      },
      { message: 'cache follows the new phone' },
    );

    api.simulateChange({ entity: 'person', action: 'delete', userId: pd.users.ada.userId, id: person.id });
    await waitFor(async () => (await channel.chatRow(chatId)).personId === null, { message: 'chat unlinked' });
  });

  it('a deal marked won releases its chat: the returning customer gets a new open deal, once', async () => {
    const api = pd.sandbox.pipedrive;
    await testApp.domain.syncSettings.save(companyId, { ...DEFAULT_SYNC_SETTINGS, createOnNewChat: 'deal' }, null);
    addSandboxPerson(pd, 'Returning Customer', '+34666000111');
    const chatId = await channel.chat({ e164: '+34666000111' });
    const first = await testApp.domain.chatLinks.resolve(chatId);
    const wonDealId = first.kind === 'linked' ? first.dealId : null;
    if (wonDealId === null) throw new Error(`no deal linked: ${JSON.stringify(first)}`);

    // Editing the deal (its title) keeps the link; only closing it releases the chat.
    api.simulateChange({
      entity: 'deal',
      action: 'change',
      userId: pd.users.ada.userId,
      id: wonDealId,
      values: { title: 'Renamed' },
    });
    api.simulateChange({
      entity: 'deal',
      action: 'change',
      userId: pd.users.ada.userId,
      id: wonDealId,
      values: { status: 'won' },
    });
    // The audit entry is the event's last write: once it is there, the chat has been released.
    const closedEntries = async () =>
      (await audits('sync.deal_closed')).filter((entry) => entry.subjectId === String(wonDealId));
    await waitFor(async () => (await closedEntries()).length > 0, { message: 'won deal released' });
    expect(await closedEntries()).toHaveLength(1);
    expect((await channel.chatRow(chatId)).dealId).toBeNull();

    const next = await testApp.domain.chatLinks.resolve(chatId);
    const newDealId = next.kind === 'linked' ? next.dealId : null;
    expect(newDealId).not.toBeNull();
    expect(newDealId).not.toBe(wonDealId);
    expect(state().deals.get(newDealId ?? 0)).toMatchObject({ status: 'open', title: expect.any(String) });
    expect(state().deals.get(wonDealId)?.status).toBe('won');
    // Resolving again links the same open deal: no third one.
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ dealId: newDealId });
    await testApp.domain.syncSettings.save(companyId, DEFAULT_SYNC_SETTINGS, null);
  });

  it('the daily check restores a webhook the company lacks (an install from before it was added)', async () => {
    const dealChange = ourWebhooks().find(
      (webhook) => `${webhook.eventAction}.${webhook.eventObject}` === 'change.deal',
    );
    if (dealChange === undefined) throw new Error('change.deal is not subscribed');
    state().webhooks.delete(dealChange.id);
    const others = ourWebhooks().map((webhook) => webhook.id);
    // Pipedrive lists them at Parley's public URL (the test Parley listens elsewhere).
    for (const webhook of ourWebhooks())
      webhook.subscriptionUrl = `http://localhost:3000/webhooks/pipedrive/${companyId}`;

    const checked = await testApp.domain.pipedriveWebhooks.subscribeEveryCompany();
    expect(checked).toEqual({ companies: 1, failed: [] });
    const now = ourWebhooks();
    expect(now.map((webhook) => `${webhook.eventAction}.${webhook.eventObject}`).sort()).toContain('change.deal');
    // The rest were kept as they were (same ids), and point at Parley with the same credentials.
    expect(now.filter((webhook) => others.includes(webhook.id))).toHaveLength(others.length);
    expect(new Set(now.map((webhook) => webhook.httpAuthPassword)).size).toBe(1);
    for (const webhook of now)
      webhook.subscriptionUrl = webhook.subscriptionUrl.replace('http://localhost:3000', parleyUrl);
  });

  it('deletes its webhooks when the organization disconnects, then revokes the grant', async () => {
    const ids = ourWebhooks().map((webhook) => webhook.id);
    expect(ids).toHaveLength(5);
    await testApp.domain.lifecycle.disconnectOrganization(companyId, 'system');
    const [entry] = await waitFor(async () => {
      const found = await audits('pipedrive.webhooks_unsubscribed');
      return found.length > 0 ? found : undefined;
    });
    expect(entry?.detail).toEqual({ deleted: ids.length, of: ids.length });
    expect(ourWebhooks()).toHaveLength(0);
    await waitFor(() => pd.isRevoked(pd.users.ada), { message: 'grant revoked' });
    expect(await audits('grant.revoked')).not.toHaveLength(0);
  });
});
