import { eq } from 'drizzle-orm';
import type { Pool } from 'pg';
import { connectCompany, startTestWorkers } from './connected-company.ts';
import { startSandboxedTestApp } from './pipedrive-sandbox.ts';
import type { TestAppOptions } from './test-app.ts';
import { waitFor } from './wait-for.ts';
import type { Db } from '../../server/db/client.ts';
import { channels, chats, companies, contacts, messages } from '../../server/db/schema/index.ts';
import type { JobQueue } from '../../server/jobs/job-queue.ts';
import { syncChatQueue } from '../../server/jobs/queues.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import type { SyncSettingsService } from '../../server/services/settings/sync-settings.ts';

/**
 * WhatsApp rows seeded straight into the database, as ingestion would leave them, for the sync
 * engine's tests: a channel, a contact, a chat linked to Pipedrive records, and its messages.
 */
export async function workspaceOf(db: Db, companyId: number): Promise<string> {
  const [company] = await db.select().from(companies).where(eq(companies.id, companyId));
  if (company?.workspaceId == null) throw new Error(`company ${companyId} has no workspace`);
  return company.workspaceId;
}

export interface SeededChat {
  chatId: string;
  workspaceId: string;
  channelId: string;
}

let sequence = 0;

export async function seedChat(
  db: Db,
  input: {
    workspaceId: string;
    personId: number | null;
    dealId?: number | null;
    leadId?: string | null;
    profileName?: string;
    e164?: string;
  },
): Promise<SeededChat> {
  sequence += 1;
  const [channel] = await db
    .insert(channels)
    .values({
      workspaceId: input.workspaceId,
      provider: 'whatsapp_cloud',
      displayName: 'Acme Sales',
      phoneNumber: '+34910000000',
      externalId: `pn-${sequence}-${Date.now()}`,
      credentialsCiphertext: 'not used by the sync engine',
    })
    .returning();
  const [contact] = await db
    .insert(contacts)
    .values({
      workspaceId: input.workspaceId,
      e164: input.e164 ?? `+3460011${String(sequence).padStart(4, '0')}`,
      profileName: input.profileName ?? 'Carla Customer',
    })
    .returning();
  if (channel === undefined || contact === undefined) throw new Error('seed failed');
  const [chat] = await db
    .insert(chats)
    .values({
      workspaceId: input.workspaceId,
      channelId: channel.id,
      contactId: contact.id,
      personId: input.personId,
      dealId: input.dealId ?? null,
      leadId: input.leadId ?? null,
    })
    .returning();
  if (chat === undefined) throw new Error('seed failed');
  return { chatId: chat.id, workspaceId: input.workspaceId, channelId: channel.id };
}

export type MessageInput = Partial<typeof messages.$inferInsert>;

/** Stores a message (inbound text by default) the way ingestion does: row, then `sync.chat` job. */
export async function addMessage(
  db: Db,
  jobs: JobQueue | undefined,
  chat: SeededChat,
  input: MessageInput = {},
): Promise<typeof messages.$inferSelect> {
  sequence += 1;
  const [row] = await db
    .insert(messages)
    .values({
      workspaceId: chat.workspaceId,
      chatId: chat.chatId,
      channelId: chat.channelId,
      providerMessageId: `wamid.${sequence}.${Date.now()}`,
      direction: 'inbound',
      type: 'text',
      body: `message ${sequence}`,
      status: 'received',
      sentAt: new Date(),
      ...input,
    })
    .returning();
  if (row === undefined) throw new Error('insert failed');
  if (jobs !== undefined) await jobs.send(syncChatQueue, { chatId: chat.chatId });
  return row;
}

/** The sandbox's notes that carry this chat's transcript marker. */
export function transcriptNotes(sandbox: Sandbox, chatId: string) {
  return [...sandbox.pipedrive.state.notes.values()].filter((note) => note.content.includes(`parley:${chatId}:`));
}

/** Note writes (creates and updates) the sandbox answered with success. */
export function noteWrites(sandbox: Sandbox, companyId?: number) {
  return sandbox.pipedrive.state.apiCalls.filter(
    (call) =>
      (call.endpoint === 'POST /api/v1/notes' || call.endpoint === 'PUT /api/v1/notes/:id') &&
      call.status < 300 &&
      (companyId === undefined || call.companyId === companyId),
  );
}

/** `waitFor` with room for sync jobs on a loaded machine (retries with backoff take seconds). */
export const eventually: typeof waitFor = (condition, options = {}) =>
  waitFor(condition, { timeoutMs: 30_000, ...options });

/**
 * For tests that watch each rewrite of a note: the company rewrites it as messages arrive (its
 * default waits 30 s between rewrites of an active chat; transcripts.test.ts covers that).
 */
export async function rewriteAsMessagesArrive(settings: SyncSettingsService, companyId: number) {
  await settings.save(companyId, { ...(await settings.get(companyId)), timelineUpdateIntervalSeconds: 0 }, null);
}

/**
 * Parley against a sandbox Pipedrive of its own, with the demo company connected by Ada, the real
 * job handlers running, and one chat linked to the demo's first person and deal.
 */
export async function startSyncHarness(options: Omit<TestAppOptions, 'config'> = {}) {
  const h = await startSandboxedTestApp(options);
  const { admin } = await connectCompany(h.testApp, h.pd.consent());
  const workers = await startTestWorkers(h.testApp);
  const demo = h.pd.sandbox.pipedrive.seed.demo;
  const [person, deal] = [demo.persons[0], demo.deals[0]];
  if (person === undefined || deal === undefined) throw new Error('the sandbox seed changed');
  await rewriteAsMessagesArrive(h.testApp.domain.syncSettings, demo.company.id);
  const db = h.testApp.database.db;
  const chat = await seedChat(db, {
    workspaceId: await workspaceOf(db, demo.company.id),
    personId: person.id,
    dealId: deal.id,
  });
  return {
    ...h,
    db,
    admin,
    workers,
    demo,
    person,
    deal,
    chat,
    async close() {
      await workers.stop();
      await h.close();
    },
  };
}

export type SyncHarness = Awaited<ReturnType<typeof startSyncHarness>>;

/** pg-boss's own rows for the `sync.chat` queue, oldest first. */
export async function syncJobs(pool: Pool) {
  const result = await pool.query<{ state: string; retry_count: number; start_after: Date; data: { chatId: string } }>(
    "select state, retry_count, start_after, data from pgboss.job where name = 'sync.chat' order by created_on",
  );
  return result.rows;
}
