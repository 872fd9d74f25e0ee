import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { EventsTicketResponse } from '../../../contracts/panel-chat.ts';
import { createPostgresEventBus } from '../../../server/services/events/postgres-event-bus.ts';
import { connectAcmeAndGlobex, emitPanelEvent, openEventStream, workspaceOfCompany } from '../../helpers/live-chat.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { createTestDatabase } from '../../helpers/test-database.ts';
import { TEST_LOG_FILE_ENV, testDatabaseUrl } from '../../helpers/test-env.ts';
import { createTestLogger } from '../../helpers/test-logger.ts';
import { waitFor } from '../../helpers/wait-for.ts';

/** Moves with real time plus an offset the test controls (ticket expiry). */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

const baseUrl = (testApp: TestApp) => `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;

async function ticketFor(testApp: TestApp, user: PipedriveUser) {
  return testApp.app.inject({
    method: 'POST',
    url: '/api/panel/events-ticket',
    headers: bearer(await signPanelToken(user)),
  });
}

async function mintTicket(testApp: TestApp, user: PipedriveUser): Promise<string> {
  const response = await ticketFor(testApp, user);
  expect(response.statusCode).toBe(200);
  return response.json<EventsTicketResponse>().ticket;
}

describe('live updates (Server-Sent Events)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config(), clock });
    await connectAcmeAndGlobex(testApp, pd, [pd.users.sam]);
    acme = await workspaceOfCompany(testApp.database.db, pd.users.ada.companyId);
    globex = await workspaceOfCompany(testApp.database.db, pd.users.gina.companyId);
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const emit = (workspaceId: string, type: string, payload: Record<string, unknown>) =>
    emitPanelEvent(testApp.database.db, testApp.eventBus, workspaceId, type, payload);
  const streamUrl = (ticket: string, extra = '') =>
    `${baseUrl(testApp)}/api/panel/events?ticket=${encodeURIComponent(ticket)}${extra}`;

  it('streams the viewer’s workspace events with their seq as id, and never another company’s (T2)', async () => {
    const stream = await openEventStream(streamUrl(await mintTicket(testApp, pd.users.sam)));
    try {
      expect(stream.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
      await waitFor(() => stream.comments.includes('connected'));
      const theirs = await emit(globex, 'message.created', { chatId: 'globex-chat' });
      const ours = await emit(acme, 'message.created', { chatId: 'acme-chat' });
      await waitFor(() => stream.events.length >= 1);
      // The second event of ours proves the stream is still flowing after B's was published.
      const ours2 = await emit(acme, 'message.updated', { chatId: 'acme-chat', messageId: 'm1' });
      await waitFor(() => stream.events.length >= 2);
      expect(stream.events.map((event) => event.id)).toEqual([String(ours), String(ours2)]);
      expect(stream.payloads()).toEqual([
        expect.objectContaining({ seq: ours, type: 'message.created', payload: { chatId: 'acme-chat' } }),
        expect.objectContaining({ seq: ours2, type: 'message.updated' }),
      ]);
      expect(JSON.stringify(stream.events)).not.toContain('globex-chat');
      expect(theirs).toBeLessThan(ours);
    } finally {
      await stream.close();
    }
  });

  it('catches up from Last-Event-ID (header or query) and then continues live', async () => {
    const first = await emit(acme, 'message.created', { chatId: 'c', n: 1 });
    const second = await emit(acme, 'message.created', { chatId: 'c', n: 2 });
    await emit(globex, 'message.created', { chatId: 'other' });
    const third = await emit(acme, 'message.created', { chatId: 'c', n: 3 });

    const byHeader = await openEventStream(streamUrl(await mintTicket(testApp, pd.users.sam)), {
      'last-event-id': String(first),
    });
    const byQuery = await openEventStream(streamUrl(await mintTicket(testApp, pd.users.ada), `&lastEventId=${second}`));
    try {
      await waitFor(() => byHeader.events.length >= 2 && byQuery.events.length >= 1);
      expect(byHeader.events.map((event) => Number(event.id))).toEqual([second, third]);
      expect(byQuery.events.map((event) => Number(event.id))).toEqual([third]);
      const live = await emit(acme, 'chat.read', { chatId: 'c' });
      await waitFor(() => byHeader.events.length >= 3 && byQuery.events.length >= 2);
      expect(byHeader.events.at(-1)?.id).toBe(String(live));
      expect(byQuery.events.at(-1)?.id).toBe(String(live));
    } finally {
      await byHeader.close();
      await byQuery.close();
    }
  });

  it('refuses a reused, expired or forged ticket with 401, and a malformed Last-Event-ID with 400', async () => {
    const ticket = await mintTicket(testApp, pd.users.sam);
    const first = await openEventStream(streamUrl(ticket));
    const reuse = await openEventStream(streamUrl(ticket));
    expect(reuse.status).toBe(401);
    expect(await reuse.response.json()).toMatchObject({ error: { code: 'live.ticket_invalid' } });
    await first.close();

    const expiring = await mintTicket(testApp, pd.users.sam);
    clock.offsetMs = 61_000;
    try {
      const expired = await openEventStream(streamUrl(expiring));
      expect(expired.status).toBe(401);
      await expired.response.body?.cancel();
    } finally {
      clock.offsetMs = 0;
    }

    // Sam's ticket rewritten to name Globex's company: the signature no longer matches.
    const [body, signature] = (await mintTicket(testApp, pd.users.sam)).split('.');
    const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, companyId: pd.users.gina.companyId })).toString(
      'base64url',
    );
    const forged = await openEventStream(streamUrl(`${forgedBody}.${signature}`));
    expect(forged.status).toBe(401);
    await forged.response.body?.cancel();

    const malformed = await openEventStream(streamUrl(await mintTicket(testApp, pd.users.sam)), {
      'last-event-id': 'abc',
    });
    expect(malformed.status).toBe(400);
    await malformed.response.body?.cancel();
  });

  it('mints tickets only for a verified panel token of a viewer who can chat', async () => {
    const missing = await testApp.app.inject({ method: 'POST', url: '/api/panel/events-ticket' });
    expect(missing.statusCode).toBe(401);
    const wrongSecret = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/events-ticket',
      headers: bearer(await signPanelToken(pd.users.sam, { secret: 'not-the-app-secret' })),
    });
    expect(wrongSecret.statusCode).toBe(401);
    // Rita never connected for herself: no live chat for her yet.
    const rita = await ticketFor(testApp, pd.users.rita);
    expect(rita.statusCode).toBe(409);
    expect(rita.json()).toMatchObject({ error: { code: 'connections.personal_not_connected' } });
  });

  it('keeps tickets out of the logs', async () => {
    const ticket = await mintTicket(testApp, pd.users.sam);
    const stream = await openEventStream(streamUrl(ticket));
    await stream.close();
    const logFile = process.env[TEST_LOG_FILE_ENV];
    if (logFile === undefined) throw new Error('the suite log file is not set');
    const logs = readFileSync(logFile, 'utf8');
    expect(logs).toContain('/api/panel/events?ticket=');
    expect(logs).not.toContain(ticket.split('.')[1]);
  });

  it('ends open streams cleanly when the app shuts down', async () => {
    const stream = await openEventStream(streamUrl(await mintTicket(testApp, pd.users.sam)));
    await waitFor(() => stream.comments.includes('connected'));
    await testApp.app.close();
    await stream.ended;
    expect(stream.status).toBe(200);
  });
});

// LISTEN/NOTIFY between two instances needs a real PostgreSQL server (skipped on PGlite, as in CI it runs).
const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

withPostgres('live updates across two instances on one PostgreSQL (T2)', () => {
  it('delivers an event published by one instance to the other’s stream, only for its company', async () => {
    const pd = await startPipedriveSandbox();
    const database = await createTestDatabase();
    const busFor = () =>
      createPostgresEventBus({
        connectionString: database.connectionString,
        pool: database.pool,
        logger: createTestLogger(),
      });
    const one = await createTestApp({ config: pd.config(), database, eventBus: await busFor() });
    const two = await createTestApp({ config: pd.config(), database, eventBus: await busFor() });
    try {
      await connectAcmeAndGlobex(one, pd, [pd.users.sam]);
      const acme = await workspaceOfCompany(database.db, pd.users.ada.companyId);
      const globex = await workspaceOfCompany(database.db, pd.users.gina.companyId);
      await two.app.listen({ port: 0, host: '127.0.0.1' });
      const ticket = await mintTicket(one, pd.users.sam);
      const stream = await openEventStream(`${baseUrl(two)}/api/panel/events?ticket=${encodeURIComponent(ticket)}`);
      try {
        await waitFor(() => stream.comments.includes('connected'));
        await emitPanelEvent(database.db, one.eventBus, globex, 'message.created', { chatId: 'globex' });
        const ours = await emitPanelEvent(database.db, one.eventBus, acme, 'message.created', { chatId: 'acme' });
        await waitFor(() => stream.events.length >= 1);
        const next = await emitPanelEvent(database.db, one.eventBus, acme, 'chat.read', { chatId: 'acme' });
        await waitFor(() => stream.events.length >= 2);
        expect(stream.events.map((event) => Number(event.id))).toEqual([ours, next]);
      } finally {
        await stream.close();
      }
    } finally {
      await two.close();
      await one.close();
      await database.destroy();
      await pd.close();
    }
  });
});
