import { startSandbox } from '../../../sandbox/index.ts';
import { defaultFaults } from '../../../sandbox/whatsapp/faults.ts';
import { type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: false }, (started) => {
  h = started;
});

const send = (to: string, body = 'hello') =>
  h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
    messaging_product: 'whatsapp',
    to,
    type: 'text',
    text: { body },
  });

describe('WhatsApp send limits (on by default)', () => {
  it('defaults to Meta’s 80 messages/s per number and one message per 6 s per customer with bursts', () => {
    expect(defaultFaults()).toMatchObject({ throughputPerSecond: 80, pairRate: { intervalMs: 6_000, burst: 45 } });
  });

  it('refuses the message after a burst to one customer with 131056, then admits one per interval', async () => {
    for (let index = 0; index < 45; index += 1) expect((await send('34600111222', `burst ${index}`)).status).toBe(200);

    const refused = await send('34600111222', 'one too many');
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      code: 131056,
      message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      type: 'OAuthException',
      error_data: { messaging_product: 'whatsapp', details: expect.stringContaining('same phone number') },
    });
    // Nothing was accepted: no message, no status later.
    expect(h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' })).toHaveLength(45);

    // Another customer of the same number is not affected; another form of Maria's number is.
    expect((await send('14155550101')).status).toBe(200);
    expect((await send('+34 600 111 222')).json.error?.code).toBe(131056);

    h.sandbox.clock.advance(6_000);
    expect((await send('34600111222', 'paid back one')).status).toBe(200);
    expect((await send('34600111222', 'and no more')).json.error?.code).toBe(131056);
  });

  it('refuses sends beyond the number’s throughput with 130429 (HTTP 429) until the second has passed', async () => {
    h.sandbox.whatsapp.setFaults({ throughputPerSecond: 3, pairRate: null });
    for (const to of ['34600111222', '14155550101', '12125550199']) expect((await send(to)).status).toBe(200);
    const refused = await send('551112345678');
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatchObject({
      code: 130429,
      message: '(#130429) Rate limit hit',
      error_data: { details: 'Cloud API message throughput has been reached.' },
    });
    h.sandbox.clock.advance(1_001);
    expect((await send('551112345678')).status).toBe(200);
  });

  it('turns either limit off with null, and read receipts never count', async () => {
    h.sandbox.whatsapp.setFaults({ pairRate: null });
    for (let index = 0; index < 50; index += 1) expect((await send('34600111222')).status).toBe(200);

    h.sandbox.whatsapp.setFaults({ pairRate: { burst: 1 } });
    h.sandbox.clock.advance(10 * 60_000);
    const inbound = h.sandbox.whatsapp.sendFromCustomer({ from: '14155550101', text: 'hi' });
    expect((await send('14155550101')).status).toBe(200);
    const read = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: inbound,
    });
    expect(read.status).toBe(200);
    expect((await send('14155550101')).json.error?.code).toBe(131056);
  });

  it('takes the knobs at creation (kept by reset) and over HTTP, refusing unknown ones', async () => {
    const relaxed = await startSandbox({ port: 0, timeScale: 0.001, whatsappFaults: { pairRate: null } });
    try {
      relaxed.whatsapp.setFaults({ throughputPerSecond: 1000 });
      relaxed.whatsapp.reset();
      expect(relaxed.whatsapp.faults).toMatchObject({ pairRate: null, throughputPerSecond: 80 });

      const url = `${relaxed.url}/sandbox/whatsapp/faults`;
      const patch = (body: unknown) =>
        fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const changed = await patch({ throughputPerSecond: 20, pairRate: { intervalMs: 3_000 } });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toMatchObject({
        throughputPerSecond: 20,
        pairRate: { intervalMs: 3_000, burst: 45 },
      });
      expect(relaxed.whatsapp.faults.throughputPerSecond).toBe(20);
      expect((await patch({ throughputPerSecond: 0 })).status).toBe(400);
      expect((await patch({ pairRate: { perDay: 3 } })).status).toBe(400);
      expect(await (await patch({ random: 1 })).json()).toEqual({ error: 'unknown WhatsApp fault knob "random"' });
      const current = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(current).toMatchObject({ throughputPerSecond: 20, batchWindowMs: 250 });
      expect(current['random']).toBeUndefined();
    } finally {
      await relaxed.close();
    }
  });
});

describe('the pair rate and a clock moved back', () => {
  it('starts the debt over when tests move the sandbox clock back', async () => {
    h.sandbox.clock.advance(25 * 60 * 60 * 1000);
    try {
      expect((await send('34600111222', 'from the future')).status).toBe(200);
    } finally {
      h.sandbox.clock.advance(-25 * 60 * 60 * 1000);
    }
    expect((await send('34600111222', 'back in the present')).status).toBe(200);
  });
});
