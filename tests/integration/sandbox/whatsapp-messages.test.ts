import { type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: false }, (started) => {
  h = started;
});

const send = (body: unknown, token?: string | null, phoneNumberId = h.number.phoneNumberId) =>
  h.graph('POST', `/v23.0/${phoneNumberId}/messages`, body, token);

const text = (to: string, body = 'Hello from Parley') => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to,
  type: 'text',
  text: { body },
});

describe('seeded business numbers', () => {
  it('has realistic numeric ids, an E.164 test number and random secrets', () => {
    const [acme, globex] = h.sandbox.whatsapp.numbers;
    expect(acme).toMatchObject({
      wabaId: expect.stringMatching(/^\d{15}$/),
      phoneNumberId: expect.stringMatching(/^\d{15}$/),
      appId: expect.stringMatching(/^\d{16}$/),
      displayPhoneNumber: expect.stringMatching(/^1555\d{7}$/),
      verifiedName: 'Acme Demo',
      accessToken: expect.stringMatching(/^EAA[A-Za-z0-9]{100,}$/),
      appSecret: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(globex?.appSecret).not.toBe(acme?.appSecret);
    expect(globex?.wabaId).not.toBe(acme?.wabaId);
  });

  it('serves the phone number and WABA objects to their token (Parley checks credentials this way)', async () => {
    const phone = await h.graph('GET', `/v23.0/${h.number.phoneNumberId}?fields=display_phone_number,verified_name`);
    expect(phone.status).toBe(200);
    expect(phone.json).toEqual({
      display_phone_number: '+1 555-078-3881',
      verified_name: 'Acme Demo',
      id: h.number.phoneNumberId,
    });
    const waba = await h.graph('GET', `/v21.0/${h.number.wabaId}`);
    expect(waba.json).toMatchObject({ id: h.number.wabaId, name: 'Acme Demo', currency: 'USD' });
    const numbers = await h.graph('GET', `/v23.0/${h.number.wabaId}/phone_numbers`);
    expect(numbers.json.data).toEqual([
      expect.objectContaining({ id: h.number.phoneNumberId, quality_rating: 'GREEN' }),
    ]);
  });
});

describe('bearer auth', () => {
  it('rejects a missing token with 401 / code 104', async () => {
    const response = await send(text('34600111222'), null);
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ type: 'OAuthException', code: 104, fbtrace_id: expect.any(String) });
  });

  it('rejects an unknown token with 401 / code 190', async () => {
    const response = await send(text('34600111222'), 'EAAnot-a-real-token');
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({
      message: 'Invalid OAuth access token - Cannot parse access token',
      type: 'OAuthException',
      code: 190,
    });
  });

  it('rejects an expired token with 190 / subcode 463', async () => {
    h.sandbox.whatsapp.expireAccessToken(h.number.accessToken);
    const response = await send(text('34600111222'));
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect(response.json.error.message).toMatch(/^Error validating access token: Session has expired/);
  });

  it("does not let one WABA's token send from another WABA's number", async () => {
    const other = h.sandbox.whatsapp.numbers[1];
    const response = await send(text('34600111222'), other?.accessToken);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ type: 'GraphMethodException', code: 100, error_subcode: 33 });
    expect(response.json.error.message).toContain(`Object with ID '${h.number.phoneNumberId}' does not exist`);
  });

  it('answers an unknown phone-number id like Graph does', async () => {
    const response = await send(text('34600111222'), undefined, '123456789012345');
    expect(response.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe('POST /{version}/{phone-number-id}/messages', () => {
  it('accepts a text message with the documented response shape, on any version', async () => {
    for (const version of ['v17.0', 'v23.0', 'v25.0']) {
      const response = await h.graph('POST', `/${version}/${h.number.phoneNumberId}/messages`, text('+34 600 111 222'));
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        messaging_product: 'whatsapp',
        contacts: [{ input: '+34 600 111 222', wa_id: '34600111222' }],
        messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/) }],
      });
    }
  });

  it("answers with the account's own wa_id for Brazil's and Mexico's other number forms (§4)", async () => {
    const brazil = await send(text('5511912345678'));
    expect(brazil.json.contacts).toEqual([{ input: '5511912345678', wa_id: '551112345678' }]);
    const mexico = await send(text('+52 55 1234 5678'));
    expect(mexico.json.contacts).toEqual([{ input: '+52 55 1234 5678', wa_id: '5215512345678' }]);
  });

  it.each([
    [
      'messaging_product missing',
      { to: '34600111222', type: 'text', text: { body: 'x' } },
      100,
      /messaging_product is required/,
    ],
    [
      'to missing',
      { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } },
      100,
      /parameter to is required/,
    ],
    [
      'text body missing',
      { messaging_product: 'whatsapp', to: '34600111222', type: 'text', text: {} },
      100,
      /text\['body'\]/,
    ],
    ['an unknown type', { messaging_product: 'whatsapp', to: '34600111222', type: 'fax' }, 100, /Invalid parameter/],
    ['a group recipient', { ...text('34600111222'), recipient_type: 'group' }, 100, /Invalid parameter/],
    ['a recipient that is no number', text('call me maybe'), 100, /Invalid parameter/],
  ])('rejects %s', async (_name, body, code, message) => {
    const response = await send(body);
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe(code);
    expect(response.json.error.message).toMatch(message);
  });

  it('rejects a text longer than 4096 characters', async () => {
    const response = await send(text('34600111222', 'x'.repeat(4097)));
    expect(response.status).toBe(400);
    expect(response.json.error.error_data).toEqual({
      messaging_product: 'whatsapp',
      details: expect.stringContaining('4096'),
    });
  });

  it('answers unparseable JSON with a Graph error, not a Fastify one', async () => {
    const response = await fetch(`${h.sandbox.url}/v23.0/${h.number.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.number.accessToken}`, 'content-type': 'application/json' },
      body: '{"messaging_product":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 100, type: 'OAuthException' } });
  });

  it('sends replies (context.message_id) and reactions to a customer message', async () => {
    const inbound = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Is it in stock?' });
    const reply = await send({ ...text('34600111222', 'Yes!'), context: { message_id: inbound } });
    expect(reply.status).toBe(200);
    const reaction = await send({
      messaging_product: 'whatsapp',
      to: '34600111222',
      type: 'reaction',
      reaction: { message_id: inbound, emoji: '👍' },
    });
    expect(reaction.status).toBe(200);
    const sent = h.sandbox.whatsapp.sentToCustomer({ customer: '+34 600 111 222' });
    expect(sent.map((m) => [m.type, m.contextId, m.reaction?.emoji ?? null])).toEqual([
      ['text', inbound, null],
      ['reaction', null, '👍'],
    ]);
  });

  it('rejects a reaction to a message of another chat', async () => {
    const inbound = h.sandbox.whatsapp.sendFromCustomer({ from: '14155550101', text: 'Hi' });
    const response = await send({
      messaging_product: 'whatsapp',
      to: '34600111222',
      type: 'reaction',
      reaction: { message_id: inbound, emoji: '👍' },
    });
    expect(response.json.error.code).toBe(131009);
  });

  it('marks a customer message read ({status:"read"}) and earlier ones with it', async () => {
    const first = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'one' });
    const second = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'two' });
    const third = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'three' });
    const response = await send({ messaging_product: 'whatsapp', status: 'read', message_id: second });
    expect(response.json).toEqual({ success: true });
    const statuses = Object.fromEntries(
      h.sandbox.whatsapp.conversation({ customer: '34600111222' }).map((m) => [m.wamid, m.status]),
    );
    expect([statuses[first], statuses[second], statuses[third]]).toEqual(['read', 'read', 'received']);
    const unknown = await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.nope' });
    expect(unknown.status).toBe(400);
  });

  it('logs every Graph request with its status', async () => {
    await send(text('34600111222'), null);
    expect(h.sandbox.whatsapp.graphRequests()).toEqual([
      expect.objectContaining({ method: 'POST', url: `/v23.0/${h.number.phoneNumberId}/messages`, status: 401 }),
    ]);
  });
});
