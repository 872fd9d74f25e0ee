import { itemsOf, type WhatsAppHarness, useHarness } from './whatsapp-receiver.ts';

let h: WhatsAppHarness;

useHarness({ connect: true }, (started) => {
  h = started;
});

const send = (body: Record<string, unknown>) =>
  h.graph('POST', `/v23.0/${h.number.phoneNumberId}/messages`, { messaging_product: 'whatsapp', ...body });

interface Contact {
  profile: { name: string; username?: string };
  wa_id?: string;
  user_id: string;
}

async function lastInbound(wamid: string) {
  const item = await h.receiver.waitForItem('messages', (candidate) => candidate.id === wamid);
  const post = h.receiver
    .posts()
    .find((candidate) => itemsOf(candidate.rawBody, 'messages').some((message) => message.id === wamid));
  const body = JSON.parse(post?.rawBody.toString() ?? '{}') as {
    entry: { changes: { value: { contacts: Contact[] } }[] }[];
  };
  return { item, contacts: body.entry[0]?.changes[0]?.value.contacts ?? [] };
}

describe('business-scoped user ids and usernames (Meta 2026)', () => {
  it('gives each customer a stable user id per business, and shows a username when there is one', async () => {
    const first = h.sandbox.whatsapp.businessScopedUserId({ customer: '551112345678' });
    expect(first).toMatch(/^BR\.\d{19}$/);
    expect(h.sandbox.whatsapp.businessScopedUserId({ customer: '+55 11 1234-5678' })).toBe(first);
    const globex = h.sandbox.whatsapp.numbers[1]?.phoneNumberId ?? '';
    expect(h.sandbox.whatsapp.businessScopedUserId({ customer: '551112345678', phoneNumberId: globex })).not.toBe(
      first,
    );

    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '551112345678', text: 'oi' });
    const { item, contacts } = await lastInbound(wamid);
    expect(contacts).toEqual([
      { profile: { name: 'Lucas Silva', username: 'lucas.silva' }, wa_id: '551112345678', user_id: first },
    ]);
    expect(item).toMatchObject({ from: '551112345678', from_user_id: first });
  });

  it('omits wa_id, from and recipient_id for a customer who hides their phone', async () => {
    h.sandbox.whatsapp.addCustomer({
      phone: '+44 7700 900777',
      name: 'Quiet Quinn',
      username: '@quinn',
      phoneHidden: true,
    });
    const userId = h.sandbox.whatsapp.businessScopedUserId({ customer: '447700900777' });
    const wamid = h.sandbox.whatsapp.sendFromCustomer({ from: '447700900777', text: 'who am I?' });
    const { item, contacts } = await lastInbound(wamid);
    expect(contacts).toEqual([{ profile: { name: 'Quiet Quinn', username: 'quinn' }, user_id: userId }]);
    expect(item.from).toBeUndefined();
    expect(item.from_user_id).toBe(userId);
    expect(
      h.receiver
        .posts()
        .map((post) => post.rawBody.toString())
        .join(''),
    ).not.toContain('447700900777');

    // The business answers by user id (`recipient`); statuses name only the user id too.
    const reply = await send({ recipient: userId, type: 'text', text: { body: 'You are Quinn' } });
    expect(reply.status).toBe(200);
    expect(reply.json.contacts).toEqual([{ input: userId, user_id: userId }]);
    const sent = await h.receiver.waitForItem(
      'statuses',
      (status) => status.id === reply.json.messages[0]?.id && status.status === 'sent',
    );
    expect(sent.recipient_id).toBeUndefined();
    expect(sent.recipient_user_id).toBe(userId);
    expect(h.sandbox.whatsapp.sentToCustomer({ customer: '447700900777' }).map((message) => message.text)).toEqual([
      'You are Quinn',
    ]);
  });

  it('answers 200 but silently drops a user id put in `to`, and validates `recipient`', async () => {
    const userId = h.sandbox.whatsapp.businessScopedUserId({ customer: '34600111222' });
    h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'hi' });
    const misaddressed = await send({ to: userId, type: 'text', text: { body: 'lost' } });
    expect(misaddressed.status).toBe(200);
    const lost = misaddressed.json.messages[0]?.id ?? '';
    // A message sent afterwards to the same customer is a barrier: its statuses come after any the lost one would get.
    const barrier = await send({ to: '34600111222', type: 'text', text: { body: 'found' } });
    const barrierId = barrier.json.messages[0]?.id ?? '';
    await h.receiver.waitForItem('statuses', (status) => status.id === barrierId && status.status === 'delivered');
    expect(
      h.receiver
        .posts()
        .flatMap((post) => itemsOf(post.rawBody, 'statuses'))
        .some((s) => s.id === lost),
    ).toBe(false);
    expect(h.sandbox.whatsapp.state.messages.get(lost)?.statusHistory.map((entry) => entry.status)).toEqual([
      'accepted',
    ]);

    expect((await send({ recipient: 'not-a-user-id', type: 'text', text: { body: 'x' } })).json.error?.code).toBe(100);
    expect(
      (await send({ to: '34600111222', recipient: userId, type: 'text', text: { body: 'x' } })).json.error?.code,
    ).toBe(100);
  });
});

describe('reactions', () => {
  it('reports only `sent` for a business reaction, never delivered or read', async () => {
    const inbound = h.sandbox.whatsapp.sendFromCustomer({ from: '34600111222', text: 'I love it' });
    const text = await send({ to: '34600111222', type: 'text', text: { body: 'Thanks!' } });
    const reaction = await send({
      to: '34600111222',
      type: 'reaction',
      reaction: { message_id: inbound, emoji: '❤️' },
    });
    const reactionId = reaction.json.messages[0]?.id ?? '';
    const textId = text.json.messages[0]?.id ?? '';
    await h.receiver.waitForItem('statuses', (status) => status.id === textId && status.status === 'delivered');
    await h.receiver.waitForItem('statuses', (status) => status.id === reactionId && status.status === 'sent');
    h.sandbox.whatsapp.readChat({ customer: '34600111222' });
    await h.receiver.waitForItem('statuses', (status) => status.id === textId && status.status === 'read');
    const reactionStatuses = h.receiver
      .posts()
      .flatMap((post) => itemsOf(post.rawBody, 'statuses'))
      .filter((status) => status.id === reactionId)
      .map((status) => status.status);
    expect(reactionStatuses).toEqual(['sent']);
  });

  it('sends a customer’s removed reaction without `emoji`', async () => {
    const sent = await send({
      to: '34600111222',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    const target = sent.json.messages[0]?.id ?? '';
    const added = h.sandbox.whatsapp.sendFromCustomer({
      from: '34600111222',
      reaction: { messageId: target, emoji: '👍' },
    });
    const removed = h.sandbox.whatsapp.sendFromCustomer({
      from: '34600111222',
      reaction: { messageId: target, emoji: '' },
    });
    expect((await h.receiver.waitForItem('messages', (item) => item.id === added)).reaction).toEqual({
      message_id: target,
      emoji: '👍',
    });
    expect((await h.receiver.waitForItem('messages', (item) => item.id === removed)).reaction).toEqual({
      message_id: target,
    });
  });
});
