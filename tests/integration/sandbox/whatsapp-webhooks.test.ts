import { createHmac } from 'node:crypto';
import { expectedSignature, itemsOf, type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: false }, (started) => {
  h = started;
});

describe('webhook registration', () => {
  it('runs the GET verify handshake and saves the callback only when the challenge is echoed', async () => {
    const result = await h.sandbox.whatsapp.configureWebhook({
      callbackUrl: h.receiver.url,
      verifyToken: h.receiver.verifyToken,
    });
    expect(result).toMatchObject({ ok: true, status: 200, appId: h.number.appId });
    const [get] = h.receiver.requests;
    expect(get?.method).toBe('GET');
    expect(get?.url.pathname).toBe('/webhooks/whatsapp');
    expect(Object.fromEntries(get?.url.searchParams ?? [])).toEqual({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'parley-verify-token',
      'hub.challenge': result.challenge,
    });
    expect(get?.headers['x-hub-signature-256']).toBeUndefined();
    expect(h.sandbox.whatsapp.state.apps.get(h.number.appId)?.webhook?.callbackUrl).toBe(h.receiver.url);
  });

  it('rejects a callback that answers the wrong verify token with 403, and keeps no settings', async () => {
    const result = await h.sandbox.whatsapp.configureWebhook({ callbackUrl: h.receiver.url, verifyToken: 'wrong' });
    expect(result).toMatchObject({ ok: false, status: 403, error: expect.stringContaining("couldn't be validated") });
    expect(h.sandbox.whatsapp.state.apps.get(h.number.appId)?.webhook).toBeNull();
  });

  it('rejects a callback that answers 200 with something other than the challenge', async () => {
    h.receiver.echo('ok');
    const result = await h.sandbox.whatsapp.configureWebhook({
      callbackUrl: h.receiver.url,
      verifyToken: h.receiver.verifyToken,
    });
    expect(result).toMatchObject({ ok: false, status: 200, body: 'ok' });
  });

  it('keeps the previous verified settings when a new handshake fails', async () => {
    await h.connect();
    await h.sandbox.whatsapp.configureWebhook({ callbackUrl: `${h.receiver.url}/elsewhere`, verifyToken: 'wrong' });
    expect(h.sandbox.whatsapp.state.apps.get(h.number.appId)?.webhook?.callbackUrl).toBe(h.receiver.url);
  });

  it('rejects a callback that is no URL or cannot be reached', async () => {
    expect((await h.sandbox.whatsapp.configureWebhook({ callbackUrl: 'not a url', verifyToken: 'x' })).ok).toBe(false);
    const unreachable = await h.sandbox.whatsapp.configureWebhook({
      callbackUrl: 'http://127.0.0.1:9/hook',
      verifyToken: 'x',
    });
    expect(unreachable).toMatchObject({
      ok: false,
      status: null,
      error: expect.stringContaining('could not be reached'),
    });
  });

  it('also takes the webhook settings from POST /{app-id}/subscriptions with an app access token', async () => {
    const appToken = `${h.number.appId}|${h.number.appSecret}`;
    const path = `/v23.0/${h.number.appId}/subscriptions`;
    const settings = {
      object: 'whatsapp_business_account',
      callback_url: h.receiver.url,
      verify_token: h.receiver.verifyToken,
      fields: 'messages',
    };
    expect((await h.graph('POST', path, settings)).json.error.code).toBe(15);
    const refused = await h.graph('POST', path, { ...settings, verify_token: 'nope' }, appToken);
    expect(refused.json.error).toMatchObject({
      code: 2200,
      message:
        '(#2200) Callback verification failed with the following errors: HTTP Status Code = 403; HTTP Message = Forbidden',
    });
    expect((await h.graph('GET', path, undefined, appToken)).json).toEqual({ data: [] });
    expect((await h.graph('POST', path, settings, appToken)).json).toEqual({ success: true });
    expect((await h.graph('GET', path, undefined, appToken)).json).toEqual({
      data: [
        {
          object: 'whatsapp_business_account',
          callback_url: h.receiver.url,
          active: true,
          fields: [{ name: 'messages', version: 'v23.0' }],
        },
      ],
    });
  });

  it('lists, adds and removes the app subscription with subscribed_apps (bearer auth)', async () => {
    const path = `/v23.0/${h.number.wabaId}/subscribed_apps`;
    expect((await h.graph('GET', path)).json).toEqual({ data: [] });
    expect((await h.graph('POST', path, undefined, null)).status).toBe(401);
    expect((await h.graph('POST', path)).json).toEqual({ success: true });
    expect((await h.graph('GET', path)).json).toEqual({
      data: [
        { whatsapp_business_api_data: { link: expect.any(String), name: 'Acme Demo Parley', id: h.number.appId } },
      ],
    });
    expect((await h.graph('DELETE', path)).json).toEqual({ success: true });
    expect((await h.graph('GET', path)).json).toEqual({ data: [] });
  });

  it('delivers nothing before the handshake succeeded, and nothing while the app is not subscribed', async () => {
    await h.graph('POST', `/v23.0/${h.number.wabaId}/subscribed_apps`);
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'before the handshake' });
    expect(h.sandbox.whatsapp.droppedWebhooks()).toEqual([
      expect.objectContaining({ reason: 'callback-not-verified', kind: 'messages' }),
    ]);

    await h.graph('DELETE', `/v23.0/${h.number.wabaId}/subscribed_apps`);
    await h.sandbox.whatsapp.configureWebhook({ callbackUrl: h.receiver.url, verifyToken: h.receiver.verifyToken });
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'before subscribed_apps' });
    expect(h.sandbox.whatsapp.droppedWebhooks()[1]).toMatchObject({ reason: 'no-subscribed-app', appId: null });

    await h.graph('POST', `/v23.0/${h.number.wabaId}/subscribed_apps`);
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'now it arrives' });
    const posts = await h.receiver.waitForPosts(1);
    expect(itemsOf(posts[0]?.rawBody ?? Buffer.alloc(0), 'messages').map((m) => m.id)).toEqual([wamid]);
  });
});

describe('signed deliveries', () => {
  beforeEach(async () => {
    await h.connect();
  });

  it('posts an inbound message exactly in the documented shape (§2.3)', async () => {
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '+1 415 555 0101', text: 'Does it come in blue?' });
    const johnUserId = h.sandbox.whatsapp.businessScopedUserId({ customer: '14155550101' });
    expect(johnUserId).toMatch(/^US\.\d{19}$/);
    const [post] = await h.receiver.waitForPosts(1);
    expect(post?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post?.rawBody.toString() ?? '')).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: h.number.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: h.number.displayPhoneNumber,
                  phone_number_id: h.number.phoneNumberId,
                },
                contacts: [{ profile: { name: 'John Carter' }, wa_id: '14155550101', user_id: johnUserId }],
                messages: [
                  {
                    from: '14155550101',
                    from_user_id: johnUserId,
                    id: wamid,
                    timestamp: expect.stringMatching(/^\d{10}$/),
                    type: 'text',
                    text: { body: 'Does it come in blue?' },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  });

  it('signs the exact bytes with the app secret (sha256, plus the legacy sha1 header)', async () => {
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'signed' });
    const [post] = await h.receiver.waitForPosts(1);
    const raw = post?.rawBody ?? Buffer.alloc(0);
    expect(post?.headers['x-hub-signature-256']).toBe(expectedSignature(raw, h.number.appSecret));
    expect(post?.headers['x-hub-signature']).toBe(
      `sha1=${createHmac('sha1', h.number.appSecret).update(raw).digest('hex')}`,
    );
    expect(post?.headers['x-hub-signature-256']).not.toBe(
      expectedSignature(raw, h.sandbox.whatsapp.numbers[1]?.appSecret ?? ''),
    );
  });

  it('escapes non-ASCII as \\uXXXX like Meta, so only the raw bytes verify (B3, B4)', async () => {
    const text = '¿Qué tal? 😀 שלום e\u0301';
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text });
    const [post] = await h.receiver.waitForPosts(1);
    const raw = post?.rawBody ?? Buffer.alloc(0);
    expect([...raw].every((byte) => byte < 0x80)).toBe(true);
    const body = raw.toString('utf8');
    expect(body).toContain('Mar\\u00eda G. \\ud83c\\udf3b');
    expect(body).toContain('\\u00bfQu\\u00e9 tal? \\ud83d\\ude00 \\u05e9\\u05dc\\u05d5\\u05dd e\\u0301');
    const parsed = JSON.parse(body) as unknown;
    expect(itemsOf(raw, 'messages')[0]?.text.body).toBe(text);
    expect(post?.headers['x-hub-signature-256']).toBe(expectedSignature(raw, h.number.appSecret));
    const reserialized = Buffer.from(JSON.stringify(parsed), 'utf8');
    expect(expectedSignature(reserialized, h.number.appSecret)).not.toBe(post?.headers['x-hub-signature-256']);
  });

  it('batches events raised together into one POST (several messages, contacts per sender)', async () => {
    h.sandbox.whatsapp.setFaults({ batchWindowMs: 30_000 });
    const ids = [
      h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'one' }),
      h.sandbox.whatsapp.sendFromCustomer({ from: '14155550101', text: 'two' }),
      h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'three' }),
    ];
    const [post] = await h.receiver.waitForPosts(1);
    const value = (
      JSON.parse(post?.rawBody.toString() ?? '') as { entry: { changes: { value: { contacts: unknown[] } }[] }[] }
    ).entry[0]?.changes[0]?.value;
    expect(itemsOf(post?.rawBody ?? Buffer.alloc(0), 'messages').map((m) => m.id)).toEqual(ids);
    expect(value?.contacts).toHaveLength(2);
  });

  it('caps a batch at maxBatchSize items', async () => {
    h.sandbox.whatsapp.setFaults({ batchWindowMs: 30_000, maxBatchSize: 2 });
    for (const text of ['a', 'b', 'c']) h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text });
    const posts = await h.receiver.waitForPosts(2);
    expect(posts.map((post) => itemsOf(post.rawBody, 'messages').length)).toEqual([2, 1]);
  });
});
