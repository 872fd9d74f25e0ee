import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { channels, chats, companies, contacts, messages, templates } from '../../server/db/schema/index.ts';
import type { EventBus } from '../../server/services/events/event-bus.ts';
import { appendEvent } from '../../server/services/events/event-log.ts';
import { announcePanelEvent } from '../../server/services/live/panel-events.ts';
import { connectCompany } from './connected-company.ts';
import type { PipedriveSandbox, PipedriveUser } from './pipedrive-sandbox.ts';
import type { TestApp } from './test-app.ts';

/** Connects both sandbox companies: Acme (Ada installs, Sam connects for himself) and Globex (Gina). */
export async function connectAcmeAndGlobex(testApp: TestApp, pd: PipedriveSandbox, acmeUsers: PipedriveUser[]) {
  await connectCompany(testApp, pd.consent(acmeUsers));
  await connectCompany(testApp, { ...pd.consent(), admin: pd.users.gina });
}

export async function workspaceOfCompany(db: Db, companyId: number): Promise<string> {
  const [row] = await db
    .select({ workspaceId: companies.workspaceId })
    .from(companies)
    .where(eq(companies.id, companyId));
  if (row?.workspaceId == null) throw new Error(`company ${companyId} has no workspace`);
  return row.workspaceId;
}

export interface SeededMessage {
  direction: 'inbound' | 'outbound';
  type?: string;
  body?: string | null;
  media?: Record<string, unknown>;
  context?: Record<string, unknown>;
  status?: 'received' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  error?: { code: number; title: string; detail?: string };
  sentAt: Date;
}

let sequence = 0;

/** A WhatsApp channel of the workspace, as whatsapp-channels would store it (credentials are not used here). */
export async function seedChannel(db: Db, workspaceId: string, name = 'Sales line', phoneNumber = '+15550001111') {
  sequence += 1;
  const [channel] = await db
    .insert(channels)
    .values({
      workspaceId,
      provider: 'whatsapp_cloud',
      displayName: name,
      phoneNumber,
      externalId: `phone-${sequence}-${Date.now()}`,
      credentialsCiphertext: 'not-used-by-the-panel',
    })
    .returning();
  if (channel === undefined) throw new Error('no channel');
  return channel;
}

export async function seedTemplate(db: Db, channelId: string, name: string, bodyText: string, status = 'APPROVED') {
  await db.insert(templates).values({
    channelId,
    name,
    language: 'en_US',
    status,
    category: 'UTILITY',
    components: [{ type: 'BODY', text: bodyText }],
  });
}

/** A contact, its chat on the channel linked to a Pipedrive person/deal, and its messages. */
export async function seedChat(
  db: Db,
  input: {
    workspaceId: string;
    channelId: string;
    contactName: string;
    e164: string;
    personId?: number | null;
    dealId?: number | null;
    leadId?: string | null;
    messages?: SeededMessage[];
  },
) {
  const [contact] = await db
    .insert(contacts)
    .values({
      workspaceId: input.workspaceId,
      e164: input.e164,
      waId: input.e164.slice(1),
      profileName: input.contactName,
    })
    .returning();
  if (contact === undefined) throw new Error('no contact');
  const list = input.messages ?? [];
  const inbound = list.filter((m) => m.direction === 'inbound').map((m) => m.sentAt.getTime());
  const all = list.map((m) => m.sentAt.getTime());
  const [chat] = await db
    .insert(chats)
    .values({
      workspaceId: input.workspaceId,
      channelId: input.channelId,
      contactId: contact.id,
      personId: input.personId ?? null,
      dealId: input.dealId ?? null,
      leadId: input.leadId ?? null,
      lastInboundAt: inbound.length === 0 ? null : new Date(Math.max(...inbound)),
      lastMessageAt: all.length === 0 ? null : new Date(Math.max(...all)),
    })
    .returning();
  if (chat === undefined) throw new Error('no chat');
  const rows = await addMessages(
    db,
    { workspaceId: input.workspaceId, channelId: input.channelId, chatId: chat.id },
    list,
  );
  return { contact, chat, messages: rows };
}

/** Stores messages in a chat and moves the chat's last-message times, as the WhatsApp pipeline does. */
export async function addMessages(
  db: Db,
  chat: { workspaceId: string; channelId: string; chatId: string },
  list: SeededMessage[],
) {
  if (list.length === 0) return [];
  const rows = await db
    .insert(messages)
    .values(
      list.map((m) => {
        sequence += 1;
        return {
          workspaceId: chat.workspaceId,
          chatId: chat.chatId,
          channelId: chat.channelId,
          providerMessageId: `wamid.test-${sequence}-${Date.now()}`,
          direction: m.direction,
          type: m.type ?? 'text',
          body: m.body === undefined ? `message ${sequence}` : m.body,
          media: m.media ?? null,
          context: m.context ?? null,
          status: m.status ?? (m.direction === 'inbound' ? 'received' : 'sent'),
          error: m.error ?? null,
          sentAt: m.sentAt,
        };
      }),
    )
    .returning();
  const latest = (direction?: 'inbound') =>
    list
      .filter((m) => direction === undefined || m.direction === direction)
      .reduce<Date | undefined>((max, m) => (max === undefined || m.sentAt > max ? m.sentAt : max), undefined);
  const lastInbound = latest('inbound');
  await db
    .update(chats)
    .set({
      lastMessageAt: sql`greatest(${chats.lastMessageAt}, ${latest()?.toISOString()}::timestamptz)`,
      ...(lastInbound === undefined
        ? {}
        : { lastInboundAt: sql`greatest(${chats.lastInboundAt}, ${lastInbound.toISOString()}::timestamptz)` }),
    })
    .where(eq(chats.id, chat.chatId));
  return rows;
}

/** What the WhatsApp pipeline does after storing a change: an event row, then a bus notice after commit. */
export async function emitPanelEvent(
  db: Db,
  bus: EventBus,
  workspaceId: string,
  type: string,
  payload: Record<string, unknown>,
): Promise<number> {
  const seq = await db.transaction((tx) => appendEvent(tx, { workspaceId, type, payload }));
  await announcePanelEvent(bus, workspaceId, seq);
  return seq;
}

export interface ReceivedEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/**
 * A Server-Sent Events client over fetch (Node has no EventSource): collects events and comment
 * lines, and resolves when the server ends the stream.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  const ended = (async () => {
    if (response.body === null || !response.ok) return;
    const decoder = new TextDecoder();
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let split = buffer.indexOf('\n\n');
        while (split !== -1) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event: ReceivedEvent = { id: undefined, event: undefined, data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              event.data += line.slice(6);
              isEvent = true;
            }
          }
          if (isEvent) events.push(event);
          split = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    status: response.status,
    response,
    events,
    comments,
    ended,
    /** The `data` of each event, parsed. */
    payloads: () =>
      events.filter((e) => e.event === undefined).map((e) => JSON.parse(e.data) as Record<string, unknown>),
    async close() {
      controller.abort();
      await ended;
    },
  };
}

const HOUR = 60 * 60 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms);

/**
 * The live-chat fixture: Acme has a channel with an approved and a pending template, Maria's chat
 * (45 messages, 4 unread, last inbound 2 h ago) and Lucas Silva's chat (private person, window
 * closed); Globex has its own channel, template and Hank's chat with one unread secret.
 */
export async function seedAcmeAndGlobexChats(testApp: TestApp, pd: PipedriveSandbox) {
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
  const acme = {
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
  const globex = {
    workspaceId: globexWorkspace,
    channelId: globexChannel.id,
    chatId: hankChat.chat.id,
    personId: hank.id,
    dealId: hankDeal.id,
  };
  return { acme, globex };
}

export type SeededChats = Awaited<ReturnType<typeof seedAcmeAndGlobexChats>>;
