import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { inboxEvents, messages } from '../../../server/db/schema/index.ts';
import type { ChannelView } from '../../../server/services/whatsapp/channels.service.ts';
import { signLikeMeta } from '../../../server/services/whatsapp/cloud-api/webhook-signature.ts';
import { META_WEBHOOK_MAX_BYTES } from '../../../server/services/whatsapp/webhook-ingest.service.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import { metaJson, notification, startWhatsAppParley, type WhatsAppParley } from '../../helpers/whatsapp-parley.ts';

// Each test waits on work that crosses the sandbox, HTTP and a job worker: room for a loaded machine.
jest.setTimeout(90_000);

let parley: WhatsAppParley;
let acme: SandboxBusinessNumber;
let globex: SandboxBusinessNumber;
let channelA: ChannelView;
let channelB: ChannelView;

beforeAll(async () => {
  parley = await startWhatsAppParley();
  [acme, globex] = parley.sandbox.whatsapp.numbers as [SandboxBusinessNumber, SandboxBusinessNumber];
  channelA = await parley.addNumber(await parley.installCompany(parley.pd.users.ada), acme);
  channelB = await parley.addNumber(await parley.installCompany(parley.pd.users.gina), globex);
  // Starting a sandbox and a listening Parley with its database takes a while on a loaded machine.
}, 120_000);
afterAll(() => parley.close());

let counter = 0;
/** A text message notification for Acme's number with a fresh wamid. */
function textNotification(body: string, number = acme, from = '34600111222') {
  counter += 1;
  const wamid = `wamid.test-${Date.now()}-${counter}`;
  return {
    wamid,
    value: notification(number.wabaId, {
      metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.phoneNumberId },
      contacts: [{ profile: { name: 'María G. 🌻' }, wa_id: from }],
      messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } }],
    }),
  };
}

const inboxRows = (channelId: string) =>
  parley.db.select().from(inboxEvents).where(eq(inboxEvents.channelId, channelId));
const storedMessage = (wamid: string) => parley.storedMessage(wamid);
const post = (channelId: string, body: string | Buffer, headers: Record<string, string>) =>
  parley.testApp.app.inject({ method: 'POST', url: `/webhooks/whatsapp/${channelId}`, payload: body, headers });
/**
 * Sends headers declaring `contentLength` and only two bytes of body over a raw socket, from a child
 * process (the test process's nock holds requests back until they end), and returns the status line.
 */
async function statusForDeclaredLength(channelId: string, contentLength: number): Promise<string> {
  const { port } = new URL(parley.publicUrl);
  const script = `
    const socket = require('node:net').connect(${port}, '127.0.0.1', () => socket.write(
      'POST /webhooks/whatsapp/${channelId} HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\n' +
      'Content-Length: ${contentLength}\\r\\n\\r\\n{}'));
    socket.on('data', (chunk) => { process.stdout.write(String(chunk).split('\\r\\n')[0]); process.exit(0); });
    setTimeout(() => { process.stdout.write('no answer'); process.exit(0); }, 5000);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
  return stdout;
}
const jobsQueued = async () =>
  Number(
    (
      await parley.testApp.database.pool.query<{ count: string }>(
        "select count(*) from pgboss.job where name = 'whatsapp.process-inbox'",
      )
    ).rows[0]?.count,
  );

describe('signatures (B1–B3)', () => {
  it('refuses wrong, missing and malformed signatures without storing or enqueueing anything', async () => {
    const body = metaJson(textNotification('hello').value);
    const rowsBefore = (await inboxRows(channelA.id)).length;
    const jobsBefore = await jobsQueued();
    const sign = (secret: string) => signLikeMeta(body, secret);
    const cases: [Record<string, string>, number][] = [
      [{ 'x-hub-signature-256': sign('not the app secret') }, 403], // B1
      [{}, 401], // B2: missing
      [{ 'x-hub-signature-256': '' }, 401],
      [{ 'x-hub-signature-256': `sha1=${createHmac('sha1', acme.appSecret).update(body).digest('hex')}` }, 403],
      [{ 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }, 403], // non-hex
      [{ 'x-hub-signature-256': sign(acme.appSecret).slice(0, -2) }, 403], // wrong length
      [{ 'x-hub-signature-256': `${sign(acme.appSecret)}00` }, 403],
      [{ 'x-hub-signature-256': sign(globex.appSecret) }, 403], // another tenant's secret
    ];
    for (const [headers, status] of cases) {
      const response = await post(channelA.id, body, { 'content-type': 'application/json', ...headers });
      expect({ headers, status: response.statusCode }).toEqual({ headers, status });
      expect(response.json<{ error: { code: string } }>().error.code).toMatch(/^webhooks\.signature_/);
    }
    // B3: the same content re-serialized (parsed and stringified) no longer matches the signature.
    const reserialized = JSON.stringify(JSON.parse(body));
    expect(reserialized).not.toBe(body);
    const b3 = await post(channelA.id, reserialized, {
      'content-type': 'application/json',
      'x-hub-signature-256': sign(acme.appSecret),
    });
    expect(b3.statusCode).toBe(403);
    expect((await inboxRows(channelA.id)).length).toBe(rowsBefore);
    expect(await jobsQueued()).toBe(jobsBefore);
  });
});

describe('bodies (B4–B7)', () => {
  it('B4: emoji, RTL, combining characters and \\u escapes signed like Meta are stored exactly', async () => {
    const text = 'Olá äöå 🌻👩🏽‍💻 مرحبا بالعالم שלום e\u0301 <b>&amp;</b> "quoted" \\ back/slash';
    const { wamid, value } = textNotification(text);
    const body = metaJson(value);
    expect(body).toContain('\\u00e4'); // escaped the way Meta sends it
    const response = await parley.postSigned(channelA.id, body, acme.appSecret);
    expect(response.statusCode).toBe(200);
    expect((await storedMessage(wamid)).body).toBe(text);
  });

  it('B5: malformed JSON, empty body, text/plain and a top-level array are 400, never 500', async () => {
    const cases: { body: string; contentType: string }[] = [
      { body: '{"object":"whatsapp_business_account","entry":[', contentType: 'application/json' },
      { body: '', contentType: 'application/json' },
      { body: metaJson(textNotification('x').value), contentType: 'text/plain' },
      { body: '[1,2,3]', contentType: 'application/json' },
      { body: '{"object":"page","entry":[]}', contentType: 'application/json' },
      {
        body: '{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages"}]}]}',
        contentType: 'application/json',
      },
      {
        body: metaJson(
          notification(acme.wabaId, {
            metadata: { phone_number_id: acme.phoneNumberId },
            messages: [{ type: 'text' }],
          }),
        ),
        contentType: 'application/json',
      },
      {
        body: '{"object":"whatsapp_business_account","entry":[],"__proto__":{"x":1}}',
        contentType: 'application/json',
      },
      // The same key spelled with escapes, and one that only becomes it once NULs are dropped.
      {
        body: '{"object":"whatsapp_business_account","entry":[{"\\u005f_proto__":{"x":1}}]}',
        contentType: 'application/json',
      },
      {
        body: '{"object":"whatsapp_business_account","entry":[],"\\u0000__proto__":{"x":1}}',
        contentType: 'application/json',
      },
    ];
    for (const { body, contentType } of cases) {
      const response = await post(channelA.id, body, {
        'content-type': contentType,
        'x-hub-signature-256': signLikeMeta(body, acme.appSecret),
      });
      expect({ body, status: response.statusCode }).toEqual({ body, status: 400 });
    }
  });

  it('B6: a body just over Meta’s 3 MB maximum is 413; a lying Content-Length is 400', async () => {
    const padding = 'x'.repeat(META_WEBHOOK_MAX_BYTES);
    const big = `{"object":"whatsapp_business_account","entry":[],"pad":"${padding}"}`;
    const response = await post(channelA.id, big, {
      'content-type': 'application/json',
      'x-hub-signature-256': signLikeMeta(big, acme.appSecret),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'request.body_too_large' } });

    // Over a raw socket, a Content-Length over the limit is refused before any body is read.
    expect(await statusForDeclaredLength(channelA.id, 5_000_000)).toBe('HTTP/1.1 413 Payload Too Large');
    // A Content-Length longer than the body that arrives.
    const short = await post(channelA.id, '{}', {
      'content-type': 'application/json',
      'content-length': '100',
      'x-hub-signature-256': signLikeMeta('{}', acme.appSecret),
    });
    expect(short.statusCode).toBe(400);
  });

  it('B7: a replayed notification is acknowledged and changes nothing', async () => {
    const { wamid, value } = textNotification('only once');
    const body = metaJson(value);
    expect((await parley.postSigned(channelA.id, body, acme.appSecret)).statusCode).toBe(200);
    await storedMessage(wamid);
    const rows = (await inboxRows(channelA.id)).length;
    for (let replay = 0; replay < 3; replay += 1)
      expect((await parley.postSigned(channelA.id, body, acme.appSecret)).statusCode).toBe(200);
    expect((await inboxRows(channelA.id)).length).toBe(rows);
    expect(await parley.db.select().from(messages).where(eq(messages.providerMessageId, wamid))).toHaveLength(1);
  });

  it('stores every message and status of a batch (several entries and changes) in one request', async () => {
    const first = textNotification('one');
    const second = textNotification('two');
    const batch = {
      object: 'whatsapp_business_account',
      entry: [...first.value.entry, ...second.value.entry],
    };
    const before = (await inboxRows(channelA.id)).length;
    expect((await parley.postSigned(channelA.id, metaJson(batch), acme.appSecret)).statusCode).toBe(200);
    expect((await inboxRows(channelA.id)).length).toBe(before + 2);
    await storedMessage(first.wamid);
    await storedMessage(second.wamid);
  });
});

describe('tenant isolation (T1 for the webhook route)', () => {
  it('company A’s secret cannot write into B’s channel, and A’s URL cannot carry B’s number', async () => {
    const forB = textNotification('from A into B', globex);
    const signedByA = await parley.postSigned(channelB.id, metaJson(forB.value), acme.appSecret);
    expect(signedByA.statusCode).toBe(403);

    const rowsB = (await inboxRows(channelB.id)).length;
    // Signed correctly for A's URL, but naming B's phone-number id: nothing reaches B.
    const viaA = await parley.postSigned(channelA.id, metaJson(forB.value), acme.appSecret);
    expect(viaA.statusCode).toBe(200);
    expect((await inboxRows(channelB.id)).length).toBe(rowsB);
    expect(await parley.db.select().from(messages).where(eq(messages.providerMessageId, forB.wamid))).toEqual([]);
    // B's own, properly signed webhook still lands.
    const own = textNotification('B for B', globex, '14155550101');
    expect((await parley.postSigned(channelB.id, metaJson(own.value), globex.appSecret)).statusCode).toBe(200);
    expect((await storedMessage(own.wamid)).channelId).toBe(channelB.id);
  });
});

describe('property: sign → ingest → store round-trips any text', () => {
  it('emoji, RTL, HTML-like and long strings come back exactly (NUL is dropped by rule)', async () => {
    const texts = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
      fc.constantFrom('a'.repeat(10_000), '<script>alert(1)</script>', 'مرحبا <b>עולם</b> 😀', '\u0000nul\u0000'),
    );
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const { wamid, value } = textNotification(text);
        const response = await parley.postSigned(channelA.id, metaJson(value), acme.appSecret);
        expect(response.statusCode).toBe(200);
        const expected = text.replaceAll('\u0000', '');
        expect((await storedMessage(wamid)).body).toBe(expected === '' ? null : expected);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
