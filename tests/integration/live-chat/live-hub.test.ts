import { randomUUID } from 'node:crypto';
import { workspaces } from '../../../server/db/schema/index.ts';
import { createInProcessEventBus } from '../../../server/services/events/in-process-event-bus.ts';
import { createLiveHub, type StreamSink } from '../../../server/services/live/live-hub.ts';
import { appendEvent } from '../../../server/services/events/event-log.ts';
import { emitPanelEvent } from '../../helpers/live-chat.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { createTestLogger } from '../../helpers/test-logger.ts';
import { waitFor } from '../../helpers/wait-for.ts';

function memorySink() {
  const chunks: string[] = [];
  let ended = false;
  const sink: StreamSink = {
    write: (chunk) => void chunks.push(chunk),
    end: () => {
      ended = true;
    },
  };
  return { sink, chunks, ended: () => ended, ids: () => chunks.flatMap((c) => /^id: (\d+)/.exec(c)?.[1] ?? []) };
}

describe('live hub', () => {
  let database: TestDatabase;
  let workspaceId: string;
  const logger = createTestLogger();

  beforeAll(async () => {
    database = await createTestDatabase();
    workspaceId = randomUUID();
    await database.db.insert(workspaces).values({ id: workspaceId, name: 'Hub test' });
  });

  afterAll(async () => {
    await database.destroy();
  });

  it('sends heartbeat comments while a stream is idle', async () => {
    const bus = createInProcessEventBus(logger);
    const hub = createLiveHub({ db: database.db, bus, logger, heartbeatMs: 20 });
    const stream = memorySink();
    await hub.open({ companyId: 1, userId: 1, workspaceId, lastEventId: undefined, sink: stream.sink });
    await waitFor(() => stream.chunks.filter((chunk) => chunk === ': heartbeat\n\n').length >= 2);
    await hub.close();
    expect(stream.ended()).toBe(true);
    await bus.close();
  });

  it('caps concurrent streams per viewer and frees a slot when one ends', async () => {
    const bus = createInProcessEventBus(logger);
    const hub = createLiveHub({ db: database.db, bus, logger, maxStreamsPerViewer: 2 });
    const open = () =>
      hub.open({ companyId: 1, userId: 7, workspaceId, lastEventId: undefined, sink: memorySink().sink });
    const endFirst = await open();
    await open();
    await expect(open()).rejects.toMatchObject({ code: 'live.too_many_streams', statusCode: 429 });
    // Another user of the same company is not affected.
    await hub.open({ companyId: 1, userId: 8, workspaceId, lastEventId: undefined, sink: memorySink().sink });
    endFirst();
    await expect(open()).resolves.toEqual(expect.any(Function));
    expect(hub.streamCount()).toBe(3);
    await hub.close();
    await expect(open()).rejects.toMatchObject({ code: 'live.unavailable' });
    await bus.close();
  });

  it('tells a client too far behind to resync instead of replaying everything', async () => {
    const bus = createInProcessEventBus(logger);
    const hub = createLiveHub({ db: database.db, bus, logger, catchUpLimit: 2 });
    const start = await emitPanelEvent(database.db, bus, workspaceId, 'message.created', { chatId: 'a' });
    for (let i = 0; i < 3; i += 1) await emitPanelEvent(database.db, bus, workspaceId, 'message.created', { i });
    const stream = memorySink();
    await hub.open({ companyId: 1, userId: 1, workspaceId, lastEventId: start, sink: stream.sink });
    expect(stream.chunks.join('')).toContain('event: resync');
    const next = await emitPanelEvent(database.db, bus, workspaceId, 'chat.read', { chatId: 'a' });
    await waitFor(() => stream.ids().includes(String(next)));
    await hub.close();
    await bus.close();
  });

  it('re-reads from the table after the bus reconnects, so events announced meanwhile are not lost', async () => {
    const bus = createInProcessEventBus(logger);
    let reconnect: () => void = () => undefined;
    const hub = createLiveHub({
      db: database.db,
      bus: { ...bus, onReconnect: (handler) => ((reconnect = handler), () => undefined) },
      logger,
    });
    const stream = memorySink();
    await hub.open({ companyId: 1, userId: 1, workspaceId, lastEventId: undefined, sink: stream.sink });
    // Written while the bus was down: no notice reaches the hub.
    const missed = await database.db.transaction((tx) =>
      appendEvent(tx, { workspaceId, type: 'message.created', payload: {} }),
    );
    reconnect();
    await waitFor(() => stream.ids().includes(String(missed)));
    await hub.close();
    await bus.close();
  });
});
