import type pg from 'pg';
import type { Sandbox } from '../sandbox/index.ts';

/** One customer writing to one business number: a chat. */
export interface ChaosChat {
  index: number;
  waId: string;
  name: string;
  phoneNumberId: string;
  /** The Pipedrive company behind the business number. */
  companyId: number;
}

/** Every customer message carries one token like this, unique in the run, so a note line can be counted. */
export const messageToken = (sequence: number): string => `chaos-m${String(sequence).padStart(6, '0')}`;
const TOKEN_PATTERN = /chaos-m\d{6}/g;
const MARKER_PATTERN = /parley:[0-9a-f-]{36}:\d{4}-\d{2}-\d{2}\/part-\d+/g;

export interface Verification {
  /** Inbound messages in the sandbox's own record (what the customers sent). */
  sent: number;
  /** Sent messages with exactly one row in Parley's `messages`. */
  storedOnce: number;
  /** Sent messages with no row. */
  notStored: number;
  /** Of those, how many Parley acknowledged (in the inbox) but has not processed yet: late, not lost. */
  notStoredButQueued: number;
  /** Sent messages with more than one row. */
  storedTwice: number;
  /** Sent messages whose token appears in exactly one note line of their company. */
  inOneNoteLine: number;
  /** Sent messages in no note (not yet written, or lost). */
  missingFromNotes: number;
  /** Sent messages appearing more than once across their company's notes. */
  duplicatedInNotes: number;
  /** Customers with no person, or with more than one, holding their number in their company. */
  personsMissing: number;
  personsDuplicated: number;
  /** Persons with no open deal, or with more than one. */
  dealsMissing: number;
  dealsDuplicated: number;
  /** Transcript markers (chat, day, part) carried by more than one note. */
  notesDuplicated: number;
  /** Work not finished: inbox rows not processed, `sync_effects` still pending, messages not `received`. */
  inboxUnprocessed: number;
  effectsPending: number;
  statusesNotFinal: number;
  /** Jobs of the message path still queued, retrying or running; dead letters. */
  jobsPending: number;
  deadLetters: number;
  /** Short examples of what is wrong, for the report. */
  problems: string[];
}

export const isClean = (v: Verification): boolean =>
  v.sent > 0 &&
  v.storedOnce === v.sent &&
  v.inOneNoteLine === v.sent &&
  v.personsMissing + v.personsDuplicated + v.dealsMissing + v.dealsDuplicated + v.notesDuplicated === 0 &&
  v.inboxUnprocessed + v.effectsPending + v.statusesNotFinal + v.jobsPending + v.deadLetters === 0;

const digits = (value: string): string => value.replace(/\D/g, '');

/**
 * Compares what the sandbox says the customers sent with what Parley stored and what the sandbox's
 * Pipedrive holds: every message stored once and in exactly one note line, one person per customer,
 * one open deal per person, one note per transcript part, and nothing left in flight.
 */
export async function verify(sandbox: Sandbox, pool: pg.Pool, chats: ChaosChat[]): Promise<Verification> {
  const problems: string[] = [];
  const note = (text: string) => {
    if (problems.length < 12) problems.push(text);
  };

  const sentTokens = new Map<string, { wamid: string; chat: ChaosChat }>();
  for (const chat of chats) {
    for (const message of sandbox.whatsapp.conversation({ customer: chat.waId, phoneNumberId: chat.phoneNumberId })) {
      if (message.direction !== 'inbound') continue;
      const token = message.text?.match(TOKEN_PATTERN)?.[0];
      if (token === undefined) continue;
      sentTokens.set(token, { wamid: message.wamid, chat });
    }
  }

  const stored = new Map<string, number>();
  const { rows } = await pool.query<{ wamid: string; count: string }>(
    `select provider_message_id as wamid, count(*) as count from messages where direction = 'inbound' group by 1`,
  );
  for (const row of rows) stored.set(row.wamid, Number(row.count));

  const queued = new Set(
    (
      await pool.query<{ key: string }>(
        `select dedupe_key as key from inbox_events where processed_at is null and dedupe_key like '%:message:%'`,
      )
    ).rows.map((row) => row.key.slice(row.key.indexOf(':message:') + ':message:'.length)),
  );

  const { state } = sandbox.pipedrive;
  const notes = [...state.notes.values()].filter((n) => n.activeFlag);
  const tokenCounts = new Map<number, Map<string, number>>();
  const markerNotes = new Map<string, number>();
  for (const n of notes) {
    const counts = tokenCounts.get(n.companyId) ?? new Map<string, number>();
    tokenCounts.set(n.companyId, counts);
    for (const token of n.content.match(TOKEN_PATTERN) ?? []) counts.set(token, (counts.get(token) ?? 0) + 1);
    for (const marker of new Set(n.content.match(MARKER_PATTERN) ?? []))
      markerNotes.set(marker, (markerNotes.get(marker) ?? 0) + 1);
  }

  let storedOnce = 0;
  let notStored = 0;
  let notStoredButQueued = 0;
  let storedTwice = 0;
  let inOneNoteLine = 0;
  let missingFromNotes = 0;
  let duplicatedInNotes = 0;
  for (const [token, { wamid, chat }] of sentTokens) {
    const copies = stored.get(wamid) ?? 0;
    if (copies === 1) storedOnce += 1;
    else if (copies === 0) {
      notStored += 1;
      if (queued.has(wamid)) notStoredButQueued += 1;
      else note(`${token} (${wamid}) not stored, not in the inbox either`);
    } else {
      storedTwice += 1;
      note(`${token} stored ${copies} times`);
    }
    const lines = tokenCounts.get(chat.companyId)?.get(token) ?? 0;
    if (lines === 1) inOneNoteLine += 1;
    else if (lines === 0) {
      missingFromNotes += 1;
      note(`${token} of chat ${chat.index} in no note`);
    } else {
      duplicatedInNotes += 1;
      note(`${token} of chat ${chat.index} in ${lines} note lines`);
    }
  }

  let personsMissing = 0;
  let personsDuplicated = 0;
  let dealsMissing = 0;
  let dealsDuplicated = 0;
  const persons = [...state.persons.values()].filter((p) => !p.isDeleted);
  const deals = [...state.deals.values()].filter((d) => d.status === 'open' && !d.isDeleted);
  for (const chat of chats) {
    const holders = persons.filter(
      (p) => p.companyId === chat.companyId && p.phones.some((phone) => digits(phone.value) === chat.waId),
    );
    if (holders.length === 0) {
      personsMissing += 1;
      note(`chat ${chat.index}: no person`);
      continue;
    }
    if (holders.length > 1) {
      personsDuplicated += 1;
      note(`chat ${chat.index}: ${holders.length} persons`);
    }
    for (const holder of holders) {
      const open = deals.filter((d) => d.personId === holder.id).length;
      if (open === 0) {
        dealsMissing += 1;
        note(`chat ${chat.index}: person ${holder.id} has no open deal`);
      } else if (open > 1) {
        dealsDuplicated += 1;
        note(`chat ${chat.index}: person ${holder.id} has ${open} open deals`);
      }
    }
  }
  let notesDuplicated = 0;
  for (const [marker, count] of markerNotes) {
    if (count > 1) {
      notesDuplicated += 1;
      note(`${marker} in ${count} notes`);
    }
  }

  const scalar = async (sql: string): Promise<number> =>
    Number((await pool.query<{ count: string }>(sql)).rows[0]?.count ?? 0);
  const inboxUnprocessed = await scalar(`select count(*) as count from inbox_events where processed_at is null`);
  const effectsPending = await scalar(`select count(*) as count from sync_effects where state = 'pending'`);
  const statusesNotFinal = await scalar(
    `select count(*) as count from messages where direction = 'inbound' and status <> 'received'`,
  );
  const jobsPending = await scalar(
    `select count(*) as count from pgboss.job
      where name in ('whatsapp.process-inbox', 'sync.chat', 'sync.reconcile') and state in ('created', 'retry', 'active')`,
  );
  const deadLetters = await scalar(`select count(*) as count from pgboss.job where name = 'sync.chat.dead'`);

  return {
    sent: sentTokens.size,
    storedOnce,
    notStored,
    notStoredButQueued,
    storedTwice,
    inOneNoteLine,
    missingFromNotes,
    duplicatedInNotes,
    personsMissing,
    personsDuplicated,
    dealsMissing,
    dealsDuplicated,
    notesDuplicated,
    inboxUnprocessed,
    effectsPending,
    statusesNotFinal,
    jobsPending,
    deadLetters,
    problems,
  };
}
