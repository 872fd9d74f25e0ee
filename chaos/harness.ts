import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { appFromManifest } from '../sandbox/app-registration.ts';
import { startSandbox, type Sandbox } from '../sandbox/index.ts';
import { withClient } from '../bench/harness/database.ts';
import { freePort } from '../bench/harness/processes.ts';
import { Balancer, DatabaseProxy, ManagedProcess } from './processes.ts';
import type { ChaosReport } from './report.ts';
import { pick, restartPostgresCluster, sleep, withDatabase } from './support.ts';
import { setUpCompanies } from './tenants.ts';
import { isClean, messageToken, verify } from './verify.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ChaosOptions {
  /** Server URL with rights to create a database (TEST_DATABASE_URL / DATABASE_URL). */
  adminDatabaseUrl: string;
  messages: number;
  chats: number;
  /** 1–3 companies, each with its own WhatsApp business number. */
  companies: number;
  /** Roughly how long the customers take to send everything. */
  sendDurationMs: number;
  /**
   * `random`: a random web or worker process gets `kill -9` (and is restarted) about every
   * `killEveryMs` while the customers write, at most `maxKills` times. `workers-mid-sync`: once a
   * `sync.chat` job is running, every worker is killed at once (so the one running it surely dies),
   * `maxKills` times (F10 with real processes).
   */
  killPlan: 'random' | 'workers-mid-sync';
  killEveryMs: number;
  maxKills: number;
  /**
   * Half-way through sending: `restart` restarts the machine's PostgreSQL cluster (pg_ctlcluster);
   * `outage` cuts Parley's connections at a proxy and refuses new ones for `databaseOutageMs` (F9
   * without disturbing anyone else on the server); `none`.
   */
  databaseFault: 'restart' | 'outage' | 'none';
  databaseOutageMs: number;
  /** Gives up waiting for the system to settle after this long (the run then reports what is missing). */
  drainTimeoutMs: number;
  /** Sandbox faults: Pipedrive 5xx (before / after the write), WhatsApp duplicate webhooks. */
  faults: { pipedrive5xxRate: number; pipedriveLostResponseRate: number; webhookDuplicateRate: number };
  /** Keep the database afterwards (for digging into a failed run). */
  keepDatabase: boolean;
  log: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: Omit<ChaosOptions, 'adminDatabaseUrl' | 'log'> = {
  messages: 10_000,
  chats: 200,
  companies: 3,
  sendDurationMs: 240_000,
  killPlan: 'random',
  killEveryMs: 5_000,
  maxKills: Number.POSITIVE_INFINITY,
  databaseFault: 'restart',
  databaseOutageMs: 5_000,
  drainTimeoutMs: 360_000,
  faults: { pipedrive5xxRate: 0.03, pipedriveLostResponseRate: 0.02, webhookDuplicateRate: 0.05 },
  keepDatabase: false,
};

/**
 * The chaos run (issue 13 §2): real PostgreSQL, two web instances and two workers as child
 * processes, the sandbox in this process; customers write through the sandbox's WhatsApp while
 * processes are killed with SIGKILL, PostgreSQL restarts once, and the sandbox injects faults. At
 * the end everything is checked against the sandbox's own record (verify.ts).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const startedAt = Date.now();
  const workDir = mkdtempSync(path.join(tmpdir(), 'parley-chaos-'));
  const databaseName = `parley_chaos_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = withDatabase(options.adminDatabaseUrl, databaseName);
  await withClient(options.adminDatabaseUrl, (client) => client.query(`create database "${databaseName}"`));
  log(`database ${databaseName}; logs in ${workDir}`);

  const secrets = {
    clientId: `parley-chaos-${randomBytes(4).toString('hex')}`,
    clientSecret: randomBytes(24).toString('hex'),
    jwtSecret: randomBytes(24).toString('hex'),
  };
  const webPorts = [await freePort(), await freePort()];
  const webs: ManagedProcess[] = [];
  const balancer = new Balancer(webs);
  const publicUrl = await balancer.listen();

  // Parley's processes reach PostgreSQL through a proxy the harness can cut (databaseFault 'outage');
  // the harness's own checks go straight to the server.
  const server = new URL(options.adminDatabaseUrl);
  const databaseProxy = new DatabaseProxy({ host: server.hostname, port: Number(server.port || 5432) });
  const proxiedUrl = new URL(databaseUrl);
  proxiedUrl.hostname = '127.0.0.1';
  proxiedUrl.port = String(await databaseProxy.listen());

  let sandbox: Sandbox | undefined;
  const processes: ManagedProcess[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  pool.on('error', () => undefined); // a PostgreSQL restart drops idle clients; the next query reconnects
  try {
    sandbox = await startSandbox({
      port: 0,
      // Meta's 15 s webhook retry becomes 0.75 s: a failed delivery comes back within the run.
      timeScale: 0.05,
      apps: [
        appFromManifest({
          manifestDir: path.join(ROOT, 'manifest'),
          publicUrl,
          clientId: secrets.clientId,
          clientSecret: secrets.clientSecret,
          jwtSecret: secrets.jwtSecret,
        }),
      ],
      whatsappFaults: {
        duplicateRate: options.faults.webhookDuplicateRate,
        reorderStatuses: true,
        // Meta's backoff doubles for days; capped at 60 s (3 s here) so a webhook refused several
        // times in a row (a loaded machine, every web instance down) still arrives within the run.
        retry: { maxDelayMs: 60_000 },
      },
    });
    const env: Record<string, string> = {
      DATABASE_URL: proxiedUrl.toString(),
      PUBLIC_URL: publicUrl,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SANDBOX: 'false',
      PIPEDRIVE_CLIENT_ID: secrets.clientId,
      PIPEDRIVE_CLIENT_SECRET: secrets.clientSecret,
      PIPEDRIVE_JWT_SECRET: secrets.jwtSecret,
      PIPEDRIVE_OAUTH_URL: sandbox.url,
      WHATSAPP_GRAPH_URL: sandbox.url,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      RUN_WORKERS: 'false',
    };
    for (const [index, port] of webPorts.entries()) {
      const name = `web-${index + 1}`;
      const dataDir = path.join(workDir, name);
      mkdirSync(dataDir);
      webs.push(
        new ManagedProcess({
          name,
          role: 'web',
          port,
          env: { ...env, DATA_DIR: dataDir },
          logFile: path.join(workDir, `${name}.log`),
        }),
      );
    }
    const workers = [1, 2].map((index) => {
      const name = `worker-${index}`;
      const dataDir = path.join(workDir, name);
      mkdirSync(dataDir);
      return new ManagedProcess({
        name,
        role: 'worker',
        env: { ...env, DATA_DIR: dataDir },
        logFile: path.join(workDir, `${name}.log`),
      });
    });
    processes.push(...webs, ...workers);
    // The first web instance migrates the fresh database; the others find it done.
    await webs[0]?.start();
    await Promise.all([webs[1]?.start(), ...workers.map((worker) => worker.start())]);
    log(`Parley: 2 web instances behind ${publicUrl}, 2 workers; sandbox at ${sandbox.url}`);

    const chats = await setUpCompanies(sandbox, pool, publicUrl, secrets.clientId, options);
    sandbox.pipedrive.setKnobs({
      serverErrorRate: options.faults.pipedrive5xxRate,
      serverErrorAfterWriteRate: options.faults.pipedriveLostResponseRate,
    });
    const callsBefore = sandbox.pipedrive.state.apiCalls.length;

    // Chaos: kills while the customers write, and one database fault half-way through.
    const kills = { web: 0, worker: 0 };
    let killRounds = 0;
    let postgresRestarts = 0;
    let databaseOutages = 0;
    let sending = true;
    const kill = async (victim: ManagedProcess) => {
      kills[victim.role] += 1;
      log(`kill -9 ${victim.name} (kill ${kills.web + kills.worker})`);
      await victim
        .killAndRestart()
        .catch((error: unknown) => log(`restart of ${victim.name} failed: ${String(error)}`));
    };
    const chaos = (async () => {
      while (sending && killRounds < options.maxKills) {
        if (options.killPlan === 'random') {
          await sleep(options.killEveryMs * (0.5 + Math.random()));
          if (!sending) break;
          killRounds += 1;
          await kill(pick(processes));
          continue;
        }
        // Waiting for a condition in another process: poll the job table.
        await sleep(100);
        const running = await pool
          .query(`select 1 from pgboss.job where name = 'sync.chat' and state = 'active' limit 1`)
          .then(
            (result) => result.rowCount ?? 0,
            () => 0,
          );
        if (running === 0) continue;
        killRounds += 1;
        await Promise.all(workers.map((worker) => kill(worker)));
      }
    })();
    const databaseFault = async (): Promise<void> => {
      if (options.databaseFault === 'restart') {
        postgresRestarts += 1;
        log('restarting PostgreSQL (pg_ctlcluster … restart)');
        await restartPostgresCluster().then(
          () => log('PostgreSQL is back'),
          (error: unknown) => log(`PostgreSQL restart failed: ${String(error)}`),
        );
      } else if (options.databaseFault === 'outage') {
        databaseOutages += 1;
        log(`database unreachable for ${options.databaseOutageMs} ms (connections cut at the proxy)`);
        await databaseProxy.outage(options.databaseOutageMs);
        log('database reachable again');
      }
    };

    const sendStarted = Date.now();
    let sent = 0;
    let databaseFaulted = false;
    let databaseFaultDone: Promise<void> = Promise.resolve();
    const remaining = chats.map((chat, index) => ({
      chat,
      left: Math.floor(options.messages / chats.length) + (index < options.messages % chats.length ? 1 : 0),
    }));
    while (sent < options.messages) {
      const open = remaining.filter((entry) => entry.left > 0);
      const entry = pick(open);
      // Customers write in bursts of a few messages, as people do.
      const burst = Math.min(entry.left, 1 + Math.floor(Math.random() * 5));
      for (let i = 0; i < burst; i += 1) {
        sent += 1;
        entry.left -= 1;
        sandbox.whatsapp.sendFromCustomer({
          from: entry.chat.waId,
          name: entry.chat.name,
          to: entry.chat.phoneNumberId,
          text: `${messageToken(sent)} hello from ${entry.chat.name} <b>&amp; ünïcödé 🌻</b>`,
        });
      }
      if (!databaseFaulted && sent >= options.messages / 2) {
        databaseFaulted = true;
        databaseFaultDone = databaseFault();
      }
      // Paces the load generator to the planned duration.
      const due = sendStarted + (options.sendDurationMs * sent) / options.messages;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    const sendSeconds = (Date.now() - sendStarted) / 1000;
    log(`sent ${sent} messages in ${sendSeconds.toFixed(1)} s`);
    sending = false;
    await chaos;
    await databaseFaultDone;

    // Drain: no more kills; wait until everything is where it belongs (or give up and report).
    const drainStarted = Date.now();
    let verification = await verify(sandbox, pool, chats).catch(() => undefined);
    let lastLog = 0;
    while (verification === undefined || !isClean(verification)) {
      if (Date.now() - drainStarted > options.drainTimeoutMs) break;
      if (Date.now() - lastLog > 15_000 && verification !== undefined) {
        lastLog = Date.now();
        log(
          `draining: ${verification.storedOnce}/${verification.sent} stored, ${verification.inOneNoteLine} in notes, ` +
            `${verification.inboxUnprocessed} inbox rows and ${verification.jobsPending} jobs pending`,
        );
      }
      // Polling the end state: the harness has no event telling it that Parley is done.
      await sleep(1_000);
      verification = await verify(sandbox, pool, chats).catch(() => undefined);
    }
    verification ??= await verify(sandbox, pool, chats);
    const drainSeconds = (Date.now() - drainStarted) / 1000;

    const attempts = sandbox.whatsapp.deliveryAttempts();
    const calls = sandbox.pipedrive.state.apiCalls.slice(callsBefore);
    const jobRetries = Number(
      (await pool.query<{ count: string }>(`select coalesce(sum(retry_count), 0) as count from pgboss.job`)).rows[0]
        ?.count ?? 0,
    );
    const crashLog = processes.flatMap((process) => process.crashLog);
    const report: ChaosReport = {
      passed: isClean(verification),
      verification,
      figures: {
        messagesSent: sent,
        chats: chats.length,
        companies: options.companies,
        kills,
        crashes: processes.reduce((sum, process) => sum + process.crashes, 0),
        crashLog,
        postgresRestarts,
        databaseOutages,
        databaseRefused: databaseProxy.refused,
        webhookPosts: attempts.length,
        webhookRetries: attempts.filter((attempt) => attempt.attempt > 1).length,
        webhookDuplicatesInjected: attempts.filter((attempt) => attempt.duplicateOf !== null).length,
        webhookFailedAttempts: attempts.filter((attempt) => attempt.status !== 200).length,
        balancerResets: balancer.refused,
        pipedriveCalls: calls.length,
        pipedrive429: calls.filter((call) => call.status === 429).length,
        pipedrive5xxInjected: calls.filter((call) => call.status >= 500).length,
        jobRetries,
        lost: verification.notStored + verification.missingFromNotes,
        duplicated: verification.storedTwice + verification.duplicatedInNotes,
        sendSeconds,
        drainSeconds,
        totalSeconds: (Date.now() - startedAt) / 1000,
      },
      workDir,
      databaseName,
    };
    return report;
  } finally {
    await Promise.all(processes.map((process) => process.stop()));
    await balancer.close();
    await databaseProxy.close();
    await pool.end().catch(() => undefined);
    await sandbox?.close();
    if (!options.keepDatabase) {
      await withClient(options.adminDatabaseUrl, (client) =>
        client.query(`drop database if exists "${databaseName}" with (force)`),
      ).catch((error: unknown) => log(`could not drop ${databaseName}: ${String(error)}`));
    }
  }
}
