import { UnsecuredJWT } from 'jose';
import { and, eq } from 'drizzle-orm';
import type { InboxResponse, MessagesPage, PanelContextResponse } from '../../../contracts/panel-chat.ts';
import { channels, connections, events, messages } from '../../../server/db/schema/index.ts';
import {
  connectAcmeAndGlobex,
  seedChannel,
  seedChat,
  seedTemplate,
  workspaceOfCompany,
  type SeededMessage,
} from '../../helpers/live-chat.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

const HOUR = 60 * 60 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms);

describe('live-chat panel API', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let acme: { workspaceId: string; channelId: string; mariaChat: string; silvaChat: string };
  let globex: { workspaceId: string; channelId: string; chatId: string; personId: number; dealId: number };

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    await connectAcmeAndGlobex(testApp, pd, [pd.users.sam]);
    const { db } = testApp.database;
    const seed = pd.sandbox.pipedrive.seed;
    const maria = seed.demo.persons[0];
    const silva = seed.demo.persons[2];
    const hank = seed.other.persons[0];
    const hankDeal = seed.other.deals[0];
    if (maria === undefined || silva === undefined || hank === undefined || hankDeal === undefined)
      throw new Error('the sandbox seed changed');

    const acmeWorkspace = await workspaceOfCompany(db, pd.users.ada.companyId);
    const acmeChannel = await seedChannel(db, acmeWorkspace, 'Acme sales', '+15550001111');
    await seedTemplate(db, acmeChannel.id, 'order_update', 'Hi {{1}}, your order {{2}} is ready.');
    await seedTemplate(db, acmeChannel.id, 'draft_only', 'Not approved', 'PENDING');
    // 45 messages, the last inbound 2 hours ago: the window is open for 22 more hours.
    const history: SeededMessage[] = Array.from({ length: 45 }, (_, i) => ({
      direction: i % 3 === 0 ? 'outbound' : 'inbound',
      body: `Maria message ${i}`,
      sentAt: ago((46 - i) * HOUR - 1000 * i),
      status: i % 3 === 0 ? 'delivered' : i < 40 ? 'read' : 'received',
    }));
    const mariaChat = await seedChat(db, {
      workspaceId: acmeWorkspace,
      channelId: acmeChannel.id,
      contactName: 'Maria G.',
      e164: '+34600111222',
      personId: maria.id,
      messages: history,
    });
    const silvaChat = await seedChat(db, {
      workspaceId: acmeWorkspace,
      channelId: acmeChannel.id,
      contactName: 'Lucas',
      e164: '+5511912345678',
      personId: silva.id,
      messages: [{ direction: 'inbound', body: 'Private hello', sentAt: ago(30 * HOUR) }],
    });
    acme = {
      workspaceId: acmeWorkspace,
      channelId: acmeChannel.id,
      mariaChat: mariaChat.chat.id,
      silvaChat: silvaChat.chat.id,
    };

    const globexWorkspace = await workspaceOfCompany(db, pd.users.gina.companyId);
    const globexChannel = await seedChannel(db, globexWorkspace, 'Globex line', '+15550002222');
    await seedTemplate(db, globexChannel.id, 'globex_secret_template', 'Doomsday {{1}}');
    const hankChat = await seedChat(db, {
      workspaceId: globexWorkspace,
      channelId: globexChannel.id,
      contactName: 'Hank Scorpio',
      e164: '+12125550199',
      personId: hank.id,
      dealId: hankDeal.id,
      messages: [{ direction: 'inbound', body: 'GLOBEX-SECRET plans', sentAt: ago(HOUR) }],
    });
    globex = {
      workspaceId: globexWorkspace,
      channelId: globexChannel.id,
      chatId: hankChat.chat.id,
      personId: hank.id,
      dealId: hankDeal.id,
    };
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const as = async (user: PipedriveUser, method: 'GET' | 'POST', url: string, payload?: object) =>
    testApp.app.inject({
      method,
      url,
      headers: bearer(await signPanelToken(user)),
      ...(payload === undefined ? {} : { payload }),
    });
  const demo = () => pd.sandbox.pipedrive.seed.demo;

  describe('context', () => {
    it('reads the deal with the viewer’s token and returns its person’s chats, channels, templates and fill values', async () => {
      const deal = demo().deals[0];
      const response = await as(pd.users.sam, 'GET', `/api/panel/context?resource=deal&id=${deal?.id}`);
      expect(response.statusCode).toBe(200);
      const context = response.json<PanelContextResponse>();
      if (context.state !== 'ready') throw new Error(`state ${context.state}`);
      expect(context.person).toEqual({ id: demo().persons[0]?.id, name: 'Maria Gomez' });
      expect(context.deal).toEqual({ id: deal?.id, title: 'Website redesign' });
      expect(context.chats).toHaveLength(1);
      const [chat] = context.chats;
      expect(chat).toMatchObject({
        id: acme.mariaChat,
        contact: { name: 'Maria G.', number: '+34600111222' },
        channel: { id: acme.channelId, name: 'Acme sales', phoneNumber: '+15550001111' },
        window: { state: 'open' },
        unread: 4,
      });
      const closesInHours = (Date.parse(chat?.window.closesAt ?? '') - Date.now()) / HOUR;
      expect(closesInHours).toBeGreaterThan(21);
      expect(closesInHours).toBeLessThan(23);
      expect(context.channels).toEqual([{ id: acme.channelId, name: 'Acme sales', phoneNumber: '+15550001111' }]);
      expect(context.templates.map((template) => template.name)).toEqual(['order_update']);
      expect(context.fill).toEqual({
        personName: 'Maria Gomez',
        firstName: 'Maria',
        dealTitle: 'Website redesign',
        dealValue: expect.any(String),
        ownerName: 'Sam Seller',
        viewerName: 'Sam Seller',
      });
    });

    it('answers for a person too, with the window closed after 24 hours of silence', async () => {
      const silva = demo().persons[2];
      const response = await as(pd.users.ada, 'GET', `/api/panel/context?resource=person&id=${silva?.id}`);
      const context = response.json<PanelContextResponse>();
      if (context.state !== 'ready') throw new Error(`state ${context.state}`);
      expect(context.deal).toBeNull();
      expect(context.chats.map((chat) => [chat.id, chat.window.state])).toEqual([[acme.silvaChat, 'closed']]);
    });

    it('says "not visible to you" for a record Pipedrive hides from the viewer', async () => {
      const privateDeal = demo().deals[2];
      const response = await as(pd.users.sam, 'GET', `/api/panel/context?resource=deal&id=${privateDeal?.id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'chats.record_not_visible' } });
      expect(response.body).not.toContain('Private hello');
    });

    it('explains the viewer’s state instead of data: personal not connected, reauth, org not connected, no channel', async () => {
      const url = `/api/panel/context?resource=deal&id=${demo().deals[0]?.id}`;
      expect((await as(pd.users.rita, 'GET', url)).json()).toMatchObject({ state: 'personal_not_connected' });

      const { db } = testApp.database;
      const sam = and(
        eq(connections.companyId, pd.users.sam.companyId),
        eq(connections.pipedriveUserId, pd.users.sam.userId),
      );
      await db.update(connections).set({ state: 'reauth_required' }).where(sam);
      try {
        expect((await as(pd.users.sam, 'GET', url)).json()).toMatchObject({ state: 'reauth_required' });
      } finally {
        await db.update(connections).set({ state: 'active' }).where(sam);
      }

      const stranger = { companyId: 987654, userId: 1, name: 'Nobody', email: 'n@x.test' };
      expect((await as(stranger, 'GET', url)).json()).toMatchObject({ state: 'org_not_connected' });

      await db.update(channels).set({ status: 'disabled' }).where(eq(channels.id, acme.channelId));
      try {
        const response = await as(pd.users.sam, 'GET', url);
        expect(response.json()).toMatchObject({ state: 'no_channel', message: expect.stringContaining('WhatsApp') });
      } finally {
        await db.update(channels).set({ status: 'active' }).where(eq(channels.id, acme.channelId));
      }
    });

    it('rejects malformed queries with a clear 400', async () => {
      for (const query of ['resource=org&id=1', 'resource=deal&id=abc', 'resource=deal', 'resource=deal&id=0']) {
        const response = await as(pd.users.sam, 'GET', `/api/panel/context?${query}`);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ error: { code: 'request.invalid' } });
      }
    });
  });

  describe('messages', () => {
    it('pages from the newest backwards, each page oldest first, until the beginning', async () => {
      const seen: string[] = [];
      let before: string | null = null;
      let pages = 0;
      do {
        const query: string = before === null ? '' : `&before=${encodeURIComponent(before)}`;
        const response = await as(pd.users.sam, 'GET', `/api/panel/chats/${acme.mariaChat}/messages?limit=20${query}`);
        expect(response.statusCode).toBe(200);
        const page: MessagesPage = response.json<MessagesPage>();
        const times = page.messages.map((message) => Date.parse(message.sentAt));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        seen.unshift(...page.messages.map((message) => message.body ?? ''));
        before = page.nextBefore;
        pages += 1;
      } while (before !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => `Maria message ${i}`));
    });

    it('rejects a tampered cursor and a bad limit with 400', async () => {
      const bad = await as(pd.users.sam, 'GET', `/api/panel/chats/${acme.mariaChat}/messages?before=bm9wZQ`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: { code: 'chats.cursor_invalid' } });
      const limit = await as(pd.users.sam, 'GET', `/api/panel/chats/${acme.mariaChat}/messages?limit=1000`);
      expect(limit.statusCode).toBe(400);
      const notUuid = await as(pd.users.sam, 'GET', `/api/panel/chats/not-a-uuid/messages`);
      expect(notUuid.statusCode).toBe(400);
    });
  });

  describe('inbox and read marks', () => {
    it('lists the company’s chats with unread counts and searches name, number and message text', async () => {
      const inbox = (await as(pd.users.sam, 'GET', '/api/panel/inbox')).json<InboxResponse>();
      expect(inbox.chats.map((chat) => chat.id)).toEqual([acme.mariaChat, acme.silvaChat]);
      expect(inbox.chats[0]).toMatchObject({ unread: 4, lastMessage: { body: 'Maria message 44' } });
      expect(inbox.unreadTotal).toBe(5);

      const search = async (q: string) =>
        (await as(pd.users.sam, 'GET', `/api/panel/inbox?q=${encodeURIComponent(q)}`))
          .json<InboxResponse>()
          .chats.map((chat) => chat.id);
      expect(await search('maria')).toEqual([acme.mariaChat]);
      expect(await search('+55 11')).toEqual([acme.silvaChat]);
      expect(await search('private hel')).toEqual([acme.silvaChat]);
      expect(await search('100%')).toEqual([]);
    });

    it('marks inbound messages read once, records a chat.read event, and leaves outbound statuses alone', async () => {
      const before = await testApp.database.db.select().from(events).where(eq(events.workspaceId, acme.workspaceId));
      const first = await as(pd.users.sam, 'POST', `/api/panel/chats/${acme.mariaChat}/read`);
      expect(first.json()).toEqual({ marked: 4 });
      expect((await as(pd.users.sam, 'POST', `/api/panel/chats/${acme.mariaChat}/read`)).json()).toEqual({ marked: 0 });
      const after = await testApp.database.db.select().from(events).where(eq(events.workspaceId, acme.workspaceId));
      expect(after.length - before.length).toBe(1);
      expect(after.at(-1)).toMatchObject({ type: 'chat.read', payload: { chatId: acme.mariaChat } });
      const outbound = await testApp.database.db
        .select({ status: messages.status })
        .from(messages)
        .where(and(eq(messages.chatId, acme.mariaChat), eq(messages.direction, 'outbound')));
      expect(new Set(outbound.map((row) => row.status))).toEqual(new Set(['delivered']));
      const inbox = (await as(pd.users.sam, 'GET', '/api/panel/inbox')).json<InboxResponse>();
      expect(inbox.chats.find((chat) => chat.id === acme.mariaChat)?.unread).toBe(0);
    });
  });

  /**
   * T1: a valid token for company A with company B's ids anywhere (path, query, body) never reaches
   * B's data. Generated over every live-chat panel route, with B's ids in every place they can go.
   */
  describe('tenant isolation (T1)', () => {
    const routes = (): { method: 'GET' | 'POST'; url: string; body?: object }[] => {
      const b = globex;
      const company = `companyId=${pd.users.gina.companyId}&userId=${pd.users.gina.userId}`;
      const bodyIds = { companyId: pd.users.gina.companyId, userId: pd.users.gina.userId, chatId: b.chatId };
      return [
        { method: 'GET', url: `/api/panel/context?resource=deal&id=${b.dealId}` },
        { method: 'GET', url: `/api/panel/context?resource=person&id=${b.personId}` },
        { method: 'GET', url: `/api/panel/context?resource=deal&id=${b.dealId}&${company}` },
        { method: 'GET', url: `/api/panel/chats/${b.chatId}/messages` },
        { method: 'GET', url: `/api/panel/chats/${b.chatId}/messages?${company}` },
        { method: 'GET', url: `/api/panel/chats/${acme.mariaChat}/messages?${company}` },
        { method: 'POST', url: `/api/panel/chats/${b.chatId}/read` },
        { method: 'POST', url: `/api/panel/chats/${b.chatId}/read`, body: bodyIds },
        { method: 'POST', url: `/api/panel/chats/${acme.mariaChat}/read`, body: bodyIds },
        { method: 'GET', url: `/api/panel/inbox?q=Hank` },
        { method: 'GET', url: `/api/panel/inbox?q=GLOBEX-SECRET` },
        { method: 'GET', url: `/api/panel/inbox?${company}` },
        { method: 'POST', url: `/api/panel/events-ticket`, body: bodyIds },
        { method: 'POST', url: `/api/panel/events-ticket?${company}` },
      ];
    };
    const markersOfB = () => [
      globex.chatId,
      globex.channelId,
      'Hank',
      'GLOBEX-SECRET',
      'Globex',
      'globex_secret_template',
      '+12125550199',
    ];

    it('never returns company B’s data to company A, wherever B’s ids are put', async () => {
      // Control: the markers are what B itself sees, so their absence below means something.
      const own = await as(pd.users.gina, 'GET', `/api/panel/chats/${globex.chatId}/messages`);
      expect(own.body).toContain('GLOBEX-SECRET');
      expect((await as(pd.users.gina, 'GET', '/api/panel/inbox')).body).toContain('Hank');
      for (const route of routes()) {
        const response = await as(pd.users.sam, route.method, route.url, route.body);
        expect({ route: route.url, allowed: [200, 400, 404].includes(response.statusCode) }).toEqual({
          route: route.url,
          allowed: true,
        });
        for (const marker of markersOfB())
          expect({ route: route.url, body: response.body }).not.toEqual({
            route: route.url,
            body: expect.stringContaining(marker),
          });
      }
      // B's unread message is still unread: A's read marks never reached it.
      const [hankMessage] = await testApp.database.db
        .select({ status: messages.status })
        .from(messages)
        .where(eq(messages.chatId, globex.chatId));
      expect(hankMessage?.status).toBe('received');
    });

    it('refuses every route without a valid token (missing, alg none) with 401', async () => {
      const none = new UnsecuredJWT({ companyId: pd.users.gina.companyId, userId: pd.users.gina.userId })
        .setExpirationTime('5m')
        .encode();
      for (const route of routes()) {
        for (const headers of [{}, bearer(none)]) {
          const response = await testApp.app.inject({
            method: route.method,
            url: route.url,
            headers,
            ...(route.body === undefined ? {} : { payload: route.body }),
          });
          expect({ route: route.url, status: response.statusCode }).toEqual({ route: route.url, status: 401 });
        }
      }
    });
  });
});
