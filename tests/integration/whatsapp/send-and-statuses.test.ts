import { eq } from 'drizzle-orm';
import nock from 'nock';
import { messages, pendingStatuses } from '../../../server/db/schema/index.ts';
import type { ChannelView } from '../../../server/services/whatsapp/channels.service.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import type { PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import {
  waitForProcessing,
  metaJson,
  notification,
  startTwoCompanyChats,
  type WhatsAppParley,
} from '../../helpers/whatsapp-parley.ts';

// Each test waits on work that crosses the sandbox, HTTP and a job worker: room for a loaded machine.
jest.setTimeout(90_000);

let parley: WhatsAppParley;
let acme: SandboxBusinessNumber;
let globex: SandboxBusinessNumber;
let channelA: ChannelView;
let chatA: string;
let chatB: string;

beforeAll(async () => {
  // Starting a sandbox and a listening Parley with its database takes a while on a loaded machine.
  ({ parley, acme, globex, channelA, chatA, chatB } = await startTwoCompanyChats());
}, 120_000);
afterAll(() => parley.close());
afterEach(() => {
  nock.cleanAll();
  parley.sandbox.whatsapp.setFaults({ reorderStatuses: false });
});

async function send(user: PipedriveUser, chatId: string, payload: object) {
  const token = await signPanelToken({ companyId: user.companyId, userId: user.userId });
  return parley.testApp.app.inject({
    method: 'POST',
    url: `/api/panel/chats/${chatId}/messages`,
    headers: bearer(token),
    payload,
  });
}
const messageRow = async (id: string) => (await parley.db.select().from(messages).where(eq(messages.id, id)))[0];
const statusBecomes = (id: string, status: string) =>
  waitForProcessing(async () => ((await messageRow(id))?.status === status ? messageRow(id) : undefined), {
    message: `message ${id} ${status}`,
  });
/** Posts a status webhook for `wamid`, signed like Meta. */
async function postStatus(wamid: string, status: string, extra: Record<string, unknown> = {}) {
  const body = notification(acme.wabaId, {
    metadata: { display_phone_number: acme.displayPhoneNumber, phone_number_id: acme.phoneNumberId },
    statuses: [
      { id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '34600111222', ...extra },
    ],
  });
  const response = await parley.postSigned(channelA.id, metaJson(body), acme.appSecret);
  expect(response.statusCode).toBe(200);
}

describe('sending from the panel', () => {
  it('text: recorded as sent by the Pipedrive user, delivered by WhatsApp, ticks move forward to read', async () => {
    const { ada } = parley.pd.users;
    const response = await send(ada, chatA, { text: 'Sí, la tenemos 👍' });
    expect(response.statusCode).toBe(201);
    const { message } = response.json<{ message: { id: string; providerMessageId: string } }>();
    expect(message.providerMessageId).toMatch(/^wamid\./);
    const row = await messageRow(message.id);
    expect(row).toMatchObject({
      direction: 'outbound',
      type: 'text',
      body: 'Sí, la tenemos 👍',
      sentByPipedriveUserId: ada.userId,
    });
    expect(row?.sentByMemberId).not.toBeNull();
    expect(parley.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1)?.text).toBe('Sí, la tenemos 👍');
    await statusBecomes(message.id, 'delivered');
    parley.sandbox.whatsapp.readChat({ customer: '34600111222' });
    await statusBecomes(message.id, 'read');
  });

  it('template: only approved, synced templates; the body is recorded with its parameters', async () => {
    const { ada } = parley.pd.users;
    const components = [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'María' },
          { type: 'text', text: 'the Website redesign' },
        ],
      },
    ];
    const response = await send(ada, chatA, { template: { name: 'follow_up', language: 'en', components } });
    expect(response.statusCode).toBe(201);
    const { message } = response.json<{ message: { id: string } }>();
    expect(await messageRow(message.id)).toMatchObject({
      type: 'template',
      body: 'Hi María, thanks for your interest in the Website redesign! Would you like a call from our team?',
    });
    expect(parley.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1)?.template?.name).toBe(
      'follow_up',
    );

    const pending = await send(ada, chatA, { template: { name: 'spring_sale', language: 'en' } });
    expect(pending.statusCode).toBe(422);
    expect(pending.json()).toMatchObject({
      error: { code: 'whatsapp.template_not_usable', message: expect.stringMatching(/pending/) },
    });
    const unknown = await send(ada, chatA, { template: { name: 'no_such', language: 'en' } });
    expect(unknown.statusCode).toBe(422);
  });

  it('T1: another company’s chat is not found, for either company; a bad body is 400', async () => {
    const { ada, gina } = parley.pd.users;
    const across = await send(ada, chatB, { text: 'into B' });
    expect(across.statusCode).toBe(404);
    expect(across.body).not.toContain('hi B');
    expect((await send(gina, chatA, { text: 'into A' })).statusCode).toBe(404);
    expect((await send(ada, crypto.randomUUID(), { text: 'nowhere' })).statusCode).toBe(404);
    expect((await send(ada, chatA, { text: '' })).statusCode).toBe(400);
    expect((await send(ada, chatA, { text: 'x', extra: true })).statusCode).toBe(400);
    expect(
      parley.sandbox.whatsapp.sentToCustomer({ customer: '14155550101', phoneNumberId: globex.phoneNumberId }),
    ).toEqual([]);
  });

  it('needs the viewer’s own connection and a valid panel token', async () => {
    const sam = parley.pd.users.sam; // in Ada's company, never connected personally
    const response = await send(sam, chatA, { text: 'hi' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'connections.personal_not_connected' } });
    const unsigned = await parley.testApp.app.inject({
      method: 'POST',
      url: `/api/panel/chats/${chatA}/messages`,
      payload: { text: 'hi' },
    });
    expect(unsigned.statusCode).toBe(401);
  });

  it('outside the 24-hour window the send is accepted, then fails by status webhook with Meta’s words', async () => {
    parley.sandbox.clock.advance(25 * 60 * 60 * 1000);
    try {
      const response = await send(parley.pd.users.ada, chatA, { text: 'are you there?' });
      expect(response.statusCode).toBe(201);
      const failed = await statusBecomes(response.json<{ message: { id: string } }>().message.id, 'failed');
      expect(failed?.error).toMatchObject({ code: 131047, title: 'Re-engagement message' });
    } finally {
      parley.sandbox.clock.advance(-25 * 60 * 60 * 1000);
    }
  });

  it('a refused send is stored as failed and answered with the reason in words', async () => {
    nock(parley.sandbox.url)
      .post(`/v23.0/${acme.phoneNumberId}/messages`)
      .reply(401, {
        error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190 },
      });
    const response = await send(parley.pd.users.ada, chatA, { text: 'token gone' });
    expect(response.statusCode).toBe(422);
    const { error } = response.json<{ error: { message: string; details: { messageId: string } } }>();
    expect(error.message).toMatch(/Session has expired/);
    expect(await messageRow(error.details.messageId)).toMatchObject({ status: 'failed', error: { code: 190 } });
  });
});

describe('statuses', () => {
  it('out of order through the emulator: a late `sent` never moves a delivered message back', async () => {
    parley.sandbox.whatsapp.setFaults({ reorderStatuses: true });
    const response = await send(parley.pd.users.ada, chatA, { text: 'reordered' });
    const { message } = response.json<{ message: { id: string; providerMessageId: string } }>();
    await parley.sandbox.whatsapp.waitForDeliveryAttempt(
      (attempt) =>
        attempt.status === 200 && attempt.body.includes(message.providerMessageId) && attempt.body.includes('"sent"'),
    );
    await waitForProcessing(async () => (await parley.inboxPendingFor(message.providerMessageId)) === 0);
    expect((await messageRow(message.id))?.status).toBe('delivered');
  });

  it('statuses that arrive before their message wait for it and apply in rank order', async () => {
    const wamid = `wamid.early-${Date.now()}`;
    await postStatus(wamid, 'read');
    await postStatus(wamid, 'sent');
    await postStatus(wamid, 'delivered');
    await waitForProcessing(
      async () =>
        (await parley.db.select().from(pendingStatuses).where(eq(pendingStatuses.providerMessageId, wamid))).length ===
        3,
    );
    // The send's response comes back after its statuses (a race Meta documents).
    nock(parley.sandbox.url)
      .post(`/v23.0/${acme.phoneNumberId}/messages`)
      .reply(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: '34600111222', wa_id: '34600111222' }],
        messages: [{ id: wamid }],
      });
    const response = await send(parley.pd.users.ada, chatA, { text: 'fast customer' });
    expect(response.statusCode).toBe(201);
    const { message } = response.json<{ message: { id: string; status: string } }>();
    expect(message.status).toBe('read');
    expect(await parley.db.select().from(pendingStatuses).where(eq(pendingStatuses.providerMessageId, wamid))).toEqual(
      [],
    );
    // A failure reported after the read is ignored; a failure before delivery is kept with its words.
    await postStatus(wamid, 'failed', { errors: [{ code: 131026, title: 'Message undeliverable' }] });
    await waitForProcessing(async () => (await parley.inboxPendingFor(wamid)) === 0);
    expect((await messageRow(message.id))?.status).toBe('read');
  });
});
