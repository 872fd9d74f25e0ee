import type { Sandbox } from '../../../sandbox/index.ts';
import { callApi, connect, startPipedrive, startReceiver, subscribeWebhook, testApp } from './pipedrive-helpers.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('Pipedrive sandbox webhook delivery (v2 format, retries, bans, visibility)', () => {
  let sandbox: Sandbox;
  let admin: string;
  let receiver: Receiver | undefined;

  beforeEach(async () => {
    sandbox = await startPipedrive([testApp(), testApp({ clientId: 'other-app' })]);
    admin = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id).access_token;
  });
  afterEach(async () => {
    await sandbox.close();
    await receiver?.close();
    receiver = undefined;
  });

  const subscribe = (token: string, url: string, extra: object = {}) => subscribeWebhook(sandbox, token, url, extra);

  describe('delivery', () => {
    it('posts v2 events for API changes with Basic auth', async () => {
      receiver = await startReceiver();
      const webhook = await subscribe(admin, receiver.url, { http_auth_user: 'pd', http_auth_password: 's3cret' });
      const { demo } = sandbox.pipedrive.seed;

      const created = await callApi<{ id: number }>(sandbox, admin, 'POST', '/api/v2/persons', {
        name: 'Olga Ortiz',
        phones: [{ value: '+48 600 700 800' }],
      });
      await receiver.waitFor(1);
      const [delivery] = receiver.received;
      expect(delivery?.headers.authorization).toBe(`Basic ${Buffer.from('pd:s3cret').toString('base64')}`);
      expect(delivery?.headers['content-type']).toBe('application/json');
      expect(delivery?.body.meta).toEqual({
        action: 'create',
        entity: 'person',
        entity_id: String(created.body.data.id),
        company_id: String(demo.company.id),
        user_id: String(demo.admin.id),
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        correlation_id: expect.any(String),
        is_bulk_edit: false,
        timestamp: expect.any(String),
        type: 'application',
        version: '2.0',
        webhook_id: String(webhook.id),
        webhook_owner_id: String(demo.admin.id),
        change_source: 'api',
        attempt: 1,
        host: 'acme-demo.pipedrive.com',
        permitted_user_ids: demo.users.map((user) => String(user.id)),
      });
      expect(delivery?.body.data).toMatchObject({ id: created.body.data.id, name: 'Olga Ortiz' });
      expect(delivery?.body.previous).toBeNull();

      await callApi(sandbox, admin, 'PATCH', `/api/v2/persons/${created.body.data.id}`, { name: 'Olga Ortiz Nowak' });
      await receiver.waitFor(2);
      expect(receiver.received[1]?.body).toMatchObject({
        meta: { action: 'change', entity: 'person' },
        data: { name: 'Olga Ortiz Nowak' },
        previous: { name: 'Olga Ortiz', last_name: 'Ortiz' },
      });
      expect(Object.keys(receiver.received[1]?.body.previous ?? {}).sort()).toEqual(['last_name', 'name']);
      await sandbox.pipedrive.settleWebhooks();
      expect(sandbox.pipedrive.state.webhookDeliveries).toEqual([
        expect.objectContaining({ webhookId: webhook.id, attempt: 1, status: 200, error: null }),
        expect.objectContaining({ webhookId: webhook.id, attempt: 1, status: 200, error: null }),
      ]);
    });

    it('sends the legacy v1 body to a version 1.0 subscription', async () => {
      receiver = await startReceiver();
      await subscribe(admin, receiver.url, { version: '1.0', event_object: 'deal' });
      const deal = sandbox.pipedrive.seed.demo.deals[0]?.id ?? 0;
      await callApi(sandbox, admin, 'PATCH', `/api/v2/deals/${deal}`, { value: 5000 });
      await receiver.waitFor(1);
      expect(receiver.received[0]?.body).toMatchObject({
        v: 1,
        event: 'updated.deal',
        meta: { v: 1, action: 'updated', object: 'deal', id: deal, change_source: 'api' },
        current: { id: deal, value: 5000 },
        previous: { value: 1000 },
        retry: 0,
      });
    });

    it('retries non-2xx deliveries after 3, 30 and 150 s with the same meta.id', async () => {
      receiver = await startReceiver({ statuses: [500, 503, 502, 500] });
      const webhook = await subscribe(admin, receiver.url);
      const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
      sandbox.pipedrive.simulateChange({
        entity: 'person',
        action: 'change',
        userId: sandbox.pipedrive.seed.demo.admin.id,
        id: maria,
        values: { name: 'Maria G.' },
      });

      await receiver.waitFor(4);
      await sandbox.pipedrive.settleWebhooks();
      const bodies = receiver.received.map((delivery) => delivery.body);
      expect(bodies.map((body) => body.meta.attempt)).toEqual([1, 2, 3, 4]);
      expect(new Set(bodies.map((body) => body.meta.id)).size).toBe(1);
      expect(bodies[0]?.meta).toMatchObject({ change_source: 'app', action: 'change' });
      const deliveries = sandbox.pipedrive.state.webhookDeliveries;
      expect(deliveries.map((entry) => [entry.attempt, entry.status])).toEqual([
        [1, 500],
        [2, 503],
        [3, 502],
        [4, 500],
      ]);
      // Delays run on the sandbox clock at timeScale 0.001: 3, 30 and 150 ms apart at least.
      const gaps = deliveries
        .slice(1)
        .map((entry, index) => entry.at.getTime() - (deliveries[index]?.at.getTime() ?? 0));
      expect([3, 30, 150].map((delay, index) => (gaps[index] ?? 0) >= delay - 1)).toEqual([true, true, true]);
      expect(sandbox.pipedrive.state.webhooks.get(webhook.id ?? 0)).toMatchObject({
        banCounter: 1,
        lastHttpStatus: 500,
      });
    });

    it('stops retrying once a retry succeeds', async () => {
      receiver = await startReceiver({ statuses: [500] });
      await subscribe(admin, receiver.url);
      sandbox.pipedrive.simulateChange({
        entity: 'deal',
        action: 'change',
        userId: sandbox.pipedrive.seed.demo.admin.id,
        id: sandbox.pipedrive.seed.demo.deals[0]?.id ?? 0,
        values: { title: 'Website redesign v2' },
      });
      await receiver.waitFor(2);
      await sandbox.pipedrive.settleWebhooks();
      expect(receiver.received.map((delivery) => delivery.body.meta.attempt)).toEqual([1, 2]);
      expect(receiver.received[1]?.body).toMatchObject({
        meta: { entity: 'deal' },
        previous: { title: 'Website redesign' },
      });
    });

    it('bans a webhook for 30 minutes after 10 failed first attempts and drops events meanwhile', async () => {
      receiver = await startReceiver({ statuses: Array(60).fill(500) });
      const webhook = await subscribe(admin, receiver.url, { event_action: 'change', event_object: 'person' });
      const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
      const change = (name: string) =>
        sandbox.pipedrive.simulateChange({
          entity: 'person',
          action: 'change',
          userId: sandbox.pipedrive.seed.demo.admin.id,
          id: maria,
          values: { name },
        });

      for (let index = 0; index < 10; index += 1) {
        change(`Maria ${index}`);
        await receiver.waitFor(receiver.received.filter((entry) => entry.body.meta.attempt === 1).length + 1);
        await sandbox.pipedrive.settleWebhooks();
      }
      expect(sandbox.pipedrive.state.webhooks.get(webhook.id ?? 0)?.bannedUntil).toBeInstanceOf(Date);

      const before = receiver.received.length;
      change('Maria during ban');
      await sandbox.pipedrive.settleWebhooks();
      expect(sandbox.pipedrive.state.webhookDeliveries.at(-1)).toMatchObject({ error: 'dropped: webhook banned' });

      sandbox.clock.advance(30 * 60 * 1000 + 1);
      change('Maria after ban');
      await receiver.waitFor(before + 1);
      expect(receiver.received.at(-1)?.body.data).toMatchObject({ name: 'Maria after ban' });
    });

    it('deletes a webhook after 3 days without a successful delivery', async () => {
      receiver = await startReceiver({ statuses: [500, 500] });
      const webhook = await subscribe(admin, receiver.url);
      sandbox.clock.advance(3 * 24 * 60 * 60 * 1000);
      sandbox.pipedrive.simulateChange({
        entity: 'person',
        action: 'create',
        userId: sandbox.pipedrive.seed.demo.admin.id,
        values: { name: 'Late Event' },
      });
      await receiver.waitFor(1);
      await sandbox.pipedrive.settleWebhooks();
      expect(sandbox.pipedrive.state.webhooks.has(webhook.id ?? 0)).toBe(false);
      expect(sandbox.pipedrive.state.webhookDeliveries).toEqual([expect.objectContaining({ attempt: 1, status: 500 })]);
    });

    it('counts a delivery without an answer within the timeout as failed', async () => {
      receiver = await startReceiver({ hang: true });
      await subscribe(admin, receiver.url);
      sandbox.pipedrive.simulateChange({
        entity: 'person',
        action: 'create',
        userId: sandbox.pipedrive.seed.demo.admin.id,
        values: { name: 'Slow Receiver' },
      });
      await receiver.waitFor(1);
      await sandbox.pipedrive.settleWebhooks();
      expect(sandbox.pipedrive.state.webhookDeliveries[0]).toMatchObject({
        attempt: 1,
        status: null,
        error: 'timeout',
      });
    });

    it('sends events only for objects the webhook’s user may see', async () => {
      receiver = await startReceiver();
      const { demo } = sandbox.pipedrive.seed;
      const samId = demo.users[1]?.id ?? 0;
      const sam = connect(sandbox, samId).access_token;
      const samHook = await subscribe(sam, `${receiver.url}?for=sam`);
      const adminHook = await subscribe(admin, `${receiver.url}?for=admin`);
      const lucas = demo.persons[2]?.id ?? 0; // Rita's private person

      sandbox.pipedrive.simulateChange({
        entity: 'person',
        action: 'change',
        userId: demo.users[2]?.id ?? 0,
        id: lucas,
        values: { name: 'Lucas S.' },
      });
      await receiver.waitFor(1);
      await sandbox.pipedrive.settleWebhooks();
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.body.meta).toMatchObject({
        webhook_id: String(adminHook.id),
        permitted_user_ids: [String(demo.admin.id), String(demo.users[2]?.id)],
      });
      expect(sandbox.pipedrive.state.webhookDeliveries.some((entry) => entry.webhookId === samHook.id)).toBe(false);
    });

    it('reports a merge as a delete with merged_to_id and a change of the survivor', async () => {
      receiver = await startReceiver();
      await subscribe(admin, receiver.url);
      const { demo } = sandbox.pipedrive.seed;
      const duplicate = sandbox.pipedrive.simulateChange({
        entity: 'person',
        action: 'create',
        userId: demo.admin.id,
        values: { name: 'Maria Gomez (2)', phones: ['+34 611 000 000'] },
      });
      const maria = demo.persons[0]?.id ?? 0;
      sandbox.pipedrive.simulateChange({
        entity: 'person',
        action: 'merge',
        userId: demo.admin.id,
        id: Number(duplicate.id),
        mergeIntoId: maria,
      });

      await receiver.waitFor(3);
      const [, deleted, changed] = receiver.received.map((delivery) => delivery.body);
      expect(deleted).toMatchObject({
        meta: { action: 'delete', entity_id: String(duplicate.id), merged_to_id: String(maria), change_source: 'app' },
        data: null,
        previous: { name: 'Maria Gomez (2)' },
      });
      expect(changed).toMatchObject({
        meta: { action: 'change', entity_id: String(maria), merged_from_id: String(duplicate.id) },
      });
      expect(changed?.data?.['phones']).toEqual([
        { value: '+34 600 111 222', label: 'mobile', primary: true },
        { value: '+34 611 000 000', label: 'mobile', primary: false },
      ]);
      expect((await callApi(sandbox, admin, 'GET', `/api/v2/persons/${duplicate.id}`)).status).toBe(404);
    });
  });
});
