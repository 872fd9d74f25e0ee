import { type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: false }, (started) => {
  h = started;
});

const send = (body: Record<string, unknown>, phoneNumberId = h.number.phoneNumberId, token?: string) =>
  h.graph(
    'POST',
    `/v23.0/${phoneNumberId}/messages`,
    { messaging_product: 'whatsapp', to: '34600111222', ...body },
    token,
  );

async function upload(
  file: Blob,
  filename: string,
  fields: Record<string, string> = {},
  phoneNumberId = h.number.phoneNumberId,
) {
  const form = new FormData();
  for (const [key, value] of Object.entries({ messaging_product: 'whatsapp', type: file.type, ...fields }))
    form.set(key, value);
  form.set('file', file, filename);
  const response = await fetch(`${h.sandbox.url}/v23.0/${phoneNumberId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.number.accessToken}` },
    body: form,
  });
  return {
    status: response.status,
    json: (await response.json()) as { id?: string; error?: { code: number; message: string } },
  };
}

describe('sending the other message types (validated like Meta)', () => {
  beforeEach(() => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'hi' });
  });

  it('sends reply buttons and lists, refusing what Meta refuses', async () => {
    const buttons = {
      type: 'button',
      body: { text: 'Which size?' },
      footer: { text: 'Acme' },
      action: {
        buttons: [
          { type: 'reply', reply: { id: 'size-s', title: 'Small' } },
          { type: 'reply', reply: { id: 'size-l', title: 'Large' } },
        ],
      },
    };
    const sent = await send({ type: 'interactive', interactive: buttons });
    expect(sent.status).toBe(200);
    const stored = h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1);
    expect(stored).toMatchObject({
      type: 'interactive',
      text: 'Which size?',
      content: expect.objectContaining({ type: 'button' }),
    });

    const list = {
      type: 'list',
      body: { text: 'Pick a slot' },
      action: {
        button: 'Slots',
        sections: [{ title: 'Monday', rows: [{ id: 'mon-9', title: '9:00', description: 'Morning' }] }],
      },
    };
    expect((await send({ type: 'interactive', interactive: list })).status).toBe(200);

    const refusals: [unknown, number][] = [
      [{ ...buttons, body: {} }, 100],
      [
        {
          ...buttons,
          action: {
            buttons: Array.from({ length: 4 }, (_, i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } })),
          },
        },
        131009,
      ],
      [
        {
          ...buttons,
          action: { buttons: [{ type: 'reply', reply: { id: 'x', title: 'A title far too long for a button' } }] },
        },
        131009,
      ],
      [
        {
          ...buttons,
          action: {
            buttons: [
              { type: 'reply', reply: { id: 'x', title: 'A' } },
              { type: 'reply', reply: { id: 'x', title: 'B' } },
            ],
          },
        },
        131009,
      ],
      [
        {
          ...list,
          action: {
            button: 'Slots',
            sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` })) }],
          },
        },
        131009,
      ],
      [{ ...list, action: { sections: list.action.sections } }, 100],
      [{ type: 'cta_url', body: { text: 'x' }, action: {} }, 100],
    ];
    for (const [interactive, code] of refusals) {
      expect((await send({ type: 'interactive', interactive })).json.error?.code).toBe(code);
    }
  });

  it('sends locations and contacts', async () => {
    const location = await send({
      type: 'location',
      location: { latitude: 40.4168, longitude: -3.7038, name: 'Sol', address: 'Madrid' },
    });
    expect(location.status).toBe(200);
    expect(h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1)?.content).toEqual({
      latitude: 40.4168,
      longitude: -3.7038,
      name: 'Sol',
      address: 'Madrid',
    });
    expect((await send({ type: 'location', location: { latitude: 91, longitude: 0 } })).json.error?.code).toBe(131009);
    expect((await send({ type: 'location', location: { longitude: 0 } })).json.error?.code).toBe(100);

    const card = {
      name: { formatted_name: 'Ada Admin', first_name: 'Ada' },
      phones: [{ phone: '+1 555 0100', type: 'WORK' }],
    };
    expect((await send({ type: 'contacts', contacts: [card] })).status).toBe(200);
    expect((await send({ type: 'contacts', contacts: [{ phones: [] }] })).json.error?.code).toBe(100);
    expect((await send({ type: 'contacts', contacts: [] })).json.error?.code).toBe(100);
  });

  it('sends audio, video and stickers by link or uploaded id; audio and stickers take no caption', async () => {
    expect((await send({ type: 'video', video: { link: 'https://example.com/v.mp4', caption: 'Demo' } })).status).toBe(
      200,
    );
    expect((await send({ type: 'audio', audio: { link: 'https://example.com/a.ogg' } })).status).toBe(200);
    expect(
      (await send({ type: 'audio', audio: { link: 'https://example.com/a.ogg', caption: 'x' } })).json.error?.code,
    ).toBe(100);
    expect(
      (await send({ type: 'sticker', sticker: { link: 'https://example.com/s.webp', caption: 'x' } })).json.error?.code,
    ).toBe(100);

    const sticker = await upload(new Blob([Buffer.from('RIFF0000WEBPVP8 ')], { type: 'image/webp' }), 'smile.webp');
    expect(sticker.status).toBe(200);
    expect(sticker.json.id).toMatch(/^\d{16}$/);
    expect((await send({ type: 'sticker', sticker: { id: sticker.json.id } })).status).toBe(200);
    // A sticker's media id is not an audio.
    expect((await send({ type: 'audio', audio: { id: sticker.json.id } })).json.error?.code).toBe(131009);
  });
});

describe('media upload and delete', () => {
  it('uploads a file, serves it by id, uses it in a send, and deletes it', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'hi' });
    const pdf = new Blob([Buffer.from('%PDF-1.4 sandbox')], { type: 'application/pdf' });
    const uploaded = await upload(pdf, 'quote.pdf');
    expect(uploaded.status).toBe(200);
    const id = uploaded.json.id ?? '';
    const object = await h.graph('GET', `/v23.0/${id}`);
    expect(object.json).toMatchObject({
      id,
      mime_type: 'application/pdf',
      file_size: 16,
      messaging_product: 'whatsapp',
    });
    expect((await send({ type: 'document', document: { id, filename: 'quote.pdf' } })).status).toBe(200);

    // Another business cannot see, use or delete it.
    const globex = h.sandbox.whatsapp.numbers[1];
    expect((await h.graph('DELETE', `/v23.0/${id}`, undefined, globex?.accessToken)).json.error?.code).toBe(100);
    expect(
      (await send({ type: 'document', document: { id } }, globex?.phoneNumberId, globex?.accessToken)).json.error?.code,
    ).toBe(131009);

    expect((await h.graph('DELETE', `/v23.0/${id}`)).json).toEqual({ success: true });
    expect((await h.graph('GET', `/v23.0/${id}`)).json.error?.code).toBe(100);
    expect((await send({ type: 'document', document: { id } })).json.error?.code).toBe(131009);
    expect((await h.graph('DELETE', `/v23.0/${id}`)).status).toBe(400);
  });

  it('refuses uploads without messaging_product or file, of unsupported types, or too large', async () => {
    const form = new FormData();
    form.set('file', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
    const noProduct = await fetch(`${h.sandbox.url}/v23.0/${h.number.phoneNumberId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.number.accessToken}` },
      body: form,
    });
    expect(noProduct.status).toBe(400);
    expect(((await noProduct.json()) as { error: { code: number } }).error.code).toBe(100);
    expect((await upload(new Blob(['x'], { type: 'application/x-msdownload' }), 'evil.exe')).status).toBe(400);
    expect((await upload(new Blob([Buffer.alloc(600 * 1024)], { type: 'image/webp' }), 'big.webp')).status).toBe(400);
    const json = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/media`, { messaging_product: 'whatsapp' });
    expect(json.status).toBe(400);
    const unauthenticated = await fetch(`${h.sandbox.url}/v23.0/${h.number.phoneNumberId}/media`, {
      method: 'POST',
      body: form,
    });
    expect(unauthenticated.status).toBe(401);
  });
});
