import { createHash } from 'node:crypto';
import type { ChatMessage, MessagesPage } from '../../../contracts/panel-chat.ts';
import { eq } from 'drizzle-orm';
import { media, messages } from '../../../server/db/schema/index.ts';
import { createFakeClock } from '../../helpers/fake-clock.ts';
import {
  addMessages,
  connectAcmeAndGlobex,
  seedAcmeAndGlobexChats,
  type SeededChats,
} from '../../helpers/live-chat.ts';
import { panelRequest } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

/** A stored image in a chat, as the media job leaves it (bytes in `media`, `state: stored` on the message). */
async function storeImage(
  testApp: TestApp,
  chat: { workspaceId: string; channelId: string; chatId: string },
  bytes: Buffer,
) {
  const { db } = testApp.database;
  const [message] = await addMessages(db, chat, [
    {
      direction: 'inbound',
      type: 'image',
      body: null,
      media: { id: '1234567890', mime_type: 'image/png', caption: 'the blue one', state: 'stored' },
      sentAt: new Date(),
    },
  ]);
  if (message === undefined) throw new Error('no message');
  // The media job records the dashboard's (cookie-authorised) URL on the message.
  await db
    .update(messages)
    .set({ media: { ...message.media, url: `/api/media/${message.id}` } })
    .where(eq(messages.id, message.id));
  await db.insert(media).values({
    messageId: message.id,
    workspaceId: chat.workspaceId,
    mimeType: 'image/png',
    filename: null,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  });
  return message;
}

describe('live-chat panel API: signed media links', () => {
  const clock = createFakeClock();
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let acme: SeededChats['acme'];
  let globex: SeededChats['globex'];
  const acmeBytes = Buffer.from('ACME-PNG-BYTES');
  const globexBytes = Buffer.from('GLOBEX-PNG-BYTES');
  let acmeImageId: string;
  let globexImageId: string;

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config(), clock });
    await connectAcmeAndGlobex(testApp, pd, [pd.users.sam]);
    ({ acme, globex } = await seedAcmeAndGlobexChats(testApp, pd));
    acmeImageId = (await storeImage(testApp, { ...acme, chatId: acme.mariaChat }, acmeBytes)).id;
    globexImageId = (await storeImage(testApp, globex, globexBytes)).id;
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  /** The media link a viewer's panel gets for the newest message of a chat (an image above). */
  async function linkFor(user: PipedriveUser, chatId: string): Promise<string> {
    const response = await panelRequest(testApp, user, 'GET', `/api/panel/chats/${chatId}/messages?limit=1`);
    expect(response.statusCode).toBe(200);
    const [image] = response.json<MessagesPage>().messages as [ChatMessage];
    expect(image.type).toBe('image');
    const url = image.media?.['url'];
    if (typeof url !== 'string') throw new Error('no media url');
    return url;
  }
  /** Fetched as an `<img>` in Pipedrive's iframe does: no cookie, no bearer. */
  const fetchAnonymously = (url: string) => testApp.app.inject({ method: 'GET', url });

  it('puts a signed link in the message payload that serves the bytes without cookie or bearer', async () => {
    const url = await linkFor(pd.users.sam, acme.mariaChat);
    expect(url).toMatch(new RegExp(`^/api/panel/media/${acmeImageId}\\?company=\\d+&expires=\\d+&signature=[\\w-]+$`));
    const response = await fetchAnonymously(url);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(acmeBytes)).toBe(true);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    // Cached no longer than the link lives.
    const maxAge = Number(/max-age=(\d+)/.exec(String(response.headers['cache-control']))?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(120);
  });

  it('keeps the same link within a minute (so the browser keeps the image) and a fresh one later', async () => {
    const first = await linkFor(pd.users.sam, acme.mariaChat);
    expect(await linkFor(pd.users.sam, acme.mariaChat)).toBe(first);
    clock.advance(2 * 60_000);
    const later = await linkFor(pd.users.sam, acme.mariaChat);
    expect(later).not.toBe(first);
    expect((await fetchAnonymously(later)).statusCode).toBe(200);
  });

  it('refuses an expired link', async () => {
    const url = await linkFor(pd.users.sam, acme.mariaChat);
    expect((await fetchAnonymously(url)).statusCode).toBe(200);
    clock.advance(3 * 60_000);
    const expired = await fetchAnonymously(url);
    expect(expired.statusCode).toBe(403);
    expect(expired.json()).toMatchObject({ error: { code: 'media.link_expired' } });
    expect(expired.body).not.toContain('ACME-PNG-BYTES');
  });

  it('refuses a tampered link: another company, a later expiry, another message, a changed or missing signature', async () => {
    const url = new URL(await linkFor(pd.users.sam, acme.mariaChat), 'http://parley.test');
    const variants: [string, (link: URL) => void][] = [
      ['company', (link) => link.searchParams.set('company', String(pd.users.gina.companyId))],
      ['expires', (link) => link.searchParams.set('expires', String(Number(link.searchParams.get('expires')) + 3600))],
      ['message', (link) => (link.pathname = `/api/panel/media/${globexImageId}`)],
      ['signature', (link) => link.searchParams.set('signature', `${link.searchParams.get('signature')}x`)],
    ];
    for (const [what, tamper] of variants) {
      const link = new URL(url);
      tamper(link);
      const response = await fetchAnonymously(`${link.pathname}${link.search}`);
      expect({
        what,
        status: response.statusCode,
        code: response.json<{ error: { code: string } }>().error.code,
      }).toEqual({ what, status: 403, code: 'media.link_invalid' });
    }
    const unsigned = await fetchAnonymously(`/api/panel/media/${acmeImageId}`);
    expect(unsigned.statusCode).toBe(400);
    expect(unsigned.body).not.toContain('ACME-PNG-BYTES');
  });

  it('never serves company A’s media to company B, even on a link Parley signed for B', async () => {
    // Gina (Globex) reads her own chat: her link works for her image only.
    const ginaLink = await linkFor(pd.users.gina, globex.chatId);
    const own = await fetchAnonymously(ginaLink);
    expect(own.rawPayload.equals(globexBytes)).toBe(true);
    // A link validly signed for Globex but naming Acme's message finds nothing in Globex's workspace.
    const forged = testApp.domain.mediaLinks.url(pd.users.gina.companyId, acmeImageId);
    const response = await fetchAnonymously(forged);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('ACME-PNG-BYTES');
    // And Acme's panel API never hands out a link for Globex's message.
    const sams = await panelRequest(testApp, pd.users.sam, 'GET', `/api/panel/chats/${globex.chatId}/messages`);
    expect(sams.statusCode).toBe(404);
    expect(sams.body).not.toContain(globexImageId);
  });

  it('leaves the dashboard’s cookie-authorised URL out of panel payloads', async () => {
    const response = await panelRequest(testApp, pd.users.sam, 'GET', `/api/panel/chats/${acme.mariaChat}/messages`);
    expect(response.body).not.toContain(`/api/media/${acmeImageId}`);
  });
});
