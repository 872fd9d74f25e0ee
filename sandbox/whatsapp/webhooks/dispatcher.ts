import { createHmac } from 'node:crypto';
import { createHexId } from '../ids.ts';
import { encodeMetaJson } from '../meta-json.ts';
import type { WebhookAttempt } from '../records.ts';
import type { WhatsAppState } from '../state.ts';
import type { EmulatorTimers } from '../timers.ts';
import { buildNotification, type WebhookEvent } from './payloads.ts';

export interface WebhookDispatcher {
  /** Queues an event for every app subscribed to its WABA (or records why Meta would drop it). */
  publish(event: WebhookEvent): void;
  onAttempt(listener: (attempt: WebhookAttempt) => void): () => void;
  /** Forgets queued batches and ignores posts still in flight (reset, close). */
  stop(): void;
}

interface Delivery {
  id: string;
  appId: string;
  body: string;
  signature: string;
  sha1Signature: string;
  duplicateOf: string | null;
  attempts: number;
  /** Emulated time spent waiting between attempts (the retry horizon counts it). */
  waitedMs: number;
}

/**
 * Meta's side of webhooks: batching, HMAC signatures over the exact bytes, retries with capped
 * exponential backoff until a horizon, and the fault knobs (delay, duplicates). Every attempt is
 * recorded in `state.attempts`.
 */
export function createWebhookDispatcher(state: WhatsAppState, timers: EmulatorTimers): WebhookDispatcher {
  const pending = new Map<string, { events: WebhookEvent[]; cancel: () => void }>();
  const listeners = new Set<(attempt: WebhookAttempt) => void>();
  const inFlight = new Set<AbortController>();
  let generation = 0;

  function drop(event: WebhookEvent, appId: string | null, reason: 'no-subscribed-app' | 'callback-not-verified') {
    state.dropped.push({ at: state.clock.now(), wabaId: event.phone.wabaId, appId, reason, kind: event.kind });
  }

  function flush(appId: string): void {
    const batch = pending.get(appId);
    pending.delete(appId);
    if (!batch) return;
    batch.cancel();
    const app = state.apps.get(appId);
    if (!app?.webhook) {
      for (const event of batch.events) drop(event, appId, 'callback-not-verified');
      return;
    }
    const body = encodeMetaJson(buildNotification(batch.events));
    const delivery = createDelivery(appId, app.secret, body, null);
    timers.schedule(() => void attempt(delivery), state.faults.webhookDelayMs);
    if (state.faults.random() < state.faults.duplicateRate) {
      const duplicate = createDelivery(appId, app.secret, body, delivery.id);
      timers.schedule(() => void attempt(duplicate), state.faults.webhookDelayMs + 50);
    }
  }

  async function attempt(delivery: Delivery): Promise<void> {
    const app = state.apps.get(delivery.appId);
    if (!app?.webhook) return; // the callback was removed; Meta has nowhere to send it
    const url = app.webhook.callbackUrl;
    const startedGeneration = generation;
    delivery.attempts += 1;
    const at = state.clock.now();
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error('timed out')), state.faults.deliveryTimeoutMs);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature': delivery.sha1Signature,
          'x-hub-signature-256': delivery.signature,
        },
        body: delivery.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      status = response.status;
      await response.arrayBuffer();
    } catch (cause) {
      error =
        cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
    if (startedGeneration !== generation) return;
    // Meta documents 200 OK as success; anything else (even another 2xx) is retried.
    const nextRetryInMs = status === 200 ? null : nextDelay(delivery);
    const record: WebhookAttempt = {
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      appId: delivery.appId,
      url,
      at,
      body: delivery.body,
      signature: delivery.signature,
      status,
      error,
      duplicateOf: delivery.duplicateOf,
      nextRetryInMs,
    };
    state.attempts.push(record);
    for (const listener of listeners) listener(record);
    if (nextRetryInMs !== null) {
      delivery.waitedMs += nextRetryInMs;
      timers.schedule(() => void attempt(delivery), nextRetryInMs);
    }
  }

  function nextDelay(delivery: Delivery): number | null {
    const { initialDelayMs, factor, maxDelayMs, horizonMs } = state.faults.retry;
    const delay = Math.min(initialDelayMs * factor ** (delivery.attempts - 1), maxDelayMs);
    return delivery.waitedMs + delay > horizonMs ? null : delay;
  }

  return {
    publish(event) {
      const waba = state.wabas.get(event.phone.wabaId);
      const appIds = [...(waba?.subscribedAppIds ?? [])];
      if (appIds.length === 0) drop(event, null, 'no-subscribed-app');
      for (const appId of appIds) {
        if (!state.apps.get(appId)?.webhook) {
          drop(event, appId, 'callback-not-verified');
          continue;
        }
        let batch = pending.get(appId);
        if (!batch) {
          const cancel = timers.schedule(() => flush(appId), state.faults.batchWindowMs);
          batch = { events: [], cancel };
          pending.set(appId, batch);
        }
        batch.events.push(event);
        if (batch.events.length >= state.faults.maxBatchSize) flush(appId);
      }
    },
    onAttempt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      generation += 1;
      pending.clear();
      for (const controller of inFlight) controller.abort(new Error('sandbox reset'));
      inFlight.clear();
    },
  };
}

function createDelivery(appId: string, secret: string, body: string, duplicateOf: string | null): Delivery {
  const bytes = Buffer.from(body, 'utf8');
  return {
    id: createHexId(8),
    appId,
    body,
    signature: `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`,
    sha1Signature: `sha1=${createHmac('sha1', secret).update(bytes).digest('hex')}`,
    duplicateOf,
    attempts: 0,
    waitedMs: 0,
  };
}
