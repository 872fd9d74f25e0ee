import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serverUrlFromEnv } from './harness/database.ts';
import { machine, markdownTable, type ScenarioOutcome } from './harness/report.ts';
import { BENCH_ROOT } from './harness/stack.ts';
import { costScenario } from './scenarios/cost.ts';
import { ingestScenario } from './scenarios/ingest.ts';
import { liveScenario } from './scenarios/live.ts';
import type { ScenarioOptions } from './scenarios/options.ts';
import { panelsScenario } from './scenarios/panels.ts';
import { sseScenario } from './scenarios/sse.ts';
import { startScenario } from './scenarios/start.ts';

/**
 * `npm run bench`: every scenario in turn, each starting what it needs (sandbox and Parley as child
 * processes, a fresh database), then the results as JSON and as a Markdown table in bench/results/.
 * `--smoke`: a few seconds per scenario; `--only ingest,cost`; `--out <dir>`.
 */
const SCENARIOS: Record<string, (options: ScenarioOptions) => Promise<ScenarioOutcome>> = {
  ingest: ingestScenario,
  live: liveScenario,
  cost: costScenario,
  panels: panelsScenario,
  sse: sseScenario,
  start: startScenario,
};

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const selected = values.only === undefined ? Object.keys(SCENARIOS) : values.only.split(',').map((name) => name.trim());
for (const name of selected)
  if (!(name in SCENARIOS)) throw new Error(`unknown scenario "${name}" (${Object.keys(SCENARIOS).join(', ')})`);

const outDir = path.resolve(values.out ?? path.join(BENCH_ROOT, 'results'));
const logDir = path.join(outDir, 'logs');
mkdirSync(logDir, { recursive: true });
const database =
  serverUrlFromEnv() === undefined
    ? 'PGlite (embedded; set TEST_DATABASE_URL or DATABASE_URL for PostgreSQL)'
    : 'PostgreSQL';
const startedAt = new Date();
process.stdout.write(`Parley benchmarks${values.smoke ? ' (smoke)' : ''} on ${database}\n`);

const outcomes: Record<string, ScenarioOutcome | { error: string }> = {};
for (const name of selected) {
  const scenario = SCENARIOS[name] as (options: ScenarioOptions) => Promise<ScenarioOutcome>;
  const began = Date.now();
  process.stdout.write(`- ${name}… `);
  try {
    outcomes[name] = await scenario({ smoke: values.smoke, logDir });
    process.stdout.write(`done in ${Math.round((Date.now() - began) / 1000)} s\n`);
  } catch (error) {
    outcomes[name] = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    process.stdout.write(`FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

const succeeded = Object.values(outcomes).filter((outcome): outcome is ScenarioOutcome => 'figures' in outcome);
const figures = succeeded.flatMap((outcome) => outcome.figures);
const checks = succeeded.flatMap((outcome) => outcome.checks);
const failed = Object.entries(outcomes)
  .filter(([, outcome]) => 'error' in outcome)
  .map(([name]) => name);
const host = machine();
const flags = [...(values.smoke ? ['--smoke'] : []), ...(values.only === undefined ? [] : ['--only', values.only])];
const command = `${serverUrlFromEnv() === undefined ? '' : 'TEST_DATABASE_URL=… '}npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`;
const results = {
  command,
  smoke: values.smoke,
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  database: serverUrlFromEnv() === undefined ? 'pglite' : 'postgresql',
  machine: host,
  figures,
  checks,
  failed,
  scenarios: outcomes,
};
const table = markdownTable(figures);
const header = [
  `Command: \`${command}\` — ${startedAt.toISOString()}`,
  `Machine: ${host.cores} cores (${host.cpuModel}), ${host.memoryGb} GB, load average at the end ${host.loadAverage.join(' / ')}; Node ${host.node}; database: ${database}.`,
].join('\n\n');
const notes = succeeded.flatMap((outcome) => outcome.notes ?? []);
const markdown = `${header}\n\n${table}\n${notes.length > 0 ? `\n${notes.map((note) => `- ${note}`).join('\n')}\n` : ''}\nCount checks: ${checks.filter((entry) => entry.ok).length}/${checks.length} hold${
  checks.some((entry) => !entry.ok)
    ? `; failing: ${checks
        .filter((entry) => !entry.ok)
        .map((entry) => `${entry.scenario}: ${entry.what} (expected ${entry.expected}, got ${entry.actual})`)
        .join('; ')}`
    : ''
}.${failed.length > 0 ? ` Failed scenarios: ${failed.join(', ')}.` : ''}\n`;

const stem = values.smoke ? 'smoke' : 'latest';
// A full run of every scenario replaces the generated part of docs/PERFORMANCE.md (the analysis
// around it is written by hand).
const performanceDoc = path.join(BENCH_ROOT, '..', 'docs', 'PERFORMANCE.md');
if (!values.smoke && values.only === undefined && values.out === undefined && existsSync(performanceDoc)) {
  const doc = readFileSync(performanceDoc, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  if (doc.includes(begin) && doc.includes(end)) {
    const updated = `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n\n${markdown}\n${doc.slice(doc.indexOf(end))}`;
    // Formatted as the repository formats Markdown, so `npm run format:check` stays clean.
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(performanceDoc)) ?? {};
    writeFileSync(performanceDoc, await prettier.format(updated, { ...options, filepath: performanceDoc }));
  }
}
writeFileSync(path.join(outDir, `${stem}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(outDir, `${stem}.md`), markdown);
process.stdout.write(`\n${markdown}\nResults: ${path.join(outDir, `${stem}.json`)} and ${stem}.md\n`);
process.exitCode = failed.length > 0 || checks.some((entry) => !entry.ok) ? 1 : 0;
