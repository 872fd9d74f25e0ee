import { type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

const MARIA = '34600111222';
const inbound = (wamid: string) => h.receiver.waitForItem('messages', (item) => item.id === wamid);
const send = (body: Record<string, unknown>) =>
  h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to: MARIA, ...body });
const phonePost = async (path: string, body: Record<string, unknown>) => {
  const response = await fetch(`${h.sandbox.url}/whatsapp/phone/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ customer: MARIA, number: h.number.phoneNumberId, ...body }),
  });
  return { status: response.status, json: (await response.json()) as { wamid?: string; error?: string } };
};

describe('every inbound type from the customer phone (§2.3)', () => {
  it('sends voice notes, audio, video and stickers with Meta’s media objects', async () => {
    const voice = await inbound(h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, voice: true }));
    expect(voice).toMatchObject({
      type: 'audio',
      audio: {
        mime_type: 'audio/ogg; codecs=opus',
        voice: true,
        id: expect.stringMatching(/^\d+$/),
        sha256: expect.any(String),
      },
    });
    const audio = await inbound(h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, audio: true }));
    expect(audio['audio']).toMatchObject({ mime_type: 'audio/mpeg', voice: false });
    const video = await inbound(h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, video: { caption: 'Look' } }));
    expect(video['video']).toMatchObject({ mime_type: 'video/mp4', caption: 'Look' });
    const sticker = await inbound(h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, sticker: { animated: true } }));
    expect(sticker['sticker']).toMatchObject({ mime_type: 'image/webp', animated: true });
    // The media is downloadable through the Graph API like any other.
    const media = await h.graph('GET', `/v23.0/${(voice['audio'] as { id: string }).id}`);
    expect(media.json).toMatchObject({ mime_type: 'audio/ogg', messaging_product: 'whatsapp' });
    expect(() => h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, voice: { mimeType: 'audio/mpeg' } })).toThrow(
      'WhatsApp voice notes are OGG (Opus)',
    );
  });

  it('sends locations, contact cards and unsupported messages, each able to quote a message', async () => {
    const first = h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, text: 'first' });
    const location = await inbound(
      h.sandbox.whatsapp.sendFromCustomer({
        from: MARIA,
        location: { latitude: 40.4168, longitude: -3.7038, name: 'Sol', address: 'Madrid' },
        replyTo: first,
      }),
    );
    expect(location).toMatchObject({
      type: 'location',
      location: { latitude: 40.4168, longitude: -3.7038, name: 'Sol', address: 'Madrid' },
      context: { from: MARIA, id: first },
    });
    const contacts = await inbound(
      h.sandbox.whatsapp.sendFromCustomer({
        from: MARIA,
        contacts: [{ name: 'Lucía Romero', phone: '+34 611 222 333' }],
      }),
    );
    expect(contacts['contacts']).toEqual([
      {
        name: { formatted_name: 'Lucía Romero', first_name: 'Lucía', last_name: 'Romero' },
        phones: [{ phone: '+34 611 222 333', type: 'CELL', wa_id: '34611222333' }],
      },
    ]);
    const unsupported = await inbound(
      h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, unsupported: true, replyTo: first }),
    );
    expect(unsupported).toMatchObject({
      type: 'unsupported',
      errors: [{ code: 131051, title: 'Message type unknown', error_data: { details: expect.any(String) } }],
      context: { id: first },
    });
    expect(() =>
      h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, location: { latitude: 100, longitude: 0 } }),
    ).toThrow();
    expect(() => h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, text: 'a', unsupported: true })).toThrow(
      /exactly one/,
    );
  });

  it('answers interactive buttons and lists with button_reply / list_reply and their context', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, text: 'hi' });
    const buttons = await send({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Size?' },
        action: { buttons: [{ type: 'reply', reply: { id: 'size-l', title: 'Large' } }] },
      },
    });
    const buttonsId = buttons.json.messages[0]?.id ?? '';
    const tapped = await inbound(
      h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, interactiveReply: { messageId: buttonsId, id: 'size-l' } }),
    );
    expect(tapped).toMatchObject({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'size-l', title: 'Large' } },
      context: { from: h.number.displayPhoneNumber, id: buttonsId },
    });

    const list = await send({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Slot?' },
        action: { button: 'Slots', sections: [{ rows: [{ id: 'mon-9', title: '9:00', description: 'Morning' }] }] },
      },
    });
    const listId = list.json.messages[0]?.id ?? '';
    const picked = await phonePost('send', { interactiveReply: { messageId: listId, id: 'mon-9' } });
    expect(picked.status).toBe(200);
    expect((await inbound(picked.json.wamid ?? ''))['interactive']).toEqual({
      type: 'list_reply',
      list_reply: { id: 'mon-9', title: '9:00', description: 'Morning' },
    });
    expect(() =>
      h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, interactiveReply: { messageId: listId, id: 'tue-9' } }),
    ).toThrow(/no choice/);
    // The phone shows the business's choices as taps.
    const fragment = await (
      await fetch(`${h.sandbox.url}/whatsapp/phone/chat?customer=${MARIA}&number=${h.number.phoneNumberId}`)
    ).text();
    expect(fragment).toContain(`data-interactive="${listId}" data-choice="mon-9"`);
    expect(fragment).toContain('↩ Large');
  });

  it('reports played after read when the customer plays a voice note the business sent', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: MARIA, text: 'send me a voice note' });
    const sent = await send({ type: 'audio', audio: { link: 'https://example.com/note.ogg' } });
    const wamid = sent.json.messages[0]?.id ?? '';
    await h.receiver.waitForItem('statuses', (status) => status.id === wamid && status.status === 'delivered');
    const played = await phonePost('play', { messageId: wamid });
    expect(played.status).toBe(200);
    await h.receiver.waitForItem('statuses', (status) => status.id === wamid && status.status === 'played');
    expect(
      h.sandbox.whatsapp
        .sentToCustomer({ customer: MARIA })
        .at(-1)
        ?.statusHistory.map((entry) => entry.status),
    ).toEqual(['accepted', 'sent', 'delivered', 'read', 'played']);
    const text = await send({ type: 'text', text: { body: 'not audio' } });
    expect(() =>
      h.sandbox.whatsapp.playVoiceNote({ customer: MARIA, messageId: text.json.messages[0]?.id ?? '' }),
    ).toThrow(/not a delivered voice note/);
  });
});

describe('the phone page stays simple: one "More…" menu', () => {
  it('offers the new kinds in one menu and sends each choice with sample content', async () => {
    const page = await (
      await fetch(`${h.sandbox.url}/whatsapp/phone?customer=${MARIA}&number=${h.number.phoneNumberId}`)
    ).text();
    expect(page).toContain('id="more"');
    for (const label of ['Voice note', 'Video', 'Sticker', 'Location', 'Contact card', 'Unsupported'])
      expect(page).toContain(label);

    const expected: Record<string, string> = {
      voice: 'audio',
      audio: 'audio',
      video: 'video',
      sticker: 'sticker',
      'animated-sticker': 'sticker',
      location: 'location',
      contact: 'contacts',
      unsupported: 'unsupported',
    };
    for (const [sample, type] of Object.entries(expected)) {
      const sent = await phonePost('send', { sample });
      expect(sent.status).toBe(200);
      expect((await inbound(sent.json.wamid ?? '')).type).toBe(type);
    }
    // The page without JavaScript posts the menu with the text box: a typed text wins.
    const form = await fetch(`${h.sandbox.url}/whatsapp/phone/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        customer: MARIA,
        number: h.number.phoneNumberId,
        text: 'typed',
        sample: 'video',
      }).toString(),
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(h.sandbox.whatsapp.conversation({ customer: MARIA }).at(-1)).toMatchObject({ type: 'text', text: 'typed' });
  });

  it('creates a customer with a username and a hidden number from the optional fields', async () => {
    const response = await fetch(`${h.sandbox.url}/whatsapp/phone/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name: 'Nia', phone: '+351 912 000 111', username: '@nia.n', phone_hidden: true }),
    });
    expect(response.status).toBe(200);
    expect(h.sandbox.whatsapp.customers().find((customer) => customer.waId === '351912000111')).toMatchObject({
      username: 'nia.n',
      phoneHidden: true,
    });
  });
});
