import { type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: false }, (started) => {
  h = started;
});

const sendTemplate = (template: Record<string, unknown>, to = '34600111222') =>
  h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template,
  });

const texts = (...values: string[]) => values.map((text) => ({ type: 'text', text }));
const named = (entries: Record<string, string>) =>
  Object.entries(entries).map(([parameter_name, text]) => ({ type: 'text', parameter_name, text }));

const orderUpdate = (body: unknown[], extra: Record<string, unknown>[] = []) => ({
  name: 'order_update',
  language: { policy: 'deterministic', code: 'en' },
  components: [
    { type: 'header', parameters: [{ type: 'image', image: { link: 'https://shop.example.com/box.jpg' } }] },
    { type: 'body', parameters: body },
    { type: 'button', sub_type: 'url', index: '0', parameters: texts('1042') },
    ...extra,
  ],
});

const reminder = (header: unknown[], body: unknown[], code = 'en_US') => ({
  name: 'appointment_reminder',
  language: { code },
  components: [
    { type: 'header', parameters: header },
    { type: 'body', parameters: body },
  ],
});

describe('template sends', () => {
  it('accepts a positional template with header, body and URL button; the response says "accepted"', async () => {
    const response = await sendTemplate(orderUpdate(texts('Maria', '#1042', 'May 3')));
    expect(response.status).toBe(200);
    expect(response.json.messages).toEqual([{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }]);
    const [sent] = h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).slice(-1);
    expect(sent?.text).toBe('Hi Maria, your order #1042 has shipped and should arrive on May 3.');
    expect(sent?.template?.buttons).toEqual([
      { type: 'URL', text: 'Track order', url: 'https://shop.example.com/track/1042' },
    ]);
  });

  it('accepts a named template (parameter_name on every parameter) and renders it', async () => {
    const response = await sendTemplate(
      reminder(named({ first_name: 'Maria' }), named({ time: '10:30', first_name: 'Maria', date: 'May 3' })),
    );
    expect(response.status).toBe(200);
    const [sent] = h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).slice(-1);
    expect(sent?.template?.header).toBe('Reminder for Maria');
    expect(sent?.text).toContain('appointment on May 3 at 10:30');
  });

  it('accepts a template without parameters', async () => {
    const response = await sendTemplate({ name: 'hello_world', language: { code: 'en_US' } });
    expect(response.status).toBe(200);
  });

  it.each([
    [
      'a template that does not exist',
      { name: 'nope', language: { code: 'en' } },
      'template name (nope) does not exist in en',
    ],
    [
      'a language the template lacks',
      { name: 'hello_world', language: { code: 'pt_BR' } },
      'template name (hello_world) does not exist in pt_BR',
    ],
    [
      'a PENDING template',
      { name: 'spring_sale', language: { code: 'en' } },
      'template name (spring_sale) does not exist in en',
    ],
    [
      'a REJECTED template',
      { name: 'loan_offer', language: { code: 'en' } },
      'template name (loan_offer) does not exist in en',
    ],
  ])('rejects %s with 132001', async (_name, template, details) => {
    const response = await sendTemplate(template);
    expect(response.status).toBe(400);
    expect(response.json.error).toEqual({
      message: '(#132001) Template name does not exist in the translation',
      type: 'OAuthException',
      code: 132001,
      error_data: { messaging_product: 'whatsapp', details },
      fbtrace_id: expect.any(String),
    });
  });

  it('rejects a template of another WABA with 132001', async () => {
    const response = await h.graph(
      'POST',
      `/v23.0/${h.sandbox.whatsapp.numbers[1]?.phoneNumberId ?? ''}/messages`,
      {
        messaging_product: 'whatsapp',
        to: '12125550199',
        type: 'template',
        template: orderUpdate(texts('a', 'b', 'c')),
      },
      h.sandbox.whatsapp.numbers[1]?.accessToken,
    );
    expect(response.json.error.code).toBe(132001);
  });

  it('rejects a PAUSED template with 132015', async () => {
    const response = await sendTemplate({ name: 'winter_promo', language: { code: 'en' }, components: [] });
    expect(response.json.error).toMatchObject({ code: 132015, message: '(#132015) Template is Paused' });
  });

  it.each([
    [
      'too few body parameters',
      orderUpdate(texts('Maria', '#1042')),
      'body: number of localizable_params (2) does not match the expected number of params (3)',
    ],
    [
      'too many body parameters',
      orderUpdate(texts('a', 'b', 'c', 'd')),
      'body: number of localizable_params (4) does not match the expected number of params (3)',
    ],
    [
      'a missing media header',
      { ...orderUpdate(texts('a', 'b', 'c')), components: orderUpdate(texts('a', 'b', 'c')).components.slice(1) },
      'header: number of localizable_params (0) does not match the expected number of params (1)',
    ],
    [
      'a missing URL button parameter',
      { ...orderUpdate(texts('a', 'b', 'c')), components: orderUpdate(texts('a', 'b', 'c')).components.slice(0, 2) },
      'button at index 0: number of localizable_params (0) does not match the expected number of params (1)',
    ],
    [
      'header parameters for a template without header',
      {
        name: 'follow_up',
        language: { code: 'en' },
        components: [
          { type: 'header', parameters: texts('x') },
          { type: 'body', parameters: texts('Maria', 'the redesign') },
        ],
      },
      'header: number of localizable_params (1) does not match the expected number of params (0)',
    ],
    [
      'a named template missing one name',
      reminder(named({ first_name: 'Maria' }), named({ first_name: 'Maria', date: 'May 3' })),
      'body: number of localizable_params (2) does not match the expected number of params (3)',
    ],
  ])('rejects %s with 132000', async (_name, template, details) => {
    const response = await sendTemplate(template);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({
      message: '(#132000) Number of parameters does not match the expected number of params',
      code: 132000,
      error_data: { messaging_product: 'whatsapp', details },
    });
  });

  it('rejects named-template parameters without parameter_name (100 "Parameter name is missing or empty")', async () => {
    const response = await sendTemplate(
      reminder(texts('Maria'), named({ first_name: 'Maria', date: 'May 3', time: '10:30' })),
    );
    expect(response.json.error).toMatchObject({
      code: 100,
      error_data: { details: 'Parameter name is missing or empty' },
    });
  });

  it('rejects a parameter name the template does not have', async () => {
    const response = await sendTemplate(
      reminder(named({ first_name: 'Maria' }), named({ first_name: 'Maria', day: 'May 3', time: '10:30' })),
    );
    expect(response.json.error.code).toBe(100);
  });

  it('rejects a text header parameter where the template wants an image (132012)', async () => {
    const template = orderUpdate(texts('a', 'b', 'c'));
    template.components[0] = { type: 'header', parameters: texts('not an image') };
    const response = await sendTemplate(template);
    expect(response.json.error).toMatchObject({ code: 132012 });
  });

  it('rejects an empty text parameter (131008) and one with a line break (132018)', async () => {
    expect((await sendTemplate(orderUpdate(texts('Maria', '', 'May 3')))).json.error.code).toBe(131008);
    expect((await sendTemplate(orderUpdate(texts('Maria', 'line\nbreak', 'May 3')))).json.error.code).toBe(132018);
  });

  it('rejects a button component at an index or sub_type the template lacks (131009)', async () => {
    const wrongIndex = orderUpdate(texts('a', 'b', 'c'), [
      { type: 'button', sub_type: 'url', index: '3', parameters: [] },
    ]);
    expect((await sendTemplate(wrongIndex)).json.error.code).toBe(131009);
    const wrongType = orderUpdate(texts('a', 'b', 'c'));
    wrongType.components[2] = { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [] };
    expect((await sendTemplate(wrongType)).json.error.code).toBe(131009);
  });

  it('requires template name and language code (100)', async () => {
    expect((await sendTemplate({ language: { code: 'en' } })).json.error.message).toBe(
      "(#100) The parameter template['name'] is required.",
    );
    expect((await sendTemplate({ name: 'hello_world' })).json.error.message).toBe(
      "(#100) The parameter template['language']['code'] is required.",
    );
  });

  it('keeps quick-reply payloads for the customer to tap', async () => {
    await sendTemplate({
      name: 'follow_up',
      language: { code: 'en' },
      components: [
        { type: 'body', parameters: texts('Maria', 'the redesign') },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CALL_ME' }] },
      ],
    });
    const [sent] = h.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).slice(-1);
    expect(sent?.template?.buttons).toEqual([
      { type: 'QUICK_REPLY', text: 'Yes, call me', payload: 'CALL_ME' },
      { type: 'QUICK_REPLY', text: 'Not now', payload: 'Not now' },
    ]);
  });
});

describe('GET /{version}/{waba-id}/message_templates', () => {
  const list = (query: string, token?: string | null) =>
    h.graph('GET', `/v23.0/${h.number.wabaId}/message_templates${query}`, undefined, token);

  it('lists templates in several languages, positional and named, with PENDING and REJECTED ones', async () => {
    const response = await list('?limit=100');
    expect(response.status).toBe(200);
    const templates = response.json.data as {
      name: string;
      language: string;
      status: string;
      parameter_format: string;
    }[];
    expect(templates.filter((t) => t.name === 'order_update').map((t) => t.language)).toEqual(['en', 'pt_BR', 'es']);
    expect(new Set(templates.map((t) => t.parameter_format))).toEqual(new Set(['POSITIONAL', 'NAMED']));
    expect(templates.find((t) => t.status === 'PENDING')?.name).toBe('spring_sale');
    expect(templates.find((t) => t.status === 'REJECTED')).toMatchObject({
      name: 'loan_offer',
      rejected_reason: 'INVALID_FORMAT',
    });
    expect(templates[0]).toMatchObject({
      name: 'hello_world',
      category: 'UTILITY',
      id: expect.stringMatching(/^\d+$/),
      components: expect.arrayContaining([{ type: 'BODY', text: expect.any(String) }]),
    });
    expect(response.json.paging.next).toBeUndefined();
  });

  it('pages with limit, after and before cursors, and next/previous URLs that work', async () => {
    const all = (await list('?limit=100')).json.data.map((t) => t['id']);
    const pages: unknown[][] = [];
    let url: string | undefined = `${h.sandbox.url}/v23.0/${h.number.wabaId}/message_templates?limit=4`;
    while (url) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${h.number.accessToken}` } });
      const body = (await response.json()) as { data: { id: string }[]; paging: { next?: string; cursors: object } };
      expect(body.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
      pages.push(body.data.map((t) => t.id));
      url = body.paging.next;
    }
    expect(pages.map((page) => page.length)).toEqual([4, 4, 3]);
    expect(pages.flat()).toEqual(all);

    const second = await list(
      `?limit=4&after=${encodeURIComponent((await list('?limit=4')).json.paging.cursors?.after ?? '')}`,
    );
    expect(second.json.data.map((t) => t['id'])).toEqual(all.slice(4, 8));
    const back = await list(`?limit=4&before=${encodeURIComponent(second.json.paging.cursors?.before ?? '')}`);
    expect(back.json.data.map((t) => t['id'])).toEqual(all.slice(0, 4));
    expect(second.json.paging.previous).toContain('before=');
  });

  it('also takes the token as access_token in the query, and keeps it in the next URL', async () => {
    const token = encodeURIComponent(h.number.accessToken);
    const first = await h.graph(
      'GET',
      `/v23.0/${h.number.wabaId}/message_templates?limit=2&access_token=${token}`,
      undefined,
      null,
    );
    expect(first.status).toBe(200);
    const next = await fetch(first.json.paging.next ?? '');
    expect(next.status).toBe(200);
  });

  it('filters by status and language and picks fields', async () => {
    const approved = await list('?status=APPROVED&language=es&fields=name,status');
    expect(approved.json.data).toEqual([
      { name: 'order_update', status: 'APPROVED', id: expect.any(String) },
      { name: 'appointment_reminder', status: 'APPROVED', id: expect.any(String) },
    ]);
  });

  it('rejects a bad cursor or limit, a missing token, and another WABA', async () => {
    expect((await list('?after=bogus')).json.error.code).toBe(100);
    expect((await list('?limit=zero')).json.error.code).toBe(100);
    expect((await list('', null)).status).toBe(401);
    const other = await list('', h.sandbox.whatsapp.numbers[1]?.accessToken);
    expect(other.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});
