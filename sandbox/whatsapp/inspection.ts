import type { DroppedWebhook, GraphRequestLog, WebhookAttempt, WebhookVerification } from './records.ts';
import type { WhatsAppState } from './state.ts';
import type { WebhookDispatcher } from './webhooks/dispatcher.ts';

/** What tests can observe of the emulated Meta. */
export interface WhatsAppInspection {
  /** Every webhook POST (first tries, retries, duplicates) with the exact body and signature sent. */
  deliveryAttempts(): WebhookAttempt[];
  /** Events Meta would not have delivered (no subscribed app, callback not verified). */
  droppedWebhooks(): DroppedWebhook[];
  /** Every verify handshake run by `configureWebhook` or the dashboard page. */
  webhookVerifications(): WebhookVerification[];
  /** Every Graph API request with its response status. */
  graphRequests(): GraphRequestLog[];
  onDeliveryAttempt(listener: (attempt: WebhookAttempt) => void): () => void;
  /**
   * Resolves with the first attempt (already recorded or coming) that matches; rejects after
   * `timeoutMs` of real time (default 10 s).
   */
  waitForDeliveryAttempt(
    predicate?: (attempt: WebhookAttempt) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<WebhookAttempt>;
}

export function createInspection(state: WhatsAppState, dispatcher: WebhookDispatcher): WhatsAppInspection {
  return {
    deliveryAttempts: () => [...state.attempts],
    droppedWebhooks: () => [...state.dropped],
    webhookVerifications: () => [...state.verifications],
    graphRequests: () => [...state.graphRequests],
    onDeliveryAttempt: (listener) => dispatcher.onAttempt(listener),
    waitForDeliveryAttempt(predicate = () => true, options = {}) {
      const seen = state.attempts.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(new Error('no matching webhook delivery attempt'));
        }, options.timeoutMs ?? 10_000);
        timer.unref();
        const stop = dispatcher.onAttempt((attempt) => {
          if (!predicate(attempt)) return;
          clearTimeout(timer);
          stop();
          resolve(attempt);
        });
      });
    },
  };
}
