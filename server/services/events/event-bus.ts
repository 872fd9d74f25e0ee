import type { Logger } from '../../logger.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type EventHandler = (payload: JsonValue) => void;

/**
 * Fan-out of small notifications (ids, not rows) between instances: "chat X has new messages".
 * Delivery is best-effort and at-most-once; the database stays the source of truth, so a subscriber
 * that learns of a reconnect re-reads what it shows.
 */
export interface EventBus {
  publish(topic: string, payload: JsonValue): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, handler: EventHandler): () => void;
  /** Called after the bus lost its connection and got it back: events may have been missed. */
  onReconnect(handler: () => void): () => void;
  /** False while the bus cannot deliver (e.g. its listener connection is down). */
  isHealthy(): boolean;
  /**
   * The PostgreSQL channel the bus listens on, when it is LISTEN/NOTIFY (undefined in process): a
   * writer may then announce from within its transaction with `pg_notify` on this channel and the
   * envelope `encodeEvent` writes, which PostgreSQL delivers at commit (event-log.ts appendEvents).
   */
  readonly notifyChannel?: string;
  close(): Promise<void>;
}

/** NOTIFY payloads must stay under 8000 bytes; events carry ids, never rows. */
export const MAX_EVENT_BYTES = 7900;

/** Serializes an event for the wire; every bus applies the same limit so embedded behaves like PostgreSQL. */
export function encodeEvent(topic: string, payload: JsonValue): string {
  const text = JSON.stringify({ topic, payload });
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_EVENT_BYTES)
    throw new Error(`event "${topic}" is ${bytes} bytes; an event carries at most ${MAX_EVENT_BYTES}`);
  return text;
}

/** The local half every bus shares: topic → handlers, isolated from each other's exceptions. */
export function createLocalDispatcher(logger: Logger) {
  const handlers = new Map<string, Set<EventHandler>>();
  const reconnectHandlers = new Set<() => void>();

  const safely = (run: () => void, context: Record<string, unknown>) => {
    try {
      run();
    } catch (error) {
      logger.error({ err: error, ...context }, 'event handler failed');
    }
  };

  return {
    subscribe: (topic: string, handler: EventHandler): (() => void) => {
      let set = handlers.get(topic);
      if (set === undefined) {
        set = new Set();
        handlers.set(topic, set);
      }
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) handlers.delete(topic);
      };
    },
    dispatch: (topic: string, payload: JsonValue): void => {
      for (const handler of [...(handlers.get(topic) ?? [])]) safely(() => handler(payload), { topic });
    },
    onReconnect: (handler: () => void): (() => void) => {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    notifyReconnected: (): void => {
      for (const handler of [...reconnectHandlers]) safely(handler, { event: 'reconnect' });
    },
    clear: (): void => {
      handlers.clear();
      reconnectHandlers.clear();
    },
  };
}
