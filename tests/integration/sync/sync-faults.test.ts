import nock from 'nock';
import { localhostAwareFetch } from '../../../server/services/pipedrive/localhost-fetch.ts';
import { eq } from 'drizzle-orm';
import { companies, connections, syncEffects } from '../../../server/db/schema/index.ts';
import type { PipedriveTimeline } from '../../../server/services/sync/pipedrive-timeline.ts';
import { createPipedriveTimeline } from '../../../server/services/sync/pipedrive-timeline.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import {
  addMessage,
  eventually,
  noteWrites,
  startSyncHarness,
  syncJobs,
  transcriptNotes,
  type SyncHarness,
} from '../../helpers/sync-fixtures.ts';
import type { TestAppOptions } from '../../helpers/test-app.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';

/**
 * The sync engine under Pipedrive's faults (reliability.md F1–F6, F10, F14). Pipedrive is the
 * sandbox; nock scripts only what the sandbox cannot produce on demand (5xx, a 429 at a chosen
 * moment, a hang, a validation error), and lets every other request through to the sandbox.
 */
// Each test starts a sandbox and Parley and connects companies: slow on a shared two-core machine.
jest.setTimeout(90_000);

describe('message sync under faults', () => {
  let h: SyncHarness;

  const db = () => h.db;
  const demo = () => h.demo;
  const chatId = () => h.chat.chatId;
  /**
   * Pipedrive's API as Parley reaches it (the demo company's own api_domain), with every request
   * nock does not script passed through.
   */
  const pipedrive = () =>
    nock(`http://${demo().company.domain}.pipedrive.localhost:${new URL(h.pd.sandbox.url).port}`, {
      allowUnmocked: true,
    });
  const audits = async (action: string) =>
    (await h.testApp.domain.audit.list({ companyId: demo().company.id }, { action, limit: 200 })).filter(
      (entry) => entry.subjectId === chatId(),
    );
  const oneNoteShowing = (text: string) =>
    eventually(
      () => {
        const notes = transcriptNotes(h.pd.sandbox, chatId());
        return notes.length === 1 && notes[0]?.content.includes(text) === true ? notes[0] : undefined;
      },
      { timeoutMs: 30_000, message: `one note showing ${text}` },
    );

  async function start(options: Omit<TestAppOptions, 'config'> = {}) {
    h = await startSyncHarness(options);
  }

  afterEach(async () => {
    nock.cleanAll();
    await h.close();
  });

  it('F1: 500 twice, then 201 → exactly one note, effect done, the retries audited', async () => {
    await start();
    pipedrive().post('/api/v1/notes').times(2).reply(500, { success: false, error: 'Internal server error' });
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'after two 500s' });
    await oneNoteShowing('after two 500s');
    const effects = () => db().select().from(syncEffects).where(eq(syncEffects.kind, 'note.create'));
    await eventually(async () => (await effects())[0]?.state === 'done' || undefined);
    expect(transcriptNotes(h.pd.sandbox, chatId())).toHaveLength(1);
    expect(nock.pendingMocks()).toHaveLength(0);
    expect(await audits('sync.retrying')).toHaveLength(2);
    expect(await effects()).toEqual([expect.objectContaining({ state: 'done', attempts: 3 })]);
  });

  it('F2: 429 with a long Retry-After → the job is deferred past it, its attempts untouched, no tight loop', async () => {
    await start();
    let refused = 0;
    pipedrive()
      .post('/api/v1/notes')
      .reply(() => {
        refused += 1;
        return [429, { success: false, error: 'Request over limit' }, { 'retry-after': '30' }];
      });
    const sentAt = Date.now();
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'throttled' });
    const deferred = await eventually(async () =>
      (await syncJobs(h.testApp.database.pool)).find(
        (job) => job.state === 'created' && job.start_after.getTime() > Date.now() + 20_000,
      ),
    );
    expect(deferred.start_after.getTime()).toBeGreaterThanOrEqual(sentAt + 30_000);
    expect(deferred.retry_count).toBe(0);
    expect(refused).toBe(1);
    expect((await syncJobs(h.testApp.database.pool)).every((job) => job.retry_count === 0)).toBe(true);
    // The job re-sends itself first and audits the deferral after: wait for that last write.
    const deferrals = await eventually(async () => {
      const entries = await audits('sync.deferred');
      return entries.length > 0 ? entries : undefined;
    });
    expect(deferrals).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ reason: 'rate_limited' }) }),
    ]);
    // Due now (as if the 30 s had passed): it writes the note.
    await h.testApp.database.pool.query(
      "update pgboss.job set start_after = now() where name = 'sync.chat' and state = 'created'",
    );
    await oneNoteShowing('throttled');
  });

  it('F2: a short Retry-After is waited out in place, then the write goes through once', async () => {
    await start();
    pipedrive()
      .post('/api/v1/notes')
      .reply(429, { success: false, error: 'Request over limit' }, { 'retry-after': '1' });
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'briefly throttled' });
    await oneNoteShowing('briefly throttled');
    expect(noteWrites(h.pd.sandbox)).toHaveLength(1);
    expect(await audits('sync.retrying')).toHaveLength(0);
  });

  it('F3: 429 without Retry-After, three times → backs off (in place, then deferred) and succeeds', async () => {
    await start();
    pipedrive().post('/api/v1/notes').times(3).reply(429, { success: false, error: 'Request over limit' });
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'no retry-after' });
    await oneNoteShowing('no retry-after');
    expect(nock.pendingMocks()).toHaveLength(0);
    expect(await audits('sync.deferred')).toHaveLength(1);
    expect(await audits('sync.retrying')).toHaveLength(0);
    const [company] = await db().select().from(companies).where(eq(companies.id, demo().company.id));
    expect(company?.rateLimitedSince).toBeNull();
  });

  it('F5: a request that hangs is aborted at the timeout and retried; one note', async () => {
    let hung = 0;
    // The first note write gets no answer at all (a hung socket): it ends only when aborted.
    const hangingOnce: typeof fetch = (input, init) => {
      if (
        hung === 0 &&
        init?.method === 'POST' &&
        (input instanceof Request ? input.url : input.toString()).endsWith('/api/v1/notes')
      ) {
        hung += 1;
        return new Promise((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(new Error('aborted', { cause: init.signal?.reason }))),
        );
      }
      // Parley's own fetch: it reaches the company's `.localhost` api_domain.
      return localhostAwareFetch(input, init);
    };
    await start({ faults: { pipedriveTimeoutMs: 1_000, pipedriveFetch: hangingOnce } });
    const startedAt = Date.now();
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'after a hang' });
    await oneNoteShowing('after a hang');
    expect(hung).toBe(1);
    // Aborted after the 1 s timeout, not after the job's 120 s expiry.
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(await audits('sync.retrying')).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ error: expect.objectContaining({ code: 'pipedrive.unavailable' }) }),
      }),
    ]);
    expect(transcriptNotes(h.pd.sandbox, chatId())).toHaveLength(1);
  });

  it('F7: the token endpoint fails (503) during a refresh → retried as an outage, never reauth; one note', async () => {
    await start();
    h.pd.sandbox.pipedrive.expireAccessTokens({ clientId: TEST_SECRETS.clientId });
    await h.testApp.database.pool.query(
      "update connections set access_token_expires_at = now() + interval '30 seconds'",
    );
    nock(h.pd.sandbox.url, { allowUnmocked: true }).post('/oauth/token').reply(503, 'maintenance');
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'during an outage' });
    await oneNoteShowing('during an outage');
    // Whichever job refreshed first (this one, or the webhook subscription) met the 503.
    expect(nock.pendingMocks()).toHaveLength(0);
    expect(await audits('sync.skipped')).toHaveLength(0);
    const [org] = await db().select().from(connections).where(eq(connections.isOrgConnection, true));
    expect(org?.state).toBe('active');
  });

  it('F10: the worker dies after Pipedrive created the note, before Parley recorded it → the retry finds the marker', async () => {
    let crashes = 0;
    const crashingAfterCreate = (api: Parameters<typeof createPipedriveTimeline>[0]): PipedriveTimeline => {
      const real = createPipedriveTimeline(api);
      return {
        ...real,
        async createNote(entry, anchors) {
          const id = await real.createNote(entry, anchors);
          if (crashes === 0) {
            crashes += 1;
            // What a SIGKILL between Pipedrive's 201 and Parley's commit leaves behind.
            throw new Error('worker killed before commit');
          }
          return id;
        },
      };
    };
    await start({ faults: { syncTimeline: crashingAfterCreate } });
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'written once' });
    await eventually(async () => (await audits('transcript.note_found_after_retry')).length === 1 || undefined, {
      timeoutMs: 20_000,
    });
    expect(crashes).toBe(1);
    expect(transcriptNotes(h.pd.sandbox, chatId())).toHaveLength(1);
    expect(noteWrites(h.pd.sandbox).filter((call) => call.method === 'POST')).toHaveLength(1);
  });

  it('F14: a validation error goes to the dead-letter queue, audited, and replays from the admin API', async () => {
    await start();
    pipedrive().post('/api/v1/notes').reply(400, { success: false, error: 'Validation failed: content: invalid' });
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'refused once' });
    const listed = await eventually(async () => {
      const response = await h.admin.get('/api/sync/dead-letters');
      const body = response.json<{
        deadLetters: { id: string; chatId: string; reason: string; error: { code: string } }[];
      }>();
      return body.deadLetters.length === 1 ? body.deadLetters : undefined;
    });
    expect(listed[0]).toMatchObject({
      chatId: chatId(),
      reason: 'pipedrive_refused',
      error: { code: 'pipedrive.rejected' },
    });
    expect(await audits('sync.dead_lettered')).toHaveLength(1);
    expect(transcriptNotes(h.pd.sandbox, chatId())).toHaveLength(0);

    // Another company's admin sees none of it and cannot replay it.
    const { admin: stranger } = await connectCompany(h.testApp, { ...h.pd.consent(), admin: h.pd.users.gina });
    expect((await stranger.get('/api/sync/dead-letters')).json()).toEqual({ deadLetters: [] });
    expect((await stranger.post(`/api/sync/dead-letters/${listed[0]?.id}/replay`)).statusCode).toBe(404);

    const replay = await h.admin.post(`/api/sync/dead-letters/${listed[0]?.id}/replay`);
    expect(replay.statusCode).toBe(200);
    await oneNoteShowing('refused once');
    expect((await h.admin.get('/api/sync/dead-letters')).json()).toEqual({ deadLetters: [] });
    expect((await h.admin.post(`/api/sync/dead-letters/${listed[0]?.id}/replay`)).statusCode).toBe(404);
  });

  it('F6: invalid_grant → jobs skipped, not failed; the reconnect syncs what was missed, in order, once', async () => {
    await start();
    await addMessage(db(), h.testApp.jobs, h.chat, { body: 'before the revoke' });
    await oneNoteShowing('before the revoke');
    h.pd.sandbox.pipedrive.revokeGrant({ clientId: TEST_SECRETS.clientId, userId: h.pd.users.ada.userId });

    for (const body of ['missed one', 'missed two', 'missed three'])
      await addMessage(db(), h.testApp.jobs, h.chat, { body });
    await eventually(async () => (await audits('sync.skipped')).length > 0 || undefined);
    await eventually(async () =>
      (await syncJobs(h.testApp.database.pool)).every((job) => job.state === 'completed') ? true : undefined,
    );
    expect((await syncJobs(h.testApp.database.pool)).some((job) => job.state === 'failed')).toBe(false);
    expect(transcriptNotes(h.pd.sandbox, chatId())[0]?.content).not.toContain('missed one');
    const writesBefore = noteWrites(h.pd.sandbox).length;

    await connectAgainAsAdmin();
    const note = await oneNoteShowing('missed three');
    const content = note.content;
    expect(content.indexOf('before the revoke')).toBeLessThan(content.indexOf('missed one'));
    expect(content.indexOf('missed one')).toBeLessThan(content.indexOf('missed two'));
    expect(content.indexOf('missed two')).toBeLessThan(content.indexOf('missed three'));
    await eventually(
      async () => (await syncJobs(h.testApp.database.pool)).every((job) => job.state === 'completed') || undefined,
    );
    expect(noteWrites(h.pd.sandbox).length).toBe(writesBefore + 1);
    // A second reconciliation finds nothing behind.
    expect(await h.testApp.domain.chatSync.reconcileCompany(demo().company.id)).toBe(0);
  });

  /** Ada authorizes Parley again from the Marketplace: what a reconnect after reauth is. */
  async function connectAgainAsAdmin() {
    const callback = await h.admin.get(`/oauth/callback?code=${h.pd.authorize(h.pd.users.ada)}`);
    expect(callback.statusCode).toBe(302);
  }
});
