import pg from 'pg';
import type { Logger } from '../../logger.ts';
import { createLocalDispatcher, encodeEvent, type EventBus, type JsonValue } from './event-bus.ts';

const CHANNEL = 'parley_events';

export interface PostgresEventBusOptions {
  connectionString: string;
  /** Used to publish; the listener holds a dedicated connection of its own. */
  pool: pg.Pool;
  logger: Logger;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
}

interface Envelope {
  topic: string;
  payload: JsonValue;
}

/**
 * LISTEN/NOTIFY across every instance on one PostgreSQL. The listener reconnects with backoff and
 * runs a heartbeat query, so a half-open connection is detected instead of silently missing events;
 * after each reconnect, `onReconnect` handlers run so subscribers can catch up from the database.
 */
export async function createPostgresEventBus(options: PostgresEventBusOptions): Promise<EventBus> {
  const { logger } = options;
  const dispatcher = createLocalDispatcher(logger);
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 5_000;
  let listener: pg.Client | undefined;
  let healthy = false;
  let closed = false;
  let retryDelayMs = 100;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const connectListener = async (): Promise<void> => {
    const client = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      application_name: 'parley-events',
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || message.payload === undefined) return;
      try {
        const envelope = JSON.parse(message.payload) as Envelope;
        dispatcher.dispatch(envelope.topic, envelope.payload);
      } catch (error) {
        logger.warn({ err: error }, 'ignored a malformed event notification');
      }
    });
    client.on('error', (error) => dropListener(client, error));
    client.on('end', () => dropListener(client, new Error('listener connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
    healthy = true;
    retryDelayMs = 100;
  };

  const dropListener = (client: pg.Client, error: Error): void => {
    if (listener !== client) return;
    listener = undefined;
    healthy = false;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (closed) return;
    logger.warn({ err: error }, 'event listener lost its connection; reconnecting');
    scheduleReconnect();
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connectListener()
        .then(() => {
          logger.info('event listener reconnected');
          dispatcher.notifyReconnected();
        })
        .catch((error: unknown) => {
          logger.warn({ err: error, retryDelayMs }, 'event listener could not reconnect yet');
          retryDelayMs = Math.min(retryDelayMs * 2, 5_000);
          scheduleReconnect();
        });
    }, retryDelayMs);
  };

  const heartbeat = async (): Promise<void> => {
    const client = listener;
    if (client === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.query('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('event listener heartbeat timed out')), heartbeatTimeoutMs);
        }),
      ]);
    } catch (error) {
      dropListener(client, error as Error);
    } finally {
      clearTimeout(timer);
    }
  };

  await connectListener();
  const heartbeatTimer = setInterval(() => void heartbeat(), heartbeatIntervalMs);
  heartbeatTimer.unref();

  return {
    async publish(topic, payload) {
      await options.pool.query('select pg_notify($1, $2)', [CHANNEL, encodeEvent(topic, payload)]);
    },
    subscribe: dispatcher.subscribe,
    onReconnect: dispatcher.onReconnect,
    isHealthy: () => healthy,
    notifyChannel: CHANNEL,
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      clearInterval(heartbeatTimer);
      dispatcher.clear();
      const client = listener;
      listener = undefined;
      healthy = false;
      if (client !== undefined) {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
      }
    },
  };
}
