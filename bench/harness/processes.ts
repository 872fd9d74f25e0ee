import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { generateKeyRingText } from '../../server/services/crypto/key-ring.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** A free loopback port (the sandbox and Parley must know each other's URL before either starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/** Secrets for one benchmark run: Parley and the sandbox's registration of it share them. */
export function benchSecrets() {
  return {
    clientId: 'parley-bench',
    clientSecret: randomBytes(24).toString('base64url'),
    jwtSecret: randomBytes(24).toString('base64url'),
    sessionSecret: randomBytes(32).toString('base64url'),
    encryptionKeys: generateKeyRingText(),
  };
}
export type BenchSecrets = ReturnType<typeof benchSecrets>;

/** Polls a URL until it answers 200 (a condition, polled every `everyMs`), or fails after `timeoutMs`. */
export async function waitForOk(
  url: string,
  options: { timeoutMs?: number; everyMs?: number; exited?: () => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (options.exited?.() === true) throw new Error(`the process exited before ${url} answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${options.timeoutMs ?? 60_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50));
  }
}

/** Resident memory of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds. On a machine shared with
 * other work, CPU per request moves far less than requests per second (a process that waits for a
 * core is not charged for the wait). Linux clock ticks are 1/100 s (USER_HZ).
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface ParleyProcess {
  url: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  rssMb(): number;
  cpuMs(): number;
  /** SIGTERM (graceful shutdown), then waits for the exit. */
  stop(): Promise<number | null>;
}

/**
 * Runs Parley (`node server/main.ts`, as `npm start` and `npm run worker` do) as a child process,
 * pointed at a sandbox child for Pipedrive and Meta, and resolves once `/readyz` answers 200. Its
 * logs go to a file, not through this process: at thousands of requests per second, parsing them
 * here would take CPU from the load generator.
 */
export async function startParleyProcess(options: {
  port: number;
  sandboxPort: number;
  secrets: BenchSecrets;
  databaseEnv: Record<string, string>;
  logFile: string;
  runWorkers?: boolean;
  extraEnv?: Record<string, string>;
  /** Extra Node flags, e.g. `--cpu-prof` to profile Parley under load. */
  nodeArgs?: string[];
}): Promise<ParleyProcess> {
  const sandboxUrl = `http://localhost:${options.sandboxPort}`;
  const url = `http://127.0.0.1:${options.port}`;
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(options.port),
      PUBLIC_URL: url,
      LOG_LEVEL: 'info',
      SANDBOX: 'true',
      SANDBOX_PORT: String(options.sandboxPort),
      PIPEDRIVE_CLIENT_ID: options.secrets.clientId,
      PIPEDRIVE_CLIENT_SECRET: options.secrets.clientSecret,
      PIPEDRIVE_JWT_SECRET: options.secrets.jwtSecret,
      PIPEDRIVE_OAUTH_URL: sandboxUrl,
      WHATSAPP_GRAPH_URL: sandboxUrl,
      SESSION_SECRET: options.secrets.sessionSecret,
      ENCRYPTION_KEYS: options.secrets.encryptionKeys,
      RUN_WORKERS: String(options.runWorkers ?? true),
      ...options.databaseEnv,
      ...options.extraEnv,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForOk(`${url}/readyz`, { exited: () => child.exitCode !== null }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${readFileSync(options.logFile, 'utf8').slice(-3000)}`);
  });
  return {
    url,
    port: options.port,
    child,
    logFile: options.logFile,
    rssMb: () => rssMb(child.pid ?? 0),
    cpuMs: () => cpuMs(child.pid ?? 0),
    stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
