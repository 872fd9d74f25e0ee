import type { Logger } from '../../logger.ts';
import { createLocalDispatcher, encodeEvent, type EventBus, type JsonValue } from './event-bus.ts';

/** For a single process (the embedded database cannot carry LISTEN/NOTIFY between connections). */
export function createInProcessEventBus(logger: Logger): EventBus {
  const dispatcher = createLocalDispatcher(logger);
  let closed = false;
  return {
    async publish(topic, payload) {
      if (closed) return;
      // Deliver asynchronously and as a copy, as NOTIFY does, so publishers never run subscriber
      // code inline and never share objects with it.
      const { payload: copy } = JSON.parse(encodeEvent(topic, payload)) as { payload: JsonValue };
      setImmediate(() => dispatcher.dispatch(topic, copy));
    },
    subscribe: dispatcher.subscribe,
    onReconnect: dispatcher.onReconnect,
    isHealthy: () => !closed,
    async close() {
      closed = true;
      dispatcher.clear();
    },
  };
}
