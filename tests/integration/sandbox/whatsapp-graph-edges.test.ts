import { type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

describe('Graph edges answered like Meta', () => {
  it('refuses a send to the business’s own number with 131021', async () => {
    const response = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: `+${h.number.displayPhoneNumber}`,
      type: 'text',
      text: { body: 'talking to myself' },
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 131021, message: '(#131021) Recipient cannot be sender' });
  });

  it('answers unknown paths and versions in the Graph error envelope', async () => {
    const unknownEdge = await h.graph('GET', `/v23.0/${h.number.phoneNumberId}/conversations`);
    expect(unknownEdge.status).toBe(400);
    expect(unknownEdge.json.error).toMatchObject({
      code: 2500,
      type: 'OAuthException',
      fbtrace_id: expect.any(String),
    });
    const oldVersion = await h.graph('GET', `/v12.0/${h.number.phoneNumberId}`);
    expect(oldVersion.json.error).toMatchObject({ code: 2500, message: 'Unknown path components: /v12.0' });
    // Authentication still comes first.
    expect(
      (await h.graph('GET', `/v23.0/${h.number.phoneNumberId}/conversations`, undefined, null)).json.error?.code,
    ).toBe(104);
  });

  it('refuses fields a node does not have, and accepts real ones it leaves empty', async () => {
    const unknown = await h.graph('GET', `/v23.0/${h.number.phoneNumberId}?fields=verified_name,colour`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error?.message).toBe(
      '(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)',
    );
    const known = await h.graph('GET', `/v23.0/${h.number.phoneNumberId}?fields=verified_name,name_status`);
    expect(known.json).toEqual({ verified_name: 'Acme Demo', id: h.number.phoneNumberId });
    const templates = await h.graph('GET', `/v23.0/${h.number.wabaId}/message_templates?fields=name,flavour`);
    expect(templates.json.error?.code).toBe(100);
  });
});

describe('message_template_status_update', () => {
  it('sends the webhook when a template’s status changes, in-process or from the dashboard', async () => {
    h.sandbox.whatsapp.setTemplateStatus({ name: 'spring_sale', language: 'en', status: 'APPROVED' });
    const [post] = await h.receiver.waitForPosts(1);
    const body = JSON.parse(post?.rawBody.toString() ?? '{}') as {
      entry: { id: string; changes: { field: string; value: Record<string, unknown> }[] }[];
    };
    expect(body.entry).toEqual([
      {
        id: h.number.wabaId,
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event: 'APPROVED',
              message_template_id: expect.any(Number),
              message_template_name: 'spring_sale',
              message_template_language: 'en',
              reason: 'NONE',
            },
          },
        ],
      },
    ]);
    // Now approved, it can be sent.
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'hi' });
    const sent = await h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: '34600111222',
      type: 'template',
      template: { name: 'spring_sale', language: { code: 'en' } },
    });
    expect(sent.json.error?.code).not.toBe(132001);

    const form = await fetch(`${h.sandbox.url}/whatsapp/apps/template-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ template: `${h.number.wabaId}|hello_world|en_US`, status: 'PAUSED' }).toString(),
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    const paused = await waitForTemplateEvent('hello_world');
    expect(paused).toMatchObject({ event: 'PAUSED', message_template_language: 'en_US' });
    const page = await (await fetch(`${h.sandbox.url}/whatsapp/apps`)).text();
    expect(page).toContain('hello_world (en_US) · PAUSED');

    const bad = await fetch(`${h.sandbox.url}/whatsapp/apps/template-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ template: `${h.number.wabaId}|nope|en`, status: 'PAUSED' }).toString(),
    });
    expect(bad.status).toBe(400);
  });
});

async function waitForTemplateEvent(name: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = h.receiver
      .posts()
      .flatMap((post) => {
        const body = JSON.parse(post.rawBody.toString()) as {
          entry: { changes: { field: string; value: Record<string, unknown> }[] }[];
        };
        return body.entry.flatMap((entry) => entry.changes);
      })
      .find(
        (change) => change.field === 'message_template_status_update' && change.value['message_template_name'] === name,
      );
    if (found) return found.value;
    await h.receiver.waitForPosts(h.receiver.posts().length + 1);
  }
}
