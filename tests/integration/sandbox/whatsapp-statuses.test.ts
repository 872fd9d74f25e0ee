import { itemsOf, type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

describe('status webhooks', () => {
  const sendText = async (to: string, body = 'Thanks for writing!') => {
    const response = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to,
      type: 'text',
      text: { body },
    });
    expect(response.status).toBe(200);
    return response.json.messages[0]?.id ?? '';
  };
  const statusOf = (wamid: string, status: string) =>
    h.receiver.waitForItem('statuses', (item) => item.id === wamid && item.status === status);

  it('reports sent → delivered → read inside the customer service window (§2.4)', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Hi!' });
    const wamid = await sendText('34600111222');
    const sent = await statusOf(wamid, 'sent');
    expect(sent).toEqual({
      id: wamid,
      status: 'sent',
      timestamp: expect.stringMatching(/^\d{10}$/),
      recipient_id: '34600111222',
      recipient_user_id: h.sandbox.whatsapp.businessScopedUserId({ customer: '34600111222' }),
      conversation: { id: expect.any(String), expiration_timestamp: expect.any(String), origin: { type: 'service' } },
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
    });
    await statusOf(wamid, 'delivered');
    expect(h.sandbox.whatsapp.readChat({ customer: '34600111222' })).toEqual([wamid]);
    const read = await statusOf(wamid, 'read');
    expect(read.conversation).toBeUndefined();
    expect(h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' })[0]?.status).toBe('read');
  });

  it('sends only `read` when the chat is open on the phone as the message arrives', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Hi!' });
    h.sandbox.whatsapp.setChatOpen({ customer: '34600111222', open: true });
    const wamid = await sendText('34600111222');
    await statusOf(wamid, 'read');
    const statuses = h.receiver
      .posts()
      .flatMap((post) => itemsOf(post.rawBody, 'statuses'))
      .filter((s) => s.id === wamid);
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'read']);
  });

  it('accepts free-form text outside the 24-hour window, then fails it with 131047', async () => {
    const wamid = await sendText('34600111222');
    const failed = await statusOf(wamid, 'failed');
    expect(failed.errors).toEqual([
      {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        error_data: { details: expect.stringContaining('more than 24 hours') },
        href: expect.any(String),
      },
    ]);
    expect(
      h.receiver
        .posts()
        .flatMap((p) => itemsOf(p.rawBody, 'statuses'))
        .map((s) => s.status),
    ).toEqual(['failed']);
  });

  it('closes the window 24 hours after the last customer message; templates still go out', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Hi!' });
    h.sandbox.clock.advance(24 * 60 * 60 * 1000 - 60_000);
    const inside = await sendText('34600111222');
    await statusOf(inside, 'delivered');
    h.sandbox.clock.advance(2 * 60_000);
    const outside = await sendText('34600111222');
    expect((await statusOf(outside, 'failed')).errors[0]?.code).toBe(131047);
    const template = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    const sent = await statusOf(template.json.messages[0]?.id ?? '', 'sent');
    // Per-message pricing: a template outside the window is a regular, billable message.
    expect(sent.pricing).toEqual({ billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' });
  });

  it('accepts a number that is not on WhatsApp, then fails it with 131026', async () => {
    const response = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '+44 7700 900123',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(response.json.contacts).toEqual([{ input: '+44 7700 900123', wa_id: '447700900123' }]);
    const failed = await statusOf(response.json.messages[0]?.id ?? '', 'failed');
    expect(failed).toMatchObject({
      recipient_id: '447700900123',
      errors: [{ code: 131026, title: 'Message undeliverable' }],
    });
  });

  it('echoes biz_opaque_callback_data in statuses', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Hi!' });
    const response = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      text: { body: 'tracked' },
      biz_opaque_callback_data: 'parley:42',
    });
    const sent = await statusOf(response.json.messages[0]?.id ?? '', 'sent');
    expect(sent['biz_opaque_callback_data']).toBe('parley:42');
  });
});
