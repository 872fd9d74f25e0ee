import { asc, eq, inArray } from 'drizzle-orm';
import { events, inboxEvents, messages } from '../../../server/db/schema/index.ts';
import type { ChannelView } from '../../../server/services/whatsapp/channels.service.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import {
  metaJson,
  notification,
  notificationOf,
  startWhatsAppParley,
  webhookChange,
  type WhatsAppParley,
} from '../../helpers/whatsapp-parley.ts';
import { waitFor } from '../../helpers/wait-for.ts';

// Starting a sandbox and a listening Parley with its database takes a while on a loaded machine.
jest.setTimeout(90_000);

let parley: WhatsAppParley;
let acme: SandboxBusinessNumber;
let channel: ChannelView;

beforeAll(async () => {
  // No workers: the test hands the stored rows to the processor as a worker's fetched batch.
  parley = await startWhatsAppParley({ workers: false });
  acme = parley.sandbox.whatsapp.numbers[0] as SandboxBusinessNumber;
  channel = await parley.addNumber(await parley.installCompany(parley.pd.users.ada), acme);
}, 120_000);
afterAll(() => parley.close());

const metadata = () => ({ display_phone_number: acme.displayPhoneNumber, phone_number_id: acme.phoneNumberId });
const now = () => String(Math.floor(Date.now() / 1000));

async function post(body: unknown): Promise<void> {
  const response = await parley.postSigned(channel.id, metaJson(body), acme.appSecret);
  expect(response.statusCode).toBe(200);
}
const inbound = (wamid: string, waId: string, text: string, timestamp = now()) =>
  post(
    notification(acme.wabaId, {
      metadata: metadata(),
      contacts: [{ profile: { name: `Customer ${waId}` }, wa_id: waId }],
      messages: [{ from: waId, id: wamid, timestamp, type: 'text', text: { body: text } }],
    }),
  );
/** What the business typed in the WhatsApp Business app, then Meta's delivery report for it: one webhook. */
const echoThenStatus = (wamid: string, waId: string, text: string) =>
  post(
    notificationOf(acme.wabaId, [
      webhookChange('smb_message_echoes', {
        metadata: metadata(),
        message_echoes: [
          { from: acme.displayPhoneNumber, to: waId, id: wamid, timestamp: now(), type: 'text', text: { body: text } },
        ],
      }),
      webhookChange('messages', {
        metadata: metadata(),
        statuses: [{ id: wamid, status: 'delivered', timestamp: now(), recipient_id: waId }],
      }),
    ]),
  );

/** The unprocessed inbox rows of each webhook, as the jobs the webhook route enqueued carry them. */
async function pendingJobs(): Promise<number[][]> {
  const result = await parley.testApp.database.pool.query<{ ids: number[] }>(
    `select array(select jsonb_array_elements_text(data->'inboxIds')::bigint) as ids
       from pgboss.job where name = 'whatsapp.process-inbox' and state = 'created' order by created_on, id`,
  );
  return result.rows.map((row) => row.ids.map(Number));
}

describe('the inbox processes a worker’s batch of jobs together', () => {
  it('in one transaction when it can; a row that cannot be stored fails its own job only, nothing twice', async () => {
    const stamp = Date.now();
    const wamid = (name: string) => `wamid.batch-${name}-${stamp}`;
    await inbound(wamid('first'), '34600000001', 'first');
    await echoThenStatus(wamid('echo'), '34600000001', 'reply typed on the phone');
    // A timestamp no date can hold: the message cannot be stored (a poison row).
    await inbound(wamid('poison'), '34600000002', 'poison', '1000000000000000');
    await inbound(wamid('new-customer'), '34600000003', 'a customer not seen before');
    const jobs = await pendingJobs();
    expect(jobs.map((ids) => ids.length)).toEqual([1, 2, 1, 1]);

    const outcomes = await parley.testApp.domain.inbox.processJobs(jobs);
    expect(outcomes.map((outcome) => outcome === undefined)).toEqual([true, true, false, true]);

    const stored = await parley.db
      .select()
      .from(messages)
      .where(inArray(messages.providerMessageId, ['first', 'echo', 'poison', 'new-customer'].map(wamid)));
    const byWamid = new Map(stored.map((row) => [row.providerMessageId, row]));
    expect([...byWamid.keys()].sort()).toEqual(['echo', 'first', 'new-customer'].map(wamid).sort());
    // The status came after its message in the same batch and found it.
    expect(byWamid.get(wamid('echo'))).toMatchObject({ direction: 'outbound', status: 'delivered' });

    const poisonRow = jobs[2]?.[0] ?? 0;
    const [failed] = await parley.db.select().from(inboxEvents).where(eq(inboxEvents.id, poisonRow));
    expect(failed).toMatchObject({ processedAt: null });
    expect(failed?.lastError).toEqual(expect.any(String));

    // One event per change, in the order of the webhooks, none twice (the batch that failed wrote none).
    const workspaceId = stored[0]?.workspaceId ?? '';
    const workspaceEvents = await parley.db
      .select()
      .from(events)
      .where(eq(events.workspaceId, workspaceId))
      .orderBy(asc(events.seq));
    const ours = workspaceEvents
      .map((event) => ({ type: event.type, messageId: (event.payload as { messageId?: string }).messageId }))
      .filter((event) => stored.some((row) => row.id === event.messageId));
    const id = (name: string) => byWamid.get(wamid(name))?.id;
    expect(ours).toEqual([
      { type: 'message.created', messageId: id('first') },
      { type: 'message.created', messageId: id('echo') },
      { type: 'message.status', messageId: id('echo') },
      { type: 'message.created', messageId: id('new-customer') },
    ]);

    // Processing the same jobs again (a retry) changes nothing; the poison row still fails.
    const again = await parley.testApp.domain.inbox.processJobs(jobs);
    expect(again.map((outcome) => outcome === undefined)).toEqual([true, true, false, true]);
    expect(await parley.db.select().from(events).where(eq(events.workspaceId, workspaceId))).toHaveLength(
      workspaceEvents.length,
    );
  });
});

describe('rows handed off by the process that committed them (inbox-handoff.ts)', () => {
  /** A transaction of this database waits for a lock right now. */
  const waitingForRowLock = async () => {
    const result = await parley.testApp.database.pool.query<{ count: string }>(
      `select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return Number(result.rows[0]?.count) > 0;
  };

  it('are processed at once; their jobs then change nothing; a failing row is left to its job', async () => {
    const { inboxHandoff, inbox } = parley.testApp.domain;
    const stamp = Date.now();
    const wamid = (name: string) => `wamid.handoff-${name}-${stamp}`;
    const before = await pendingJobs();
    inboxHandoff.start();
    try {
      await inbound(wamid('quick'), '34600000011', 'processed by the process that stored it');
      await inbound(wamid('poison'), '34600000012', 'poison', '1000000000000000');
      const stored = () =>
        parley.db
          .select()
          .from(messages)
          .where(eq(messages.providerMessageId, wamid('quick')));
      await waitFor(async () => (await stored()).length === 1, { message: 'the handed-off row processed' });
      const jobs = (await pendingJobs()).slice(before.length);
      expect(jobs).toHaveLength(2);
      const [quickRow] = await parley.db
        .select()
        .from(inboxEvents)
        .where(eq(inboxEvents.id, jobs[0]?.[0] ?? 0));
      expect(quickRow?.processedAt).toEqual(expect.any(Date));
      const [message] = await stored();
      const eventsOf = () =>
        parley.db
          .select()
          .from(events)
          .where(eq(events.workspaceId, message?.workspaceId ?? ''));
      const eventCount = (await eventsOf()).length;

      // The handoff failed on the poison row and left it as it was: unprocessed, no attempt counted.
      await inboxHandoff.stop();
      const [poisonRow] = await parley.db
        .select()
        .from(inboxEvents)
        .where(eq(inboxEvents.id, jobs[1]?.[0] ?? 0));
      expect(poisonRow).toMatchObject({ processedAt: null, attempts: 0, lastError: null });

      // The jobs run as they would have: the processed row is not processed again, the poison row fails its job.
      const outcomes = await inbox.processJobs(jobs);
      expect(outcomes.map((outcome) => outcome === undefined)).toEqual([true, false]);
      expect(await stored()).toHaveLength(1);
      expect(await eventsOf()).toHaveLength(eventCount);
    } finally {
      await inboxHandoff.stop();
    }
  });

  it('skips a row another transaction holds, and that row’s job waits for it instead of finishing with it unprocessed', async () => {
    const { inbox } = parley.testApp.domain;
    const stamp = Date.now();
    const wamid = `wamid.handoff-held-${stamp}`;
    const before = await pendingJobs();
    await inbound(wamid, '34600000013', 'held by another transaction');
    const [job] = (await pendingJobs()).slice(before.length);
    const [inboxId] = job ?? [];
    const stored = () => parley.db.select().from(messages).where(eq(messages.providerMessageId, wamid));

    // Another transaction holds the row (e.g. a handoff still writing it, which then rolls back).
    const holder = await parley.testApp.database.pool.connect();
    try {
      await holder.query('begin');
      await holder.query('select id from inbox_events where id = $1 for update', [inboxId]);
      await inbox.processHandedOff([inboxId ?? 0]);
      expect(await stored()).toHaveLength(0);

      const processing = inbox.processJobs([[inboxId ?? 0]]);
      await waitFor(waitingForRowLock, { message: 'the job waits for the held row' });
      await holder.query('rollback');
      expect(await processing).toEqual([undefined]);
    } finally {
      holder.release();
    }
    expect(await stored()).toHaveLength(1);
  });
});
