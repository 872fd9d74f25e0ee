import { defaultFaults } from '../../../sandbox/whatsapp/faults.ts';
import { itemsOf, type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

describe('retries of failed deliveries', () => {
  it('redelivers the same signed bytes with capped exponential backoff until the receiver answers 200', async () => {
    h.sandbox.whatsapp.setFaults({ retry: { initialDelayMs: 10_000, factor: 2, maxDelayMs: 30_000 } });
    h.receiver.answerPosts((index) => (index < 3 ? 500 : 200));
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'retry me' });
    await h.sandbox.whatsapp.waitForDeliveryAttempt((attempt) => attempt.status === 200);

    const attempts = h.sandbox.whatsapp.deliveryAttempts();
    expect(attempts.map((a) => [a.attempt, a.status, a.nextRetryInMs])).toEqual([
      [1, 500, 10_000],
      [2, 500, 20_000],
      [3, 500, 30_000],
      [4, 200, null],
    ]);
    expect(new Set(attempts.map((a) => a.deliveryId)).size).toBe(1);
    const posts = h.receiver.posts();
    expect(posts).toHaveLength(4);
    expect(new Set(posts.map((p) => p.rawBody.toString())).size).toBe(1);
    expect(new Set(posts.map((p) => p.headers['x-hub-signature-256'])).size).toBe(1);
    expect(itemsOf(posts[3]?.rawBody ?? Buffer.alloc(0), 'messages')[0]?.id).toBe(wamid);
  });

  it('waits the scaled backoff between attempts (delays run on the sandbox clock)', async () => {
    // timeScale 0.001: 40 s of emulated backoff is 40 ms of real time.
    h.sandbox.whatsapp.setFaults({ retry: { initialDelayMs: 40_000, factor: 1 } });
    h.receiver.answerPosts((index) => (index === 0 ? 500 : 200));
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'slow retry' });
    await h.receiver.waitForPosts(1);
    const firstAt = Date.now();
    await h.receiver.waitForPosts(2);
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(35);
  });

  it('gives up once the retry horizon is reached', async () => {
    h.sandbox.whatsapp.setFaults({ retry: { initialDelayMs: 1_000, factor: 2, maxDelayMs: 4_000, horizonMs: 10_000 } });
    h.receiver.answerPosts(() => 503);
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'never accepted' });
    const last = await h.sandbox.whatsapp.waitForDeliveryAttempt((attempt) => attempt.nextRetryInMs === null);
    expect(last).toMatchObject({ attempt: 4, status: 503 });
    expect(h.sandbox.whatsapp.deliveryAttempts().map((a) => a.nextRetryInMs)).toEqual([1_000, 2_000, 4_000, null]);
  });

  it('counts anything but 200 as a failure, including other 2xx and unreachable receivers', async () => {
    h.receiver.answerPosts((index) => (index === 0 ? 204 : 200));
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: '204 is not 200' });
    await h.sandbox.whatsapp.waitForDeliveryAttempt((attempt) => attempt.status === 200);
    expect(h.sandbox.whatsapp.deliveryAttempts().map((a) => a.status)).toEqual([204, 200]);

    const app = h.sandbox.whatsapp.state.apps.get(h.number.appId);
    if (app?.webhook) app.webhook.callbackUrl = 'http://127.0.0.1:9/unreachable';
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'nobody listens' });
    const refused = await h.sandbox.whatsapp.waitForDeliveryAttempt((attempt) => attempt.status === null);
    expect(refused).toMatchObject({ error: expect.any(String), nextRetryInMs: expect.any(Number) });
  });
});

describe('fault knobs', () => {
  it('duplicates deliveries: the same bytes arrive twice as separate POSTs', async () => {
    h.sandbox.whatsapp.setFaults({ duplicateRate: 1 });
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'twice' });
    const [first, second] = await h.receiver.waitForPosts(2);
    expect(second?.rawBody.equals(first?.rawBody ?? Buffer.alloc(0))).toBe(true);
    expect(second?.headers['x-hub-signature-256']).toBe(first?.headers['x-hub-signature-256']);
    // The emulator records an attempt once the receiver has answered, which may be after the POST arrived.
    const duplicate = await h.sandbox.whatsapp.waitForDeliveryAttempt((a) => a.duplicateOf !== null);
    const original = await h.sandbox.whatsapp.waitForDeliveryAttempt((a) => a.duplicateOf === null);
    expect(duplicate.duplicateOf).toBe(original.deliveryId);
    expect(duplicate.deliveryId).not.toBe(original.deliveryId);
  });

  it('reorders statuses: delivered arrives before sent', async () => {
    h.sandbox.whatsapp.setFaults({ reorderStatuses: true });
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Hi' });
    const response = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      text: { body: 'out of order' },
    });
    const wamid = response.json.messages[0]?.id ?? '';
    await h.receiver.waitForItem('statuses', (s) => s.id === wamid && s.status === 'sent');
    const order = h.receiver
      .posts()
      .flatMap((p) => itemsOf(p.rawBody, 'statuses'))
      .filter((s) => s.id === wamid);
    expect(order.map((s) => s.status)).toEqual(['delivered', 'sent']);
    expect(Number(order[1]?.timestamp)).toBeLessThanOrEqual(Number(order[0]?.timestamp));
  });

  it('delays webhooks by webhookDelayMs of emulated time', async () => {
    h.sandbox.whatsapp.setFaults({ webhookDelayMs: 60_000 });
    const started = Date.now();
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'late' });
    await h.receiver.waitForPosts(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('answers a share of Graph requests with a transient 503 (code 2)', async () => {
    h.sandbox.whatsapp.setFaults({ graphErrorRate: 0.5, random: () => 0.25 });
    const failed = await h.graph('GET', `/v23.0/${h.number.wabaId}/message_templates`);
    expect(failed.status).toBe(503);
    expect(failed.json.error).toMatchObject({ code: 2, is_transient: true, type: 'OAuthException' });
    h.sandbox.whatsapp.setFaults({ random: () => 0.75 });
    expect((await h.graph('GET', `/v23.0/${h.number.wabaId}/message_templates`)).status).toBe(200);
  });

  it('adds latency to Graph responses', async () => {
    h.sandbox.whatsapp.setFaults({ latencyMs: 80_000 });
    const started = Date.now();
    expect((await h.graph('GET', `/v23.0/${h.number.phoneNumberId}`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});

describe('reset()', () => {
  it('returns to a fresh start but keeps the credentials Parley may have stored', async () => {
    const before = structuredClone(h.sandbox.whatsapp.numbers);
    h.sandbox.whatsapp.setFaults({ duplicateRate: 1, latencyMs: 5 });
    h.sandbox.whatsapp.addCustomer({ phone: '+351 912 345 678', name: 'Ana Lima' });
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'hello' });
    await h.receiver.waitForPosts(1);

    h.sandbox.whatsapp.reset();

    const { faults } = h.sandbox.whatsapp;
    const defaults = defaultFaults();
    expect({ ...faults, random: null }).toEqual({ ...defaults, random: null });
    expect(h.sandbox.whatsapp.numbers).toEqual(before);
    expect(h.sandbox.whatsapp.customers().map((c) => c.waId)).not.toContain('351912345678');
    expect(h.sandbox.whatsapp.conversation({ customer: '34600111222' })).toEqual([]);
    expect(h.sandbox.whatsapp.deliveryAttempts()).toEqual([]);
    expect(h.sandbox.whatsapp.state.apps.get(h.number.appId)?.webhook).toBeNull();
    expect((await h.graph('GET', `/v23.0/${h.number.wabaId}/subscribed_apps`)).json).toEqual({ data: [] });
  });
});
