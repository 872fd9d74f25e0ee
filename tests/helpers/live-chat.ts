import { eq } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { channels, chats, companies, contacts, messages, templates } from '../../server/db/schema/index.ts';
import type { EventBus } from '../../server/services/events/event-bus.ts';
import { announcePanelEvent, appendPanelEvent } from '../../server/services/live/panel-events.ts';
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

export async function addMessages(
  db: Db,
  chat: { workspaceId: string; channelId: string; chatId: string },
  list: SeededMessage[],
) {
  if (list.length === 0) return [];
  return db
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
}

/** What the WhatsApp pipeline does after storing a change: an event row, then a bus notice after commit. */
export async function emitPanelEvent(
  db: Db,
  bus: EventBus,
  workspaceId: string,
  type: string,
  payload: Record<string, unknown>,
): Promise<number> {
  const seq = await appendPanelEvent(db, { workspaceId, type, payload });
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
