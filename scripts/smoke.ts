import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServerProcess } from './server-process.ts';

/**
 * `npm run smoke`: what a new user does after `npm ci && npm start`, checked by a machine.
 * Starts the built server on a fresh embedded database, waits for readiness, loads a panel page,
 * and stops it with SIGTERM, which must end in exit code 0.
 */
async function smoke(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-smoke-'));
  const started = Date.now();
  const server = await startServerProcess({ DATA_DIR: dataDir }, { timeoutMs: 60_000 });
  try {
    const checks: [string, number][] = [];
    for (const url of ['/livez', '/readyz', '/extensions/panels/chat-panel/']) {
      const response = await fetch(`${server.url}${url}`);
      checks.push([url, response.status]);
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
    }
    const exitCode = await server.stop();
    if (exitCode !== 0) throw new Error(`the server exited with code ${exitCode} on SIGTERM`);
    process.stdout.write(
      `smoke: ${checks.map(([url, status]) => `${url} ${status}`).join(', ')}; clean exit; ${Date.now() - started} ms\n`,
    );
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

smoke().catch((error: unknown) => {
  process.stderr.write(`smoke test failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
