import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { startServerProcess, type ServerProcess } from '../../../scripts/server-process.ts';
import { channels, inboxEvents, workspaces } from '../../../server/db/schema/index.ts';
import { parseKeyRing } from '../../../server/services/crypto/key-ring.ts';
import { createSecretBox } from '../../../server/services/crypto/secret-box.ts';
import { sealCredentials } from '../../../server/services/whatsapp/channel-credentials.ts';
import { signLikeMeta } from '../../../server/services/whatsapp/cloud-api/webhook-signature.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';
import { testDatabaseUrl } from '../../helpers/test-env.ts';
import { freePort, metaJson, notification } from '../../helpers/whatsapp-parley.ts';

const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;
const APP_SECRET = 'f11-app-secret';
const PHONE_NUMBER_ID = '110000000000001';
const TOTAL = 240;
const KILL_AT_ACKS = [30, 90, 160];

/**
 * F11 (reliability.md §4.1): a sender posts signed webhooks and, like Meta, retries every request it
 * did not see answered with 200; the web process is killed with SIGKILL at several points mid-stream
 * and restarted. Every acknowledged wamid must be in the inbox, each exactly once.
 */
withPostgres('F11: kill -9 of the web process during ingest', () => {
  let database: TestDatabase;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await database.destroy();
  });

  it('every ACKed wamid is stored once, across three kills', async () => {
    database = await createTestDatabase();
    const [workspace] = await database.db.insert(workspaces).values({ name: 'F11' }).returning();
    const channelId = randomUUID();
    const box = createSecretBox(parseKeyRing(TEST_SECRETS.encryptionKey));
    await database.db.insert(channels).values({
      id: channelId,
      workspaceId: workspace?.id ?? '',
      provider: 'whatsapp_cloud',
      displayName: 'F11',
      externalId: PHONE_NUMBER_ID,
      externalAccountId: '220000000000002',
      credentialsCiphertext: sealCredentials(box, channelId, {
        accessToken: 'EAA',
        appSecret: APP_SECRET,
        verifyToken: 'v',
      }),
    });

    const port = await freePort();
    const env = {
      DATABASE_URL: database.connectionString,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'parley-f11-')),
      PORT: String(port),
      SANDBOX: 'off',
      PIPEDRIVE_CLIENT_ID: 'f11',
      PIPEDRIVE_CLIENT_SECRET: 'f11-secret',
      ENCRYPTION_KEYS: TEST_SECRETS.encryptionKey,
      SESSION_SECRET: TEST_SECRETS.sessionSecret,
      RUN_WORKERS: 'false',
    };
    const start = () => startServerProcess(env);
    server = await start();

    const bodies = Array.from({ length: TOTAL }, (_, index) => {
      const wamid = `wamid.f11-${index}`;
      const body = metaJson(
        notification('220000000000002', {
          metadata: { display_phone_number: '15550001111', phone_number_id: PHONE_NUMBER_ID },
          contacts: [{ profile: { name: 'Kill Test ☠️' }, wa_id: '34600111222' }],
          messages: [
            { from: '34600111222', id: wamid, timestamp: '1764500000', type: 'text', text: { body: `n° ${index}` } },
          ],
        }),
      );
      return { wamid, body, signature: signLikeMeta(body, APP_SECRET) };
    });
    const acked = new Set<string>();
    let attempts = 0;
    let restarting: Promise<void> | undefined;
    const killsDone: number[] = [];

    async function killAndRestart() {
      server?.child.kill('SIGKILL');
      await new Promise<void>((resolve) => server?.child.once('exit', () => resolve()));
      server = await start();
    }

    async function deliverUntilAcked(item: (typeof bodies)[number]) {
      for (;;) {
        attempts += 1;
        await restarting;
        const ok = await fetch(`http://127.0.0.1:${port}/webhooks/whatsapp/${channelId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': item.signature },
          body: item.body,
        })
          .then((response) => response.status === 200)
          .catch(() => false);
        if (ok) {
          acked.add(item.wamid);
          const due = KILL_AT_ACKS.find((at) => acked.size >= at && !killsDone.includes(at));
          if (due !== undefined && restarting === undefined) {
            killsDone.push(due);
            restarting = killAndRestart().finally(() => (restarting = undefined));
          }
          return;
        }
        // Like Meta, try again later; the wait is the sender's backoff, not a synchronization.
        await (restarting ?? new Promise((resolve) => setTimeout(resolve, 20)));
      }
    }

    // Ten concurrent senders, so kills land while requests are in flight.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < bodies.length) {
          const item = bodies[next];
          next += 1;
          if (item !== undefined) await deliverUntilAcked(item);
        }
      }),
    );
    await restarting;

    expect(killsDone).toEqual(KILL_AT_ACKS);
    expect(acked.size).toBe(TOTAL);
    const rows = await database.db.select().from(inboxEvents).where(eq(inboxEvents.channelId, channelId));
    const keys = rows.map((row) => row.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(bodies.map((item) => `${channelId}:message:${item.wamid}`).sort());
    expect(attempts).toBeGreaterThanOrEqual(TOTAL);
    // Every stored row has its processing job (same transaction), even those stored just before a kill.
    const jobs = await database.pool.query<{ ids: number[] }>(
      "select data->'inboxIds' as ids from pgboss.job where name = 'whatsapp.process-inbox'",
    );
    const queued = new Set(jobs.rows.flatMap((row) => row.ids));
    expect(rows.every((row) => queued.has(row.id))).toBe(true);
  }, 180_000);
});
