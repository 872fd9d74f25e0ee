import { eq } from 'drizzle-orm';
import type { SessionInfo } from '../../../contracts/dashboard.schemas.ts';
import type { ChannelInfo } from '../../../contracts/whatsapp.schemas.ts';
import { channels, templates } from '../../../server/db/schema/index.ts';
import { openCredentials } from '../../../server/services/whatsapp/channel-credentials.ts';
import { createCloudApiProvider } from '../../../server/services/whatsapp/cloud-api/cloud-provider.ts';
import type { Browser } from '../../helpers/browser-session.ts';
import { startWhatsAppParley, type WhatsAppParley } from '../../helpers/whatsapp-parley.ts';

// Each test waits on work that crosses the sandbox, HTTP and a job worker: room for a loaded machine.
jest.setTimeout(90_000);

let parley: WhatsAppParley;
let admin: Browser;

beforeAll(async () => {
  parley = await startWhatsAppParley({ workers: false });
  admin = await parley.installCompany(parley.pd.users.ada);
  // Starting a sandbox and a listening Parley with its database takes a while on a loaded machine.
}, 120_000);
afterAll(() => parley.close());

afterEach(async () => {
  // Each test starts without numbers: remove what the previous one added.
  const list = (await admin.get('/api/whatsapp/channels')).json<{ channels: ChannelInfo[] }>().channels;
  for (const channel of list) await admin.request({ method: 'DELETE', url: `/api/whatsapp/channels/${channel.id}` });
  parley.sandbox.whatsapp.reset();
});

describe('adding a WhatsApp number', () => {
  it('sandbox one click: credentials checked, app subscribed, webhook set and verified, templates synced', async () => {
    const response = await admin.post('/api/whatsapp/channels/sandbox');
    expect(response.statusCode).toBe(201);
    const { channel } = response.json<{ channel: ChannelInfo }>();
    const acme = parley.sandbox.whatsapp.numbers[0];
    // The whole body, so a column that should stay inside (credentials, ciphertext) cannot leak.
    const isoTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(channel).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      displayName: 'Acme Demo',
      phoneNumber: '+15550783881',
      phoneNumberId: acme?.phoneNumberId,
      wabaId: acme?.wabaId,
      status: 'active',
      // The admin who added it owns it until someone else is named.
      ownerMemberId: (await admin.get('/api/session')).json<SessionInfo>().workspace?.memberId,
      webhookUrl: `${parley.publicUrl}/webhooks/whatsapp/${channel.id}`,
      verifyToken: expect.stringMatching(/^[\w-]{32}$/),
      webhookVerifiedAt: isoTime,
      appSubscribedAt: isoTime,
      lastWebhookAt: null,
      templatesSyncedAt: isoTime,
      templatesSyncError: null,
      templateCount: 11,
    });
    // Meta's side agrees: the app is subscribed and its callback verified against Parley.
    expect(parley.sandbox.whatsapp.state.wabas.get(acme?.wabaId ?? '')?.subscribedAppIds.has(acme?.appId ?? '')).toBe(
      true,
    );
    expect(parley.sandbox.whatsapp.webhookVerifications().at(-1)).toMatchObject({ ok: true, status: 200 });

    // A customer writes: Meta now delivers to Parley, which answers 200.
    parley.sandbox.whatsapp.sendFromCustomer({ from: '+34 600 111 222', text: 'hola' });
    const attempt = await parley.sandbox.whatsapp.waitForDeliveryAttempt();
    expect(attempt.status).toBe(200);
    expect(await parley.inboxCount(channel.id)).toBe(1);
  });

  it('manual credentials: stored encrypted and bound to the row; the admin sees the verify token to paste', async () => {
    const globex = parley.sandbox.whatsapp.numbers[1];
    if (globex === undefined) throw new Error('seed');
    const channel = await parley.addNumber(admin, globex);
    expect(channel.verifyToken).toMatch(/^[\w-]{32}$/);
    expect(channel.webhookVerifiedAt).toBeNull(); // the handshake runs when the admin saves Meta's settings
    const verified = (await admin.get(`/api/whatsapp/channels/${channel.id}`)).json<{ channel: ChannelInfo }>();
    expect(verified.channel.webhookVerifiedAt).not.toBeNull();

    const [row] = await parley.db.select().from(channels).where(eq(channels.id, channel.id));
    expect(row?.credentialsCiphertext).not.toContain(globex.accessToken);
    expect(row?.credentialsCiphertext).not.toContain(globex.appSecret);
    expect(
      openCredentials(parley.testApp.domain.secretBox, channel.id, row?.credentialsCiphertext ?? ''),
    ).toMatchObject({
      accessToken: globex.accessToken,
      appSecret: globex.appSecret,
    });
    // Copied onto another row, the ciphertext does not decrypt (AAD names the row).
    expect(() =>
      openCredentials(parley.testApp.domain.secretBox, crypto.randomUUID(), row?.credentialsCiphertext ?? ''),
    ).toThrow(/does not authenticate/);
    expect(JSON.stringify((await admin.get('/api/whatsapp/channels')).json())).not.toContain(globex.accessToken);
  });

  it('wrong credentials are refused with a clear error and nothing is stored', async () => {
    const [acme, globex] = parley.sandbox.whatsapp.numbers;
    if (acme === undefined || globex === undefined) throw new Error('seed');
    const rowsBefore = await parley.db.select().from(channels);
    const badToken = await admin.post('/api/whatsapp/channels', {
      phoneNumberId: acme.phoneNumberId,
      wabaId: acme.wabaId,
      accessToken: 'EAAnot-a-real-token',
      appSecret: acme.appSecret,
    });
    expect(badToken.statusCode).toBe(422);
    expect(badToken.json()).toMatchObject({
      error: { code: 'whatsapp.credentials_rejected', message: expect.stringMatching(/^WhatsApp did not accept/) },
    });
    // Globex's token cannot read Acme's number.
    const otherToken = await admin.post('/api/whatsapp/channels', {
      phoneNumberId: acme.phoneNumberId,
      wabaId: acme.wabaId,
      accessToken: globex.accessToken,
      appSecret: acme.appSecret,
    });
    expect(otherToken.statusCode).toBe(422);
    // Acme's number with Globex's WABA id.
    const wrongWaba = await admin.post('/api/whatsapp/channels', {
      phoneNumberId: acme.phoneNumberId,
      wabaId: globex.wabaId,
      accessToken: acme.accessToken,
      appSecret: acme.appSecret,
    });
    expect(wrongWaba.statusCode).toBe(422);
    const malformed = await admin.post('/api/whatsapp/channels', { phoneNumberId: 'abc', wabaId: '1' });
    expect(malformed.statusCode).toBe(400);
    expect(await parley.db.select().from(channels)).toEqual(rowsBefore);
  });

  it('a number already connected is refused; a removed one comes back', async () => {
    const acme = parley.sandbox.whatsapp.numbers[0];
    if (acme === undefined) throw new Error('seed');
    const first = await parley.addNumber(admin, acme);
    const again = await admin.post('/api/whatsapp/channels', {
      phoneNumberId: acme.phoneNumberId,
      wabaId: acme.wabaId,
      accessToken: acme.accessToken,
      appSecret: acme.appSecret,
    });
    expect(again.statusCode).toBe(409);
    await admin.request({ method: 'DELETE', url: `/api/whatsapp/channels/${first.id}` });
    const back = await parley.addNumber(admin, acme);
    expect(back.id).toBe(first.id);
  });
});

describe('the verify handshake (B17)', () => {
  it('echoes the challenge as text/plain for the right token, 403 otherwise, 404 for unknown channels', async () => {
    const globex = parley.sandbox.whatsapp.numbers[1];
    if (globex === undefined) throw new Error('seed');
    const channel = await parley.addNumber(admin, globex);
    const app = parley.testApp.app;
    const url = (token: string, mode = 'subscribe') =>
      `/webhooks/whatsapp/${channel.id}?hub.mode=${mode}&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(token)}`;

    const right = await app.inject({ method: 'GET', url: url(channel.verifyToken ?? '') });
    expect(right.statusCode).toBe(200);
    expect(right.headers['content-type']).toMatch(/^text\/plain/);
    expect(right.body).toBe('1158201444');

    expect((await app.inject({ method: 'GET', url: url('wrong') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: url(`${channel.verifyToken ?? ''}x`) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: url(channel.verifyToken ?? '', 'unsubscribe') })).statusCode).toBe(
      403,
    );
    const unknown = await app.inject({
      method: 'GET',
      url: `/webhooks/whatsapp/${crypto.randomUUID()}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=x`,
    });
    expect(unknown.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/webhooks/whatsapp/not-a-uuid' })).statusCode).toBe(404);
  });
});

describe('editing, rotating and removing', () => {
  it('edits the name and owner, rotates the token after checking it, and removal stops webhooks', async () => {
    const acme = parley.sandbox.whatsapp.numbers[0];
    if (acme === undefined) throw new Error('seed');
    const channel = await parley.addNumber(admin, acme);

    const renamed = await admin.request({
      method: 'PATCH',
      url: `/api/whatsapp/channels/${channel.id}`,
      payload: { displayName: 'Sales line' },
    });
    expect(renamed.json<{ channel: ChannelInfo }>().channel.displayName).toBe('Sales line');
    const foreignOwner = await admin.request({
      method: 'PATCH',
      url: `/api/whatsapp/channels/${channel.id}`,
      payload: { ownerMemberId: crypto.randomUUID() },
    });
    expect(foreignOwner.statusCode).toBe(404);

    const rejected = await admin.post(`/api/whatsapp/channels/${channel.id}/token`, { accessToken: 'EAAwrong' });
    expect(rejected.statusCode).toBe(422);
    const rotated = await admin.post(`/api/whatsapp/channels/${channel.id}/token`, { accessToken: acme.accessToken });
    expect(rotated.statusCode).toBe(200);

    const removed = await admin.request({ method: 'DELETE', url: `/api/whatsapp/channels/${channel.id}` });
    expect(removed.statusCode).toBe(200);
    const [row] = await parley.db.select().from(channels).where(eq(channels.id, channel.id));
    expect(row?.status).toBe('disabled');
    expect(
      openCredentials(parley.testApp.domain.secretBox, channel.id, row?.credentialsCiphertext ?? ''),
    ).toMatchObject({ accessToken: '', appSecret: '' });
    const after = await parley.postSigned(channel.id, '{}', acme.appSecret);
    expect(after.statusCode).toBe(404);
    expect((await admin.get('/api/whatsapp/channels')).json<{ channels: unknown[] }>().channels).toEqual([]);
  });

  it('a rotated app secret is used at once: the old one is refused', async () => {
    const acme = parley.sandbox.whatsapp.numbers[0];
    if (acme === undefined) throw new Error('seed');
    const channel = await parley.addNumber(admin, acme);
    const body = '{"object":"whatsapp_business_account","entry":[]}';
    expect((await parley.postSigned(channel.id, body, acme.appSecret)).statusCode).toBe(200);
    await admin.request({
      method: 'PATCH',
      url: `/api/whatsapp/channels/${channel.id}`,
      payload: { appSecret: 'a-new-app-secret' },
    });
    expect((await parley.postSigned(channel.id, body, acme.appSecret)).statusCode).toBe(403);
    expect((await parley.postSigned(channel.id, body, 'a-new-app-secret')).statusCode).toBe(200);
  });
});

describe('templates', () => {
  it('follows paging to the last page', async () => {
    const acme = parley.sandbox.whatsapp.numbers[0];
    if (acme === undefined) throw new Error('seed');
    const provider = createCloudApiProvider(
      { graphUrl: parley.sandbox.url, graphVersion: 'v23.0' },
      { templatePageSize: 4 },
    );
    const before = parley.sandbox.whatsapp.graphRequests().length;
    const list = await provider.listTemplates({
      phoneNumberId: acme.phoneNumberId,
      wabaId: acme.wabaId,
      accessToken: acme.accessToken,
    });
    expect(list).toHaveLength(11);
    expect(new Set(list.map((template) => `${template.name}/${template.language}`)).size).toBe(11);
    const pages = parley.sandbox.whatsapp
      .graphRequests()
      .slice(before)
      .filter((request) => request.url.includes('message_templates'));
    expect(pages).toHaveLength(3);
  });

  it('re-syncs on demand and on the template-status webhook', async () => {
    const acme = parley.sandbox.whatsapp.numbers[0];
    if (acme === undefined) throw new Error('seed');
    const channel = await parley.addNumber(admin, acme);
    const stored = await parley.db.select().from(templates).where(eq(templates.channelId, channel.id));
    expect(stored.find((template) => template.name === 'spring_sale')?.status).toBe('PENDING');
    const template = parley.sandbox.whatsapp.state.templates.find(
      (candidate) => candidate.name === 'spring_sale' && candidate.wabaId === acme.wabaId,
    );
    if (template === undefined) throw new Error('seed');
    template.status = 'APPROVED';
    const synced = await admin.post(`/api/whatsapp/channels/${channel.id}/templates/sync`);
    expect(synced.statusCode).toBe(200);
    const after = await parley.db.select().from(templates).where(eq(templates.channelId, channel.id));
    expect(after.find((row) => row.name === 'spring_sale')?.status).toBe('APPROVED');
  });
});
