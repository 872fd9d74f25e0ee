import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SandboxBusinessNumber } from '../../sandbox/whatsapp/emulator.ts';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import {
  benchSecrets,
  freePort,
  ROOT,
  startParleyProcess,
  type BenchSecrets,
  type ParleyProcess,
} from './processes.ts';
import { startSandboxProcess, type PipedriveUserRef, type SandboxProcess } from './sandbox-process.ts';

/** A signed-in dashboard user over real HTTP: cookies, plus the Origin and CSRF header on writes. */
export function dashboardSession(baseUrl: string) {
  const cookies = new Map<string, string>();
  let csrf: string | undefined;
  async function request(method: string, url: string, body?: unknown): Promise<Response> {
    const response = await fetch(new URL(url, baseUrl), {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(method === 'GET' ? {} : { origin: baseUrl, ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }) }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name !== undefined) cookies.set(name.trim(), value.join('='));
    }
    return response;
  }
  return {
    request,
    async refreshCsrf() {
      const response = await request('GET', '/api/session');
      csrf = ((await response.json()) as { csrfToken?: string }).csrfToken;
    },
  };
}

export interface Channel {
  id: string;
  webhookUrl: string;
  number: SandboxBusinessNumber;
}

/**
 * What most scenarios need: the sandbox and one Parley as child processes on a fresh database, the
 * demo company installed from the Marketplace by its admin (Ada) and the sandbox's business number
 * connected as a WhatsApp channel, with Meta's webhook pointed at Parley.
 */
export interface Stack {
  label: string;
  secrets: BenchSecrets;
  sandbox: SandboxProcess;
  parley: ParleyProcess;
  database: BenchDatabase;
  admin: PipedriveUserRef;
  channel: Channel;
  /** Stops Parley (graceful) but keeps the database for counting; `close` drops it. */
  stopParley(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(options: {
  label: string;
  logDir: string;
  runWorkers?: boolean;
  extraEnv?: Record<string, string>;
  nodeArgs?: string[];
}): Promise<Stack> {
  const secrets = benchSecrets();
  const [parleyPort, sandboxPort] = [await freePort(), await freePort()];
  mkdirSync(options.logDir, { recursive: true });
  const sandbox = await startSandboxProcess({
    port: sandboxPort,
    parleyUrl: `http://127.0.0.1:${parleyPort}`,
    pipedrive: secrets,
  });
  const database = await createBenchDatabase(options.label);
  let parley: ParleyProcess | undefined;
  let parleyStopped = false;
  const stopParley = async () => {
    if (parley !== undefined && !parleyStopped) {
      parleyStopped = true;
      await parley.stop();
    }
  };
  const close = async () => {
    await stopParley();
    await sandbox.stop();
    await database.drop();
  };
  try {
    parley = await startParleyProcess({
      port: parleyPort,
      sandboxPort,
      secrets,
      databaseEnv: database.env,
      logFile: path.join(options.logDir, `${options.label}.parley.log`),
      ...(options.runWorkers === undefined ? {} : { runWorkers: options.runWorkers }),
      ...(options.extraEnv === undefined ? {} : { extraEnv: options.extraEnv }),
      ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
    });
    const info = await sandbox.call('info');
    const number = info.numbers[0];
    if (number === undefined) throw new Error('the sandbox has no business number');
    const channel = await connectCompanyAndNumber(parley.url, sandbox, info.users.ada, number);
    return {
      label: options.label,
      secrets,
      sandbox,
      parley,
      database,
      admin: info.users.ada,
      channel,
      stopParley,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The admin installs Parley from the Marketplace, then adds the business number as a channel. */
async function connectCompanyAndNumber(
  parleyUrl: string,
  sandbox: SandboxProcess,
  admin: PipedriveUserRef,
  number: SandboxBusinessNumber,
): Promise<Channel> {
  const session = dashboardSession(parleyUrl);
  const code = await sandbox.call('authorizationCode', { userId: admin.userId });
  const installed = await session.request('GET', `/oauth/callback?code=${encodeURIComponent(code)}`);
  if (installed.headers.get('location') !== '/onboarding?new=1')
    throw new Error(`install failed: ${installed.status} ${await installed.text()}`);
  await session.refreshCsrf();
  const added = await session.request('POST', '/api/whatsapp/channels', {
    phoneNumberId: number.phoneNumberId,
    wabaId: number.wabaId,
    accessToken: number.accessToken,
    appSecret: number.appSecret,
  });
  if (added.status !== 201) throw new Error(`adding the number failed: ${added.status} ${await added.text()}`);
  const { channel } = (await added.json()) as {
    channel: { id: string; webhookUrl: string; verifyToken: string | null };
  };
  const verification = await sandbox.call('configureWebhook', {
    appId: number.appId,
    callbackUrl: channel.webhookUrl,
    verifyToken: channel.verifyToken ?? '',
  });
  if (!verification.ok) throw new Error(`Meta's webhook handshake failed: ${JSON.stringify(verification)}`);
  return { id: channel.id, webhookUrl: channel.webhookUrl, number };
}

export const BENCH_ROOT = path.join(ROOT, 'bench');
