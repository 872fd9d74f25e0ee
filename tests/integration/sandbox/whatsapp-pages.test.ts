import { expectedSignature, itemsOf, type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

const page = async (path: string) => {
  const response = await fetch(`${h.sandbox.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
};

const postForm = (path: string, fields: Record<string, string>) =>
  fetch(`${h.sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });

const postJson = (path: string, body: unknown) =>
  fetch(`${h.sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });

describe('customer phone page', () => {
  it('renders the customers, the business numbers and, once picked, the chat with its composer', async () => {
    expect(h.sandbox.whatsapp.customerPhonePath).toBe('/whatsapp/phone');
    const start = await page('/whatsapp/phone');
    expect(start.status).toBe(200);
    expect(start.type).toContain('text/html');
    expect(start.html).toContain('María G. 🌻');
    expect(start.html).toContain('Acme Demo');
    expect(start.html).toContain('Globex Support');

    const chat = await page(`/whatsapp/phone?customer=34600111222&number=${h.number.phoneNumberId}`);
    expect(chat.html).toContain('action="/whatsapp/phone/send"');
    expect(chat.html).toContain('No open customer service window');
  });

  it('sends a signed inbound webhook from its plain form post, then redirects back to the chat', async () => {
    const response = await postForm('/whatsapp/phone/send', {
      customer: '34600111222',
      number: h.number.phoneNumberId,
      text: 'Sent from the phone page',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `/whatsapp/phone?customer=34600111222&number=${h.number.phoneNumberId}`,
    );
    const [post] = await h.receiver.waitForPosts(1);
    const raw = post?.rawBody ?? Buffer.alloc(0);
    expect(post?.headers['x-hub-signature-256']).toBe(expectedSignature(raw, h.number.appSecret));
    expect(itemsOf(raw, 'messages')[0]).toMatchObject({
      from: '34600111222',
      type: 'text',
      text: { body: 'Sent from the phone page' },
    });

    const chat = await page(`/whatsapp/phone?customer=34600111222&number=${h.number.phoneNumberId}`);
    expect(chat.html).toContain('Sent from the phone page');
    expect(chat.html).toContain('Customer service window open until');
  });

  it('takes the script’s JSON posts: sample photo, uploaded file, reply, reaction', async () => {
    const base = { customer: '34600111222', number: h.number.phoneNumberId };
    const photo = await postJson('/whatsapp/phone/send', { ...base, sample: 'image' });
    const { wamid } = (await photo.json()) as { wamid: string };
    expect((await h.receiver.waitForItem('messages', (m) => m.id === wamid)).type).toBe('image');

    const dataUrl = `data:application/pdf;base64,${Buffer.from('%PDF-1.4 tiny').toString('base64')}`;
    const upload = (await (
      await postJson('/whatsapp/phone/send', { ...base, file: { dataUrl, filename: 'quote.pdf' }, replyTo: wamid })
    ).json()) as {
      wamid: string;
    };
    const document = await h.receiver.waitForItem('messages', (m) => m.id === upload.wamid);
    expect(document).toMatchObject({ type: 'document', document: { filename: 'quote.pdf' }, context: { id: wamid } });

    const reaction = await postJson('/whatsapp/phone/send', { ...base, reaction: { messageId: wamid, emoji: '👍' } });
    expect(reaction.status).toBe(200);
    const bad = await postJson('/whatsapp/phone/send', { ...base, text: '   ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'the message is empty' });
  });

  it('shows the business reply with live ticks, and reads it while the screen is on', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Hi' });
    const response = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      text: { body: 'Hello María <3' },
    });
    const wamid = response.json.messages[0]?.id ?? '';
    await h.receiver.waitForItem('statuses', (s) => s.id === wamid && s.status === 'delivered');
    const fragment = await page(`/whatsapp/phone/chat?customer=34600111222&number=${h.number.phoneNumberId}&viewing=1`);
    expect(fragment.html).toContain('Hello María &lt;3');
    expect(fragment.html).toContain('✓✓ read');
    await h.receiver.waitForItem('statuses', (s) => s.id === wamid && s.status === 'read');
  });

  it('creates a customer from its form, escaping what people type', async () => {
    const response = await postForm('/whatsapp/phone/customers', {
      name: '<b>Eve</b>',
      phone: '+49 151 23456789',
      number: h.number.phoneNumberId,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('customer=4915123456789');
    const html = (await page(response.headers.get('location') ?? '')).html;
    expect(html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(html).not.toContain('<b>Eve</b>');
    const invalid = await postForm('/whatsapp/phone/customers', {
      name: 'x',
      phone: 'call me',
      number: h.number.phoneNumberId,
    });
    const location = new URL(invalid.headers.get('location') ?? '', h.sandbox.url);
    expect(location.searchParams.get('error')).toBe('"call me" is not a phone number');
    expect((await page(`${location.pathname}${location.search}`)).html).toContain(
      '&quot;call me&quot; is not a phone number',
    );
  });
});

describe('Meta app dashboard page', () => {
  it('shows each app’s credentials and verifies the webhook settings submitted by its form', async () => {
    h.sandbox.whatsapp.reset();
    const before = await page('/whatsapp/apps');
    expect(before.status).toBe(200);
    for (const value of [
      h.number.appId,
      h.number.appSecret,
      h.number.phoneNumberId,
      h.number.wabaId,
      h.number.accessToken,
    ]) {
      expect(before.html).toContain(value);
    }
    expect(before.html).toContain('No callback URL verified yet');

    const failed = await postForm(`/whatsapp/apps/${h.number.appId}/webhook`, {
      callback_url: h.receiver.url,
      verify_token: 'wrong',
    });
    expect(failed.status).toBe(303);
    expect((await page(failed.headers.get('location') ?? '')).html).toContain('couldn&#39;t be validated');

    const saved = await postForm(`/whatsapp/apps/${h.number.appId}/webhook`, {
      callback_url: h.receiver.url,
      verify_token: h.receiver.verifyToken,
    });
    const after = await page(saved.headers.get('location') ?? '');
    expect(after.html).toContain('Verified and saved');
    expect(h.sandbox.whatsapp.state.apps.get(h.number.appId)?.webhook?.callbackUrl).toBe(h.receiver.url);
  });
});
