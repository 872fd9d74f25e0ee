import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * `npm run bench -- --smoke` (issue 13): the benchmark harness must keep working, so the suite runs
 * its smoke mode — the same scenarios with a few messages each — and asserts that every count adds
 * up and that every figure was produced. Speed is never asserted here. The panels scenario needs
 * Chromium and runs with `npm run bench`; the rest run here, on PostgreSQL when TEST_DATABASE_URL
 * is set (as in CI), else on PGlite.
 */
jest.setTimeout(600_000);

interface SmokeResults {
  smoke: boolean;
  failed: string[];
  figures: { scenario: string; metric: string; value: number | string }[];
  checks: { scenario: string; what: string; expected: number; actual: number; ok: boolean }[];
}

it('runs every non-browser scenario in smoke mode and its counts add up', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-smoke-'));
  try {
    await promisify(execFile)(
      process.execPath,
      ['bench/run.ts', '--smoke', '--only', 'ingest,live,cost,start', '--out', out],
      { env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const results = JSON.parse(readFileSync(path.join(out, 'smoke.json'), 'utf8')) as SmokeResults;
    expect(results.smoke).toBe(true);
    expect(results.failed).toEqual([]);
    expect(results.checks.filter((entry) => !entry.ok)).toEqual([]);
    // Every scenario checked something, and produced its figures as numbers.
    expect(new Set(results.checks.map((entry) => entry.scenario))).toEqual(
      new Set(['Ingest', 'Live latency', 'Pipedrive cost', 'Start']),
    );
    for (const figure of results.figures)
      if (typeof figure.value === 'number')
        expect({ ...figure, finite: Number.isFinite(figure.value) }).toMatchObject({ finite: true });
    expect(readFileSync(path.join(out, 'smoke.md'), 'utf8')).toContain('| Ingest | webhooks/s |');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
