import { parseArgs } from 'node:util';
import { DEFAULT_CHAOS_OPTIONS, runChaos } from './harness.ts';
import type { ChaosReport } from './report.ts';

/**
 * `npm run chaos`: see chaos/README.md. Exit code 0 only when nothing was lost or duplicated and
 * everything settled.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      chats: { type: 'string' },
      companies: { type: 'string' },
      'send-seconds': { type: 'string' },
      'kill-every-ms': { type: 'string' },
      'max-kills': { type: 'string' },
      'database-fault': { type: 'string' },
      'kill-plan': { type: 'string' },
      'drain-seconds': { type: 'string' },
      'keep-database': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const adminDatabaseUrl = process.env['TEST_DATABASE_URL']?.trim() || process.env['DATABASE_URL']?.trim();
  if (adminDatabaseUrl === undefined || adminDatabaseUrl === '') {
    process.stderr.write(
      'npm run chaos needs a real PostgreSQL: set TEST_DATABASE_URL (or DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/postgres\n',
    );
    process.exit(2);
  }
  const number = (value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`not a number: ${value}`);
    return parsed;
  };
  const oneOf = <T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value))
      throw new Error(`expected one of ${allowed.join(', ')}: ${value}`);
    return value as T;
  };
  const defaults = DEFAULT_CHAOS_OPTIONS;
  const report = await runChaos({
    ...defaults,
    adminDatabaseUrl,
    messages: number(values.messages, defaults.messages),
    chats: number(values.chats, defaults.chats),
    companies: number(values.companies, defaults.companies),
    sendDurationMs: number(values['send-seconds'], defaults.sendDurationMs / 1000) * 1000,
    killEveryMs: number(values['kill-every-ms'], defaults.killEveryMs),
    maxKills: number(values['max-kills'], defaults.maxKills),
    databaseFault: oneOf(values['database-fault'], ['restart', 'outage', 'none'] as const, defaults.databaseFault),
    killPlan: oneOf(values['kill-plan'], ['random', 'workers-mid-sync'] as const, defaults.killPlan),
    drainTimeoutMs: number(values['drain-seconds'], defaults.drainTimeoutMs / 1000) * 1000,
    keepDatabase: values['keep-database'],
    log: (line) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  process.exit(report.passed ? 0 : 1);
}

export function formatReport(report: ChaosReport): string {
  const f = report.figures;
  const v = report.verification;
  const rows: [string, string | number][] = [
    ['result', report.passed ? 'PASS' : 'FAIL'],
    ['messages sent (sandbox record)', v.sent],
    ['chats / companies', `${f.chats} / ${f.companies}`],
    ['stored exactly once', v.storedOnce],
    ['in exactly one note line', v.inOneNoteLine],
    ['lost (not stored or in no note)', f.lost],
    ['  of which acknowledged, still in the inbox (late, not lost)', v.notStoredButQueued],
    ['duplicated (stored twice or in two note lines)', f.duplicated],
    ['persons missing / duplicated', `${v.personsMissing} / ${v.personsDuplicated}`],
    ['deals missing / duplicated', `${v.dealsMissing} / ${v.dealsDuplicated}`],
    ['notes duplicated (same transcript part)', v.notesDuplicated],
    [
      'left in flight (inbox, effects, jobs, dead letters)',
      `${v.inboxUnprocessed}, ${v.effectsPending}, ${v.jobsPending}, ${v.deadLetters}`,
    ],
    ['kill -9 (web / worker)', `${f.kills.web} / ${f.kills.worker}`],
    ['unplanned exits (restarted)', f.crashes],
    [
      'PostgreSQL restarts / outages at the proxy (connections refused)',
      `${f.postgresRestarts} / ${f.databaseOutages} (${f.databaseRefused})`,
    ],
    [
      'webhook POSTs / retries / failed / duplicates injected',
      `${f.webhookPosts} / ${f.webhookRetries} / ${f.webhookFailedAttempts} / ${f.webhookDuplicatesInjected}`,
    ],
    ['connections reset by the balancer (no web up)', f.balancerResets],
    ['Pipedrive calls / 429 / 5xx injected', `${f.pipedriveCalls} / ${f.pipedrive429} / ${f.pipedrive5xxInjected}`],
    ['job retries (pg-boss)', f.jobRetries],
    ['send time (s)', f.sendSeconds.toFixed(1)],
    ['time to drain after the last message (s)', f.drainSeconds.toFixed(1)],
    ['total (s)', f.totalSeconds.toFixed(1)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    '',
    `| ${'figure'.padEnd(width)} | value |`,
    `| ${'-'.repeat(width)} | ----- |`,
    ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value} |`),
  ];
  if (v.problems.length > 0) lines.push('', 'examples of what is wrong:', ...v.problems.map((p) => `  - ${p}`));
  if (f.crashLog.length > 0) lines.push('', 'unplanned exits:', ...f.crashLog.map((c) => `  - ${c}`));
  lines.push('', `process logs: ${report.workDir}`, '');
  return lines.join('\n');
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
