import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePanelsBuilt } from '../../scripts/panel-build.ts';
import { ensureEmbeddedTemplate } from '../../server/db/embedded-template-build.ts';
import { createLogger } from '../../server/logger.ts';
import { resolveProjectPaths } from '../../server/paths.ts';
import { freePort, ROOT, rssMb, waitForOk } from '../harness/processes.ts';
import { check, type ScenarioOutcome } from '../harness/report.ts';
import type { ScenarioOptions } from './options.ts';

const SCENARIO = 'Start';

/** Every process below `pid` (Linux /proc), to find the node under `npm start`'s shell. */
function descendants(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');

/**
 * `npm start` exactly as a person types it (embedded database, sandbox beside Parley), timed from
 * spawn to the first 200 from /readyz; twice: on a fresh data directory (creates and migrates the
 * database) and again on the same directory (a restart). The build is made beforehand, as
 * `npm run build` makes it (the panels and the embedded database's template), so both starts find a
 * warm build. Then the idle RSS of the Parley process.
 */
export async function startScenario(options: ScenarioOptions): Promise<ScenarioOutcome> {
  const built = await ensurePanelsBuilt(ROOT);
  const template = await ensureEmbeddedTemplate(resolveProjectPaths(ROOT), createLogger({ level: 'warn' }));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-start-'));
  const idleMs = options.smoke ? 1_000 : 10_000;
  try {
    const runs: { label: string; ms: number; panels: string; fromTemplate: boolean; rssMb?: number }[] = [];
    for (const label of ['fresh data directory', 'restart']) {
      const [port, sandboxPort] = [await freePort(), await freePort()];
      const logFile = path.join(options.logDir, `start-${runs.length + 1}.log`);
      const log = openSync(logFile, 'w');
      const began = performance.now();
      const npm = spawn('npm', ['start'], {
        cwd: ROOT,
        detached: true,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '',
          PORT: String(port),
          SANDBOX_PORT: String(sandboxPort),
          DATA_DIR: dataDir,
          HOST: '127.0.0.1',
        },
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      try {
        await waitForOk(`http://127.0.0.1:${port}/readyz`, { everyMs: 20, exited: () => npm.exitCode !== null });
        const ms = performance.now() - began;
        const output = readFileSync(logFile, 'utf8');
        const panels = /panels: (.*)/.exec(output)?.[1] ?? 'unknown';
        const fromTemplate = output.includes('"createdFrom"');
        let rss: number | undefined;
        if (runs.length === 1) {
          // Idle: nothing asked of it after start-up (its own timers, pg-boss polling, still run).
          await new Promise((resolve) => setTimeout(resolve, idleMs));
          // The node process itself, not the shell npm runs it through (the largest of the two).
          const candidates = descendants(npm.pid ?? 0).filter((pid) => commandLine(pid).includes('scripts/start.ts'));
          rss = candidates.length === 0 ? Number.NaN : Math.max(...candidates.map((pid) => rssMb(pid)));
        }
        runs.push({ label, ms, panels, fromTemplate, ...(rss === undefined ? {} : { rssMb: rss }) });
      } finally {
        process.kill(-(npm.pid ?? 0), 'SIGTERM');
        await exited;
        // The shell may exit before node finishes its graceful shutdown; wait until the group is gone.
        for (;;) {
          try {
            process.kill(-(npm.pid ?? 0), 0);
          } catch {
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    const [fresh, restart] = runs as [(typeof runs)[number], (typeof runs)[number]];
    const rss = restart.rssMb ?? Number.NaN;
    return {
      figures: [
        {
          scenario: SCENARIO,
          metric: 'npm start → /readyz, restart (warm build)',
          value: restart.ms / 1000,
          unit: 's',
          target: '≤ 3 s',
          met: restart.ms <= 3000,
        },
        {
          scenario: SCENARIO,
          metric: 'npm start → /readyz, fresh data dir (warm build)',
          value: fresh.ms / 1000,
          unit: 's',
          target: '≤ 3 s',
          met: fresh.ms <= 3000,
        },
        {
          scenario: SCENARIO,
          metric: `idle RSS (${idleMs / 1000} s after start; Parley + sandbox + PGlite in one process)`,
          value: rss,
          unit: 'MB',
          target: '≤ 150 MB',
          met: rss <= 150,
        },
      ],
      checks: [
        check(
          SCENARIO,
          'starts that rebuilt the panels',
          0,
          runs.filter((run) => run.panels !== 'build is up to date').length,
        ),
        check(
          SCENARIO,
          'fresh starts that created the database instead of copying the template',
          0,
          fresh.fromTemplate ? 0 : 1,
        ),
      ],
      details: { panelsBeforehand: built, databaseTemplateBeforehand: template, runs },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
