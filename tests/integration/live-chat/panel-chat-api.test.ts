import { and, eq } from 'drizzle-orm';
import type { InboxResponse, MessagesPage, PanelContextResponse } from '../../../contracts/panel-chat.ts';
import { channels, connections, events, messages } from '../../../server/db/schema/index.ts';
import { connectAcmeAndGlobex, seedAcmeAndGlobexChats, type SeededChats } from '../../helpers/live-chat.ts';
import { panelRequest } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

const HOUR = 60 * 60 * 1000;

describe('live-chat panel API', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let acme: SeededChats['acme'];

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    await connectAcmeAndGlobex(testApp, pd, [pd.users.sam]);
    ({ acme } = await seedAcmeAndGlobexChats(testApp, pd));
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const as = (user: PipedriveUser, method: 'GET' | 'POST', url: string, payload?: object) =>
    panelRequest(testApp, user, method, url, payload);
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

    it('says where the panels’ live streams start: after the workspace’s newest event when they read', async () => {
      const url = `/api/panel/context?resource=deal&id=${demo().deals[0]?.id}`;
      const [newest] = await testApp.database.db
        .insert(events)
        .values({ workspaceId: acme.workspaceId, companyId: pd.users.sam.companyId, type: 'chat.read', payload: {} })
        .returning({ seq: events.seq });
      const context = (await as(pd.users.sam, 'GET', url)).json<PanelContextResponse>();
      if (context.state !== 'ready') throw new Error(`state ${context.state}`);
      // Streaming with it as Last-Event-ID replays any event written after this read, not before.
      expect(context.liveFrom).toBe(newest?.seq);
      // The inbox says the same of its list.
      expect((await as(pd.users.sam, 'GET', '/api/panel/inbox')).json<InboxResponse>().liveFrom).toBe(newest?.seq);
    });

    it('carries the first chat’s newest page when asked (firstMessages), as the messages route answers it', async () => {
      const url = `/api/panel/context?resource=deal&id=${demo().deals[0]?.id}`;
      const plain = (await as(pd.users.sam, 'GET', url)).json<PanelContextResponse>();
      expect(plain).not.toHaveProperty('firstPage');

      const response = await as(pd.users.sam, 'GET', `${url}&firstMessages=20`);
      expect(response.statusCode).toBe(200);
      const context = response.json<PanelContextResponse>();
      if (context.state !== 'ready') throw new Error(`state ${context.state}`);
      const alone = await as(pd.users.sam, 'GET', `/api/panel/chats/${acme.mariaChat}/messages?limit=20`);
      expect(context.firstPage).toEqual(alone.json<MessagesPage>());
      expect(context.firstPage?.messages.at(-1)?.body).toBe('Maria message 44');

      // A viewer who may not chat gets the state only, never messages.
      const blocked = await as(pd.users.rita, 'GET', `${url}&firstMessages=20`);
      expect(blocked.json()).toEqual(expect.objectContaining({ state: 'personal_not_connected' }));
      expect(blocked.body).not.toContain('Maria message');
      for (const bad of ['0', '101', 'x']) {
        expect((await as(pd.users.sam, 'GET', `${url}&firstMessages=${bad}`)).statusCode).toBe(400);
      }
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
});
