import { createHash } from 'node:crypto';
import { type WhatsAppHarness, type WebhookItem, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

const inbound = (wamid: string): Promise<WebhookItem> => h.receiver.waitForItem('messages', (m) => m.id === wamid);

const download = (url: string, token: string | null = h.number.accessToken) =>
  fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

describe('inbound message kinds (§2.3)', () => {
  it('quotes a business message with context {from: business number, id}', async () => {
    const sent = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    const businessWamid = sent.json.messages[0]?.id ?? '';
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Thanks!', replyTo: businessWamid });
    const message = await inbound(wamid);
    expect(message).toMatchObject({
      context: { from: h.number.displayPhoneNumber, id: businessWamid },
      type: 'text',
      text: { body: 'Thanks!' },
    });
  });

  it('sends reactions (an empty emoji removes one)', async () => {
    const first = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'look' });
    const wamid = h.sandbox.whatsapp.sendFromCustomer({
      from: '34600111222',
      reaction: { messageId: first, emoji: '❤️' },
    });
    expect(await inbound(wamid)).toMatchObject({ type: 'reaction', reaction: { message_id: first, emoji: '❤️' } });
    const removal = h.sandbox.whatsapp.sendFromCustomer({
      from: '34600111222',
      reaction: { messageId: first, emoji: '' },
    });
    // Removing a reaction sends the reaction object without `emoji`.
    expect((await inbound(removal)).reaction).toEqual({ message_id: first });
    expect(() =>
      h.sandbox.whatsapp.sendFromCustomer({ from: '14155550101', reaction: { messageId: first, emoji: '👍' } }),
    ).toThrow(/not part of this chat/);
  });

  it("turns a tap on a template's quick-reply button into a button message with its payload", async () => {
    const sent = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      type: 'template',
      template: {
        name: 'follow_up',
        language: { code: 'en' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'María' },
              { type: 'text', text: 'the redesign' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'CALL_ME' }],
          },
        ],
      },
    });
    const templateWamid = sent.json.messages[0]?.id ?? '';
    const wamid = h.sandbox.whatsapp.sendFromCustomer({
      from: '34600111222',
      buttonReply: { messageId: templateWamid, index: 0 },
    });
    expect(await inbound(wamid)).toMatchObject({
      context: { from: h.number.displayPhoneNumber, id: templateWamid },
      type: 'button',
      button: { payload: 'CALL_ME', text: 'Yes, call me' },
    });
    expect(() =>
      h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', buttonReply: { messageId: templateWamid, index: 5 } }),
    ).toThrow(/no quick-reply button/);
  });

  it('registers new customers and uses their profile name', async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '+351 912 345 678', name: 'Ana Lima', text: 'Olá' });
    const [post] = await h.receiver.waitForPosts(1);
    const body = JSON.parse(post?.rawBody.toString() ?? '') as {
      entry: { changes: { value: { contacts: unknown } }[] }[];
    };
    expect(body.entry[0]?.changes[0]?.value.contacts).toEqual([
      { profile: { name: 'Ana Lima' }, wa_id: '351912345678', user_id: expect.stringMatching(/^PT\.\d{19}$/) },
    ]);
    expect((await inbound(wamid)).from).toBe('351912345678');
    expect(h.sandbox.whatsapp.customers().map((c) => c.waId)).toContain('351912345678');
  });

  it('rejects input that is no single message', () => {
    expect(() => h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222' })).toThrow(/exactly one/);
    expect(() => h.sandbox.whatsapp.sendFromCustomer({ from: 'nobody', text: 'x' })).toThrow(/not a phone number/);
  });
});

describe('media', () => {
  it('sends an image with a media id; GET /{media-id} gives a short-lived URL that needs the token', async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', image: { caption: 'The broken part' } });
    const { image } = await inbound(wamid);
    expect(image).toEqual({
      caption: 'The broken part',
      mime_type: 'image/png',
      sha256: expect.any(String),
      id: expect.stringMatching(/^\d+$/),
    });

    const media = await h.graph('GET', `/v23.0/${image.id}`);
    expect(media.status).toBe(200);
    expect(media.json).toEqual({
      url: expect.stringContaining(`${h.sandbox.url}/whatsapp/lookaside/`),
      mime_type: 'image/png',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      file_size: expect.any(Number),
      id: image.id,
      messaging_product: 'whatsapp',
    });

    const response = await download(media.json.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.length).toBe(media.json.file_size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(media.json.sha256);
    expect(createHash('sha256').update(bytes).digest('base64')).toBe(image.sha256);
  });

  it('refuses downloads without a valid token (401) and expired or tampered URLs (404)', async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', image: true });
    const { image } = await inbound(wamid);
    const { url } = (await h.graph('GET', `/v23.0/${image.id}`)).json;
    expect((await download(url, null)).status).toBe(401);
    expect((await download(url, 'EAAwrong')).status).toBe(401);
    expect((await download(url, h.sandbox.whatsapp.numbers[1]?.accessToken ?? '')).status).toBe(401);
    expect((await download(url.replace(/hash=[0-9a-f]{4}/, 'hash=0000'))).status).toBe(404);

    h.sandbox.clock.advance(5 * 60 * 1000 + 1000);
    expect((await download(url)).status).toBe(404);
    const fresh = (await h.graph('GET', `/v23.0/${image.id}`)).json.url;
    expect((await download(fresh)).status).toBe(200);
  });

  it("does not show a media object to another WABA's token", async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', image: true });
    const { image } = await inbound(wamid);
    const other = await h.graph('GET', `/v23.0/${image.id}`, undefined, h.sandbox.whatsapp.numbers[1]?.accessToken);
    expect(other.json.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await h.graph('GET', `/v23.0/${image.id}`, undefined, null)).status).toBe(401);
  });

  it('sends documents with a filename; the sample PDF downloads as a PDF', async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', document: true });
    const { document } = await inbound(wamid);
    expect(document).toMatchObject({ filename: 'order-1042.pdf', mime_type: 'application/pdf' });
    const { url } = (await h.graph('GET', `/v23.0/${document.id}`)).json;
    const bytes = Buffer.from(await (await download(url)).arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.toString('latin1')).toMatch(/%%EOF\n$/);
  });

  it('takes customer-provided bytes, and refuses image types WhatsApp does not send as images', async () => {
    const bytes = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const wamid = h.sandbox.whatsapp.sendFromCustomer({
      from: '34600111222',
      image: { bytes, mimeType: 'image/jpeg' },
    });
    const { image } = await inbound(wamid);
    const { url } = (await h.graph('GET', `/v23.0/${image.id}`)).json;
    expect(Buffer.from(await (await download(url)).arrayBuffer())).toEqual(Buffer.from(bytes));
    expect(() =>
      h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', image: { bytes, mimeType: 'image/gif' } }),
    ).toThrow(/JPEG or PNG/);
  });

  it('lets the business send images by link or by an existing media id, not by an unknown one', async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', image: true });
    const { image } = await inbound(wamid);
    const send = (media: Record<string, string>) =>
      h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
        messaging_product: 'whatsapp',
        to: '34600111222',
        type: 'image',
        image: media,
      });
    expect((await send({ link: 'https://cdn.example.com/offer.png', caption: 'Our offer' })).status).toBe(200);
    expect((await send({ id: image.id })).status).toBe(200);
    expect((await send({ id: '999999999999999' })).json.error.code).toBe(131009);
    expect((await send({})).json.error.code).toBe(131008);
  });
});
