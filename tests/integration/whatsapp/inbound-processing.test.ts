import { and, eq } from 'drizzle-orm';
import { auditLog, chats, contacts, events, messages } from '../../../server/db/schema/index.ts';
import type { ChannelView } from '../../../server/services/whatsapp/channels.service.ts';
import { SAMPLE_IMAGE } from '../../../sandbox/whatsapp/sample-media.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import type { Browser } from '../../helpers/browser-session.ts';
import {
  waitForProcessing,
  metaJson,
  notification,
  startWhatsAppParley,
  type WhatsAppParley,
} from '../../helpers/whatsapp-parley.ts';

// Each test waits on work that crosses the sandbox, HTTP and a job worker: room for a loaded machine.
jest.setTimeout(90_000);

let parley: WhatsAppParley;
let admin: Browser;
let acme: SandboxBusinessNumber;
let channel: ChannelView;

beforeAll(async () => {
  parley = await startWhatsAppParley({ mediaMaxBytes: 64 * 1024 });
  acme = parley.sandbox.whatsapp.numbers[0] as SandboxBusinessNumber;
  admin = await parley.installCompany(parley.pd.users.ada);
  channel = await parley.addNumber(admin, acme);
  // Starting a sandbox and a listening Parley with its database takes a while on a loaded machine.
}, 120_000);
afterAll(() => parley.close());

const messageByWamid = (wamid: string) => parley.storedMessage(wamid);
/** The chat of a message and the contact it is with. */
async function chatAndContact(chatId: string) {
  const [chat] = await parley.db.select().from(chats).where(eq(chats.id, chatId));
  const [contact] = await parley.db
    .select()
    .from(contacts)
    .where(eq(contacts.id, chat?.contactId ?? ''));
  return { chat, contact };
}
const syncJobsFor = async (chatId: string) =>
  Number(
    (
      await parley.testApp.database.pool.query<{ count: string }>(
        "select count(*) from pgboss.job where name = 'sync.chat' and data->>'chatId' = $1",
        [chatId],
      )
    ).rows[0]?.count,
  );

const deliver = (message: Record<string, unknown>, contact?: Record<string, unknown>) =>
  parley.deliverInbound(acme, channel.id, message, contact);

describe('inbound messages through the customer phone (emulator)', () => {
  it('text creates the contact (E.164, wa_id, profile name), the chat, the message, an event and sync.chat', async () => {
    const wamid = parley.sandbox.whatsapp.sendFromCustomer({ from: '+34 600 111 222', text: '¿Tenéis la talla M? 🌻' });
    const message = await messageByWamid(wamid);
    expect(message).toMatchObject({
      direction: 'inbound',
      type: 'text',
      body: '¿Tenéis la talla M? 🌻',
      status: 'received',
    });
    const { chat, contact } = await chatAndContact(message.chatId);
    expect(contact).toMatchObject({
      e164: '+34600111222',
      waId: '34600111222',
      profileName: 'María G. 🌻',
      isGroup: false,
    });
    expect(chat).toMatchObject({ channelId: channel.id, isGroup: false });
    expect(chat?.lastInboundAt).not.toBeNull();
    expect(await syncJobsFor(message.chatId)).toBeGreaterThanOrEqual(1);
    const [event] = await parley.db
      .select()
      .from(events)
      .where(and(eq(events.type, 'message.created'), eq(events.workspaceId, message.workspaceId)));
    expect(event?.payload).toMatchObject({ chatId: message.chatId });
  });

  it('a photo is stored with its metadata, downloaded by a job and served to signed-in members only', async () => {
    const wamid = parley.sandbox.whatsapp.sendFromCustomer({ from: '+34 600 111 222', image: { caption: 'this one' } });
    const message = await messageByWamid(wamid);
    expect(message).toMatchObject({ type: 'image', body: 'this one' });
    expect(message.media).toMatchObject({ mimeType: 'image/png', id: expect.any(String) });
    const stored = await waitForProcessing(async () => {
      const [row] = await parley.db.select().from(messages).where(eq(messages.id, message.id));
      return row?.media?.['state'] === 'stored' ? row : undefined;
    });
    expect(stored.media?.['url']).toBe(`/api/media/${message.id}`);
    const download = await admin.get(`/api/media/${message.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.rawPayload.equals(SAMPLE_IMAGE.bytes)).toBe(true);
    const anonymous = await parley.testApp.app.inject({ method: 'GET', url: `/api/media/${message.id}` });
    expect(anonymous.statusCode).toBe(401);
    // Open panels hear that the media is here (they show the image without waiting for another message).
    const mediaEvents = await parley.db
      .select()
      .from(events)
      .where(and(eq(events.type, 'message.media'), eq(events.workspaceId, message.workspaceId)));
    expect(mediaEvents.map((event) => event.payload)).toContainEqual({ chatId: message.chatId, messageId: message.id });
  });

  it('media over the size limit keeps its metadata and says why it was not kept', async () => {
    const wamid = parley.sandbox.whatsapp.sendFromCustomer({
      from: '+34 600 111 222',
      document: { bytes: Buffer.alloc(100 * 1024, 7), mimeType: 'application/pdf', filename: 'big.pdf' },
    });
    const message = await messageByWamid(wamid);
    const state = await waitForProcessing(async () => {
      const [row] = await parley.db.select().from(messages).where(eq(messages.id, message.id));
      return row?.media?.['state'] === 'too_large' ? row.media : undefined;
    });
    expect(state).toMatchObject({ filename: 'big.pdf', mimeType: 'application/pdf' });
    expect((await admin.get(`/api/media/${message.id}`)).statusCode).toBe(404);
  });

  it('a reaction, its removal and a quoted reply keep their targets', async () => {
    const original = parley.sandbox.whatsapp.sendFromCustomer({ from: '+1 415 555 0101', text: 'first' });
    await messageByWamid(original);
    const reaction = await messageByWamid(
      parley.sandbox.whatsapp.sendFromCustomer({
        from: '+1 415 555 0101',
        reaction: { messageId: original, emoji: '👍' },
      }),
    );
    expect(reaction).toMatchObject({ type: 'reaction', body: '👍', context: { reactionTo: original } });
    const removal = await messageByWamid(
      parley.sandbox.whatsapp.sendFromCustomer({
        from: '+1 415 555 0101',
        reaction: { messageId: original, emoji: '' },
      }),
    );
    expect(removal).toMatchObject({ type: 'reaction', body: null, content: { removed: true, messageId: original } });
    const reply = await messageByWamid(
      parley.sandbox.whatsapp.sendFromCustomer({ from: '+1 415 555 0101', text: 'about that', replyTo: original }),
    );
    expect(reply.context).toMatchObject({ replyTo: original });
  });
});

describe('every inbound type Meta documents (signed like Meta)', () => {
  it.each([
    [
      'video',
      { type: 'video', video: { id: '901', mime_type: 'video/mp4', sha256: 'x', caption: 'clip' } },
      { body: 'clip', media: { id: '901', mimeType: 'video/mp4' } },
    ],
    [
      'voice note',
      { type: 'audio', audio: { id: '902', mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true } },
      { body: null, media: { id: '902', voice: true } },
    ],
    [
      'sticker',
      { type: 'sticker', sticker: { id: '903', mime_type: 'image/webp', sha256: 'x', animated: false } },
      { media: { id: '903', mimeType: 'image/webp' } },
    ],
    [
      'location',
      {
        type: 'location',
        location: { latitude: 40.4168, longitude: -3.7038, name: 'Sol', address: 'Puerta del Sol, Madrid' },
      },
      { body: 'Sol, Puerta del Sol, Madrid', content: { latitude: 40.4168 } },
    ],
    [
      'contacts',
      {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Ana Ruiz', first_name: 'Ana' },
            phones: [{ phone: '+34 611 22 33 44', type: 'CELL' }],
          },
        ],
      },
      { body: 'Ana Ruiz +34 611 22 33 44' },
    ],
    [
      'button reply',
      {
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, call me' } },
      },
      { body: 'Yes, call me', content: { button_reply: { id: 'yes' } } },
    ],
    [
      'list reply',
      {
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'row-2', title: 'Tuesday', description: 'afternoon' } },
      },
      { body: 'Tuesday' },
    ],
    [
      'template button',
      {
        type: 'button',
        button: { payload: 'STOP', text: 'Stop promotions' },
        context: { from: '15550783881', id: 'wamid.sent-template' },
      },
      { body: 'Stop promotions', content: { payload: 'STOP' }, context: { replyTo: 'wamid.sent-template' } },
    ],
    [
      'reaction removal without emoji',
      { type: 'reaction', reaction: { message_id: 'wamid.target' } },
      { body: null, content: { removed: true } },
    ],
    [
      'unsupported',
      {
        type: 'unsupported',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      },
      {
        body: null,
        error: { code: 131051, title: 'Message type unknown', detail: 'Message type is currently not supported.' },
      },
    ],
    [
      'a type Parley does not know yet',
      { type: 'order', order: { catalog_id: '1', product_items: [], text: 'my order' } },
      { body: 'my order', content: { catalog_id: '1' } },
    ],
  ])('%s', async (_name, message, expected) => {
    const wamid = await deliver(message);
    expect(await messageByWamid(wamid)).toMatchObject({ direction: 'inbound', type: message.type, ...expected });
  });

  it('a sender known only by a business-scoped user id (no wa_id) is stored, not dropped', async () => {
    const wamid = await deliver(
      { type: 'text', text: { body: 'hi from a username' }, from: undefined, from_user_id: 'BR.1502576394655843' },
      {
        profile: { name: 'ana.user' },
        user_id: 'BR.1502576394655843',
      },
    );
    const message = await messageByWamid(wamid);
    const { contact } = await chatAndContact(message.chatId);
    expect(contact).toMatchObject({
      waId: null,
      e164: null,
      businessScopedId: 'BR.1502576394655843',
      profileName: 'ana.user',
    });
    // When the phone becomes known later, the same contact gains it.
    await messageByWamid(
      await deliver(
        { type: 'text', text: { body: 'now with phone' }, from_user_id: 'BR.1502576394655843' },
        {
          profile: { name: 'ana.user' },
          wa_id: '5511987650000',
          user_id: 'BR.1502576394655843',
        },
      ),
    );
    const [after] = await parley.db
      .select()
      .from(contacts)
      .where(eq(contacts.id, contact?.id ?? ''));
    expect(after).toMatchObject({ waId: '5511987650000', e164: '+5511987650000' });
  });

  it('a group message is stored on a group chat (flagged), with its author kept on the message', async () => {
    const wamid = await deliver({ type: 'text', text: { body: 'hello group' }, group_id: '120363025246125486' });
    const message = await messageByWamid(wamid);
    const [chat] = await parley.db.select().from(chats).where(eq(chats.id, message.chatId));
    expect(chat?.isGroup).toBe(true);
    expect(message.context).toMatchObject({ participant: { waId: '14155550101' } });
  });

  it('webhook-level errors are recorded for admins; template status changes re-sync templates', async () => {
    const body = notification(acme.wabaId, {
      metadata: { display_phone_number: acme.displayPhoneNumber, phone_number_id: acme.phoneNumberId },
      errors: [{ code: 131052, title: 'Media download error', error_data: { details: 'could not fetch' } }],
    });
    expect((await parley.postSigned(channel.id, metaJson(body), acme.appSecret)).statusCode).toBe(200);
    const logged = await waitForProcessing(
      async () => (await parley.db.select().from(auditLog).where(eq(auditLog.action, 'whatsapp.webhook_error')))[0],
    );
    expect(logged.detail).toMatchObject({ error: { code: 131052, title: 'Media download error' } });

    const before = (await admin.get(`/api/whatsapp/channels/${channel.id}`)).json<{ channel: ChannelView }>().channel;
    const templateUpdate = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: acme.wabaId,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'APPROVED',
                message_template_id: 1,
                message_template_name: 'spring_sale',
                message_template_language: 'en',
              },
            },
          ],
        },
      ],
    };
    expect((await parley.postSigned(channel.id, metaJson(templateUpdate), acme.appSecret)).statusCode).toBe(200);
    await waitForProcessing(async () => {
      const now = (await admin.get(`/api/whatsapp/channels/${channel.id}`)).json<{ channel: ChannelView }>().channel;
      return now.templatesSyncedAt !== before.templatesSyncedAt;
    });
  });
});
