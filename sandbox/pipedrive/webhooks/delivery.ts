import type { SandboxClock } from '../../clock.ts';
import type { Company, PipedriveState, Webhook } from '../state.ts';
import { buildV1Payload, buildV2Payload, type ChangeEvent } from './payloads.ts';

/**
 * Delivery rules (RD:guide-for-webhooks-v2; reliability.md §1.6): success is any 2xx within 10 s;
 * otherwise retries after 3, 30 and 150 s (4 attempts in all). Each failed *first* attempt raises a
 * ban counter; at 10 the webhook is banned for 30 minutes and events meanwhile are lost. After 3
 * days without a successful delivery the webhook is deleted. Every delay runs on the sandbox clock.
 */
export const RETRY_DELAYS_MS = [3_000, 30_000, 150_000] as const;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** The timeout is scaled like every other delay, but never below this, so a busy test machine is not a failure. */
export const MIN_SCALED_TIMEOUT_MS = 2_000;
export const BAN_THRESHOLD = 10;
export const BAN_DURATION_MS = 30 * 60 * 1000;
export const DELETE_AFTER_MS = 3 * 24 * 60 * 60 * 1000;

export interface Delivery {
  webhookId: number;
  company: Company;
  event: ChangeEvent;
  eventId: string;
  correlationId: string;
  timestamp: Date;
  permittedUserIds: number[];
}

export interface Deliverer {
  /** Starts attempt 1 now (fire and forget); retries follow on the clock. */
  deliver(delivery: Delivery): void;
  /** Resolves once no attempt is in flight (scheduled retries are not waited for). */
  settle(): Promise<void>;
}

export function createDeliverer(state: PipedriveState, clock: SandboxClock): Deliverer {
  const inFlight = new Set<Promise<void>>();
  const timeoutMs = Math.max(DELIVERY_TIMEOUT_MS * clock.timeScale, MIN_SCALED_TIMEOUT_MS);

  const start = (delivery: Delivery, attempt: number): void => {
    const running = attemptDelivery(delivery, attempt).finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  const attemptDelivery = async (delivery: Delivery, attempt: number): Promise<void> => {
    const webhook = state.webhooks.get(delivery.webhookId);
    if (!webhook) return;
    if (webhook.bannedUntil && webhook.bannedUntil.getTime() > clock.now().getTime()) {
      record(delivery, attempt, null, 'dropped: webhook banned');
      return;
    }
    const { status, error } = await post(webhook, delivery, attempt, timeoutMs);
    const now = clock.now();
    webhook.lastDeliveryTime = now;
    webhook.lastHttpStatus = status;
    record(delivery, attempt, status, error);
    if (status !== null && status >= 200 && status < 300) {
      webhook.lastSuccessTime = now;
      if (attempt === 1) webhook.banCounter = 0;
      return;
    }
    if (attempt === 1 && countFirstFailure(webhook, now)) return;
    if (now.getTime() - (webhook.lastSuccessTime ?? webhook.addTime).getTime() >= DELETE_AFTER_MS) {
      state.webhooks.delete(webhook.id);
      return;
    }
    const delay = RETRY_DELAYS_MS[attempt - 1];
    if (delay !== undefined) clock.schedule(() => start(delivery, attempt + 1), delay);
  };

  const record = (delivery: Delivery, attempt: number, status: number | null, error: string | null) => {
    state.webhookDeliveries.push({
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
      attempt,
      status,
      error,
      at: clock.now(),
    });
  };

  return {
    deliver: (delivery) => start(delivery, 1),
    async settle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Returns true when this failure banned the webhook (its pending event is then lost too). */
function countFirstFailure(webhook: Webhook, now: Date): boolean {
  webhook.banCounter += 1;
  if (webhook.banCounter < BAN_THRESHOLD) return false;
  webhook.banCounter = 0;
  webhook.bannedUntil = new Date(now.getTime() + BAN_DURATION_MS);
  return true;
}

async function post(
  webhook: Webhook,
  delivery: Delivery,
  attempt: number,
  timeoutMs: number,
): Promise<{ status: number | null; error: string | null }> {
  const context = {
    webhook,
    company: delivery.company,
    eventId: delivery.eventId,
    correlationId: delivery.correlationId,
    timestamp: delivery.timestamp,
    attempt,
    permittedUserIds: delivery.permittedUserIds,
  };
  const payload =
    webhook.version === '1.0' ? buildV1Payload(delivery.event, context) : buildV2Payload(delivery.event, context);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Pipedrive-Webhooks' };
  if (webhook.httpAuthUser !== null) {
    const credentials = `${webhook.httpAuthUser}:${webhook.httpAuthPassword ?? ''}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  try {
    const response = await fetch(webhook.subscriptionUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, error: response.ok ? null : `HTTP ${response.status}` };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { status: null, error: timedOut ? 'timeout' : `network error: ${(error as Error).message}` };
  }
}
