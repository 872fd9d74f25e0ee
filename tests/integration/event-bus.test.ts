import type { EventBus, JsonValue } from '../../server/services/events/event-bus.ts';
import { createInProcessEventBus } from '../../server/services/events/in-process-event-bus.ts';
import { createPostgresEventBus } from '../../server/services/events/postgres-event-bus.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { testDatabaseUrl } from '../helpers/test-env.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const logger = createTestLogger();

/** Resolves with the next payload published on the topic. */
function nextEvent(bus: EventBus, topic: string): Promise<JsonValue> {
  return new Promise((resolve) => {
    const unsubscribe = bus.subscribe(topic, (payload) => {
      unsubscribe();
      resolve(payload);
    });
  });
}

/** Contract every implementation meets; `pair()` gives a publisher and a subscriber side. */
function describeEventBusContract(
  name: string,
  pair: () => Promise<{ publisher: EventBus; subscriber: EventBus; close(): Promise<void> }>,
) {
  describe(`${name} event bus`, () => {
    let buses: Awaited<ReturnType<typeof pair>>;

    beforeEach(async () => {
      buses = await pair();
    });

    afterEach(async () => {
      await buses.close();
    });

    it('delivers a published payload to subscribers of that topic only', async () => {
      const other = jest.fn();
      buses.subscriber.subscribe('chat.other', other);
      const received = nextEvent(buses.subscriber, 'chat.updated');
      await buses.publisher.publish('chat.updated', { chatId: 'c-1', seq: 7 });
      await expect(received).resolves.toEqual({ chatId: 'c-1', seq: 7 });
      expect(other).not.toHaveBeenCalled();
    });

    it('keeps delivering to other subscribers when one handler throws, and stops after unsubscribe', async () => {
      const removed = jest.fn();
      buses.subscriber.subscribe('t', () => {
        throw new Error('broken subscriber');
      });
      const unsubscribe = buses.subscriber.subscribe('t', removed);
      unsubscribe();
      const received = nextEvent(buses.subscriber, 't');
      await buses.publisher.publish('t', 'hello');
      await expect(received).resolves.toBe('hello');
      expect(removed).not.toHaveBeenCalled();
    });

    it('preserves publish order', async () => {
      const seen: JsonValue[] = [];
      const done = new Promise<void>((resolve) => {
        buses.subscriber.subscribe('ordered', (payload) => {
          seen.push(payload);
          if (seen.length === 20) resolve();
        });
      });
      for (let i = 0; i < 20; i += 1) await buses.publisher.publish('ordered', i);
      await done;
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('refuses payloads too large for NOTIFY, whatever the implementation', async () => {
      await expect(buses.publisher.publish('big', 'x'.repeat(9000))).rejects.toThrow(/at most 7900/);
    });
  });
}

describeEventBusContract('in-process', async () => {
  const bus = createInProcessEventBus(logger);
  return { publisher: bus, subscriber: bus, close: () => bus.close() };
});

// LISTEN/NOTIFY needs a real PostgreSQL server (the embedded database cannot carry it between
// connections); CI runs the suite with TEST_DATABASE_URL, so this part always runs there.
const withPostgres = testDatabaseUrl() === undefined ? describe.skip : describe;

withPostgres('PostgreSQL LISTEN/NOTIFY', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.destroy();
  });

  describeEventBusContract('two instances on one PostgreSQL', async () => {
    const publisher = await createPostgresEventBus({
      connectionString: database.connectionString,
      pool: database.pool,
      logger,
    });
    const subscriber = await createPostgresEventBus({
      connectionString: database.connectionString,
      pool: database.pool,
      logger,
    });
    return {
      publisher,
      subscriber,
      async close() {
        await publisher.close();
        await subscriber.close();
      },
    };
  });

  it('reconnects after its listener connection is killed, tells subscribers, and delivers again', async () => {
    const bus = await createPostgresEventBus({
      connectionString: database.connectionString,
      pool: database.pool,
      logger,
    });
    try {
      const reconnected = new Promise<void>((resolve) => bus.onReconnect(resolve));
      await database.pool.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'parley-events' and datname = current_database()",
      );
      await reconnected;
      expect(bus.isHealthy()).toBe(true);
      const received = nextEvent(bus, 'after-reconnect');
      await bus.publish('after-reconnect', { ok: true });
      await expect(received).resolves.toEqual({ ok: true });
    } finally {
      await bus.close();
    }
  });
});
