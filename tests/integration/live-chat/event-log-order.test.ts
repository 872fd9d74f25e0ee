import { randomUUID } from 'node:crypto';
import { workspaces } from '../../../server/db/schema/index.ts';
import type { JsonValue } from '../../../server/services/events/event-bus.ts';
import { appendEvent, appendEvents } from '../../../server/services/events/event-log.ts';
import { createInProcessEventBus } from '../../../server/services/events/in-process-event-bus.ts';
import { createPostgresEventBus } from '../../../server/services/events/postgres-event-bus.ts';
import { createLiveHub, type StreamSink } from '../../../server/services/live/live-hub.ts';
import { announcePanelEvent, workspaceEventsTopic } from '../../../server/services/live/panel-events.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { testDatabaseUrl } from '../../helpers/test-env.ts';
import { createTestLogger } from '../../helpers/test-logger.ts';
import { waitFor } from '../../helpers/wait-for.ts';

// Concurrent transactions need several connections: PostgreSQL only (PGlite has one session).
const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

/**
 * Event seqs of one workspace become visible in seq order, so a live stream that reads
 * `seq > last sent` never moves past an event whose transaction commits late (the benchmark saw
 * 39 of 40 events arrive with four inbox workers before this held).
 */
withPostgres('the event log under concurrent writers', () => {
  let database: TestDatabase;
  const logger = createTestLogger();
  const newWorkspace = async () => {
    const id = randomUUID();
    await database.db.insert(workspaces).values({ id, name: `Order ${id.slice(0, 8)}` });
    return id;
  };
  /** Transactions of this database waiting for an advisory lock right now. */
  const waitingForLock = async () => {
    const result = await database.pool.query<{ count: string }>(
      `select count(*) from pg_locks
        where locktype = 'advisory' and not granted
          and database = (select oid from pg_database where datname = current_database())`,
    );
    return Number(result.rows[0]?.count) > 0;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('a second writer of the workspace waits for the first to commit; a stream gets both events in order', async () => {
    const workspaceId = await newWorkspace();
    const otherWorkspaceId = await newWorkspace();
    const bus = createInProcessEventBus(logger);
    const hub = createLiveHub({ db: database.db, bus, logger });
    const ids: number[] = [];
    const sink: StreamSink = {
      write: (chunk) => {
        const id = /^id: (\d+)/.exec(chunk)?.[1];
        if (id !== undefined) ids.push(Number(id));
      },
      end: () => undefined,
    };
    const close = await hub.open({ companyId: 1, userId: 1, workspaceId, lastEventId: undefined, sink });

    let releaseFirst: () => void = () => undefined;
    const firstMayCommit = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstSeq = 0;
    let firstAppended: () => void = () => undefined;
    const appended = new Promise<void>((resolve) => {
      firstAppended = resolve;
    });
    const first = database.db.transaction(async (tx) => {
      firstSeq = await appendEvent(tx, { workspaceId, type: 'message.created', payload: { n: 1 } });
      firstAppended();
      await firstMayCommit;
    });
    await appended;

    const second = database.db
      .transaction((tx) => appendEvent(tx, { workspaceId, type: 'message.status', payload: { n: 2 } }))
      .then(async (seq) => {
        await announcePanelEvent(bus, workspaceId, seq);
        return seq;
      });
    // Another workspace's writer is not held up by this one's open transaction.
    const otherSeq = await database.db.transaction((tx) =>
      appendEvent(tx, { workspaceId: otherWorkspaceId, type: 'message.created', payload: {} }),
    );
    expect(otherSeq).toBeGreaterThan(firstSeq);

    // The second writer of this workspace waits on the workspace's lock instead of committing first.
    const outcome = await Promise.race([
      second.then(() => 'committed before the first' as const),
      waitFor(waitingForLock, { message: 'the second writer waits for the lock' }).then(() => 'waiting' as const),
    ]);
    expect(outcome).toBe('waiting');

    releaseFirst();
    await first;
    await announcePanelEvent(bus, workspaceId, firstSeq);
    const secondSeq = await second;
    expect(secondSeq).toBeGreaterThan(firstSeq);
    await waitFor(() => ids.length >= 2, { message: 'both events streamed' });
    expect(ids).toEqual([firstSeq, secondSeq]);
    close();
    await hub.close();
    await bus.close();
  });

  it("announced from the events statement, a workspace's highest seq reaches listeners at the commit, and nothing on rollback", async () => {
    const workspaceId = await newWorkspace();
    const bus = await createPostgresEventBus({
      connectionString: database.connectionString,
      pool: database.pool,
      logger,
    });
    const heard: JsonValue[] = [];
    bus.subscribe(workspaceEventsTopic(workspaceId), (payload) => heard.push(payload));
    // Notifications reach a listener in commit order: once a marker published after a point is
    // heard, anything committed before that point has been heard too.
    const markerHeard = async (name: string) => {
      const heardMarker = new Promise<void>((resolve) => {
        const unsubscribe = bus.subscribe(name, () => {
          unsubscribe();
          resolve();
        });
      });
      await bus.publish(name, {});
      await heardMarker;
    };
    const notify = { channel: bus.notifyChannel ?? '', topicOf: workspaceEventsTopic };
    expect(bus.notifyChannel).toBeDefined();

    let seqs: number[] = [];
    await database.db.transaction(async (tx) => {
      seqs = await appendEvents(
        tx,
        [1, 2, 3].map((n) => ({ workspaceId, type: 'message.created', payload: { n } })),
        notify,
      );
      await markerHeard('before-commit');
      expect(heard).toEqual([]);
    });
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await waitFor(() => heard.length > 0, { message: 'the commit announced the events' });
    expect(heard).toEqual([{ seq: seqs[2] }]);

    await expect(
      database.db.transaction(async (tx) => {
        await appendEvents(tx, [{ workspaceId, type: 'message.created', payload: { n: 4 } }], notify);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await markerHeard('after-rollback');
    expect(heard).toEqual([{ seq: seqs[2] }]);
    await bus.close();
  });
});
