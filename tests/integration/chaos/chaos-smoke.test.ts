import { DEFAULT_CHAOS_OPTIONS, runChaos } from '../../../chaos/harness.ts';
import type { ChaosReport } from '../../../chaos/report.ts';
import { testDatabaseUrl } from '../../helpers/test-env.ts';

const adminDatabaseUrl = testDatabaseUrl();
const withPostgres = adminDatabaseUrl === undefined ? describe.skip : describe;

/**
 * The chaos run's smoke version (issue 13: "so the harness cannot rot"), which is also the catalogue's
 * F9 and F10 with real processes (reliability.md): two web instances and two `npm run worker`
 * processes on a fresh PostgreSQL database, 100 customer messages in 2 chats of 2 companies through
 * the sandbox's WhatsApp, with Pipedrive 5xx and duplicate webhooks on. Once a sync.chat job runs,
 * both workers are killed with SIGKILL and restarted (F10); half-way through sending, Parley's
 * connections to PostgreSQL are cut and refused for 4 s at a proxy (F9: a database restart as Parley
 * sees it, without restarting the server other tests use). Everything is checked against the
 * sandbox's own record of what was sent.
 */
withPostgres('chaos run, smoke size (F9, F10 with real processes)', () => {
  let report: ChaosReport;
  const log: string[] = [];

  beforeAll(async () => {
    report = await runChaos({
      ...DEFAULT_CHAOS_OPTIONS,
      adminDatabaseUrl: adminDatabaseUrl ?? '',
      messages: 100,
      chats: 2,
      companies: 2,
      sendDurationMs: 10_000,
      killPlan: 'workers-mid-sync',
      maxKills: 1,
      databaseFault: 'outage',
      databaseOutageMs: 4_000,
      drainTimeoutMs: 150_000,
      log: (line) => log.push(line),
    });
    // A failing assertion below shows figures; the harness's own log says what happened when.
    if (!report.passed)
      process.stderr.write(`chaos smoke log:\n${log.join('\n')}\n${JSON.stringify(report, null, 2)}\n`);
  }, 300_000);

  it('the counts add up: every message the sandbox sent is accounted for', () => {
    const v = report.verification;
    expect(report.figures.messagesSent).toBe(100);
    expect(v.sent).toBe(100);
    expect(v.storedOnce + v.notStored + v.storedTwice).toBe(v.sent);
    expect(v.inOneNoteLine + v.missingFromNotes + v.duplicatedInNotes).toBe(v.sent);
    expect(report.figures.lost).toBe(v.notStored + v.missingFromNotes);
  });

  it('F10: both workers killed -9 while a sync job ran → every message stored once and in one note line, one person and one deal per chat', () => {
    expect(report.figures.kills).toEqual({ web: 0, worker: 2 });
    expect(report.verification).toMatchObject({
      storedOnce: 100,
      inOneNoteLine: 100,
      personsMissing: 0,
      personsDuplicated: 0,
      dealsMissing: 0,
      dealsDuplicated: 0,
      notesDuplicated: 0,
    });
    expect(report.figures.duplicated).toBe(0);
  });

  it('F9: the database unreachable mid-flow → webhooks refused and redelivered, nothing lost once it is back', () => {
    expect(report.figures.databaseOutages).toBe(1);
    expect(report.figures.databaseRefused).toBeGreaterThan(0);
    expect(report.figures.webhookFailedAttempts).toBeGreaterThan(0);
    expect(report.figures.webhookRetries).toBeGreaterThan(0);
    expect(report.figures.lost).toBe(0);
  });

  it('settles: nothing left in flight, no dead letters, the run passes', () => {
    expect(report.verification).toMatchObject({
      inboxUnprocessed: 0,
      effectsPending: 0,
      statusesNotFinal: 0,
      jobsPending: 0,
      deadLetters: 0,
    });
    if (!report.passed)
      throw new Error(`chaos smoke failed:\n${log.join('\n')}\n${report.verification.problems.join('\n')}`);
  });
});
