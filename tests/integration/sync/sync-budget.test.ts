import { eq } from 'drizzle-orm';
import { companies } from '../../../server/db/schema/index.ts';
import type { WorkerRunner } from '../../../server/jobs/worker-runner.ts';
import type { Browser } from '../../helpers/browser-session.ts';
import { connectCompany, startTestWorkers } from '../../helpers/connected-company.ts';
import { startSandboxedTestApp } from '../../helpers/pipedrive-sandbox.ts';
import {
  addMessage,
  eventually,
  noteWrites,
  seedChat,
  transcriptNotes,
  workspaceOf,
  type SeededChat,
} from '../../helpers/sync-fixtures.ts';

/**
 * F4 and T3: company A's daily Pipedrive budget runs out while company B keeps syncing, each with
 * its own token. Detected from Pipedrive's daily-budget signal, and without one (429s that outlast
 * every burst window).
 */
// Each test starts a sandbox and Parley and connects companies: slow on a shared two-core machine.
jest.setTimeout(90_000);

describe('the daily budget: one company paused, the other syncing', () => {
  let h: Awaited<ReturnType<typeof startSandboxedTestApp>>;
  let workers: WorkerRunner;
  let adminA: Browser;
  let chatA: SeededChat;
  let chatB: SeededChat;

  const db = () => h.testApp.database.db;
  const seed = () => h.pd.sandbox.pipedrive.seed;
  const companyA = () => seed().demo.company.id;
  const companyB = () => seed().other.company.id;
  const nextUtcMidnight = () => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  };
  /** Pipedrive's Retry-After runs to its own midnight (the sandbox clock): within seconds of ours. */
  const expectAroundMidnight = (value: Date | null) =>
    expect(Math.abs((value?.getTime() ?? 0) - nextUtcMidnight().getTime())).toBeLessThan(5_000);
  const exhaustBudgetOfA = () =>
    h.pd.sandbox.pipedrive.recordExternalUsage(companyA(), h.pd.sandbox.pipedrive.usage(companyA()).remaining);
  const pausedUntil = async (companyId: number) =>
    (await db().select().from(companies).where(eq(companies.id, companyId)))[0]?.budgetPausedUntil ?? null;
  const deferrals = async () =>
    (await h.testApp.domain.audit.list({ companyId: companyA() }, { action: 'sync.deferred' })).map(
      (entry) => entry.detail['reason'],
    );
  const noteOf = (chat: SeededChat, text: string) =>
    eventually(() => transcriptNotes(h.pd.sandbox, chat.chatId).find((note) => note.content.includes(text)), {
      timeoutMs: 20_000,
      message: `a note with ${text}`,
    });

  beforeEach(async () => {
    h = await startSandboxedTestApp();
    ({ admin: adminA } = await connectCompany(h.testApp, h.pd.consent()));
    await connectCompany(h.testApp, { ...h.pd.consent(), admin: h.pd.users.gina });
    workers = await startTestWorkers(h.testApp);
    const [personA, dealA] = [seed().demo.persons[0], seed().demo.deals[0]];
    const [personB, dealB] = [seed().other.persons[0], seed().other.deals[0]];
    if (!personA || !dealA || !personB || !dealB) throw new Error('the sandbox seed changed');
    chatA = await seedChat(db(), {
      workspaceId: await workspaceOf(db(), companyA()),
      personId: personA.id,
      dealId: dealA.id,
    });
    chatB = await seedChat(db(), {
      workspaceId: await workspaceOf(db(), companyB()),
      personId: personB.id,
      dealId: dealB.id,
      profileName: 'Hank',
    });
  });

  afterEach(async () => {
    await workers.stop();
    await h.close();
  });

  it("F4 with Pipedrive's daily-budget signal: A pauses until the reset without probing, B syncs on its own token, A resumes", async () => {
    h.pd.sandbox.pipedrive.setKnobs({ dailyLimit429: 'guessed-header' });
    exhaustBudgetOfA();

    await addMessage(db(), h.testApp.jobs, chatA, { body: 'A while exhausted' });
    await addMessage(db(), h.testApp.jobs, chatB, { body: 'B keeps going' });
    await noteOf(chatB, 'B keeps going');
    await eventually(async () => (await deferrals()).includes('budget_paused') || undefined);
    expectAroundMidnight(await pausedUntil(companyA()));
    expect(await pausedUntil(companyB())).toBeNull();
    expect(transcriptNotes(h.pd.sandbox, chatA.chatId)).toHaveLength(0);

    // T3: the sandbox knows a call's company only from its token.
    expect(noteWrites(h.pd.sandbox, companyB())).toHaveLength(1);
    expect(noteWrites(h.pd.sandbox, companyA())).toHaveLength(0);
    const callsOfA = () => h.pd.sandbox.pipedrive.state.apiCalls.filter((call) => call.companyId === companyA()).length;
    const before = callsOfA();
    // More messages while paused join the one deferred job (the chat's queued slot): no probing.
    await addMessage(db(), h.testApp.jobs, chatA, { body: 'A again, still paused' });
    const waiting = await h.testApp.database.pool.query<{ start_after: Date; retry_count: number }>(
      "select start_after, retry_count from pgboss.job where name = 'sync.chat' and state = 'created' and data->>'chatId' = $1",
      [chatA.chatId],
    );
    expect(waiting.rows).toHaveLength(1);
    expectAroundMidnight(waiting.rows[0]?.start_after ?? null);
    expect(waiting.rows[0]?.retry_count).toBe(0);
    expect(callsOfA()).toBe(before);

    const budget = await adminA.get('/api/budget');
    expect(budget.statusCode).toBe(200);
    expectAroundMidnight(new Date(budget.json<{ pausedUntil: string }>().pausedUntil));
    expect(budget.json()).toMatchObject({
      companyId: companyA(),
      days: [
        expect.objectContaining({
          features: expect.arrayContaining([expect.objectContaining({ feature: expect.any(String) })]),
        }),
      ],
    });

    // Midnight UTC passes: Pipedrive's budget resets and the deferred job runs.
    h.pd.sandbox.clock.advance(nextUtcMidnight().getTime() - Date.now() + 1_000);
    await h.testApp.database.pool.query("update companies set budget_paused_until = now() - interval '1 second'");
    await h.testApp.database.pool.query(
      "update pgboss.job set start_after = now() where name = 'sync.chat' and state = 'created'",
    );
    const resumed = await noteOf(chatA, 'A again, still paused');
    expect(resumed.content).toContain('A while exhausted');
  });

  it('F4 without a daily-budget signal (the sandbox default): 429s that outlast the burst windows pause A until midnight UTC', async () => {
    // The sandbox's default: an exhausted budget answers exactly like a burst 429 (short
    // Retry-After, no daily header, no telling message).
    expect(h.pd.sandbox.pipedrive.knobs().dailyLimit429).toBe('plain');
    exhaustBudgetOfA();
    await addMessage(db(), h.testApp.jobs, chatA, { body: 'A behind burst-shaped 429s' });
    await eventually(async () => (await deferrals()).includes('rate_limited') || undefined, { timeoutMs: 30_000 });
    expect(await pausedUntil(companyA())).toBeNull();
    // The 429s have persisted for minutes (instead of waiting them out in the test).
    await h.testApp.database.pool.query(
      "update companies set rate_limited_since = now() - interval '3 minutes' where id = $1",
      [companyA()],
    );
    await eventually(async () => (await deferrals()).includes('budget_paused') || undefined, { timeoutMs: 30_000 });
    expect(await pausedUntil(companyA())).toEqual(nextUtcMidnight());
    expect(transcriptNotes(h.pd.sandbox, chatA.chatId)).toHaveLength(0);

    await addMessage(db(), h.testApp.jobs, chatB, { body: 'B unaffected' });
    await noteOf(chatB, 'B unaffected');
    expect(await pausedUntil(companyB())).toBeNull();
  });
});
