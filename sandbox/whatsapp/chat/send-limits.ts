import { graphErrors } from '../graph/graph-errors.ts';
import type { BusinessPhone } from '../records.ts';
import { chatKey, type WhatsAppState } from '../state.ts';

/**
 * Meta's two send limits (whatsapp-cloud-api.md §1.7–1.8), checked before a message is accepted and
 * counted only when it is: the number's throughput (a rolling one-second window → 130429) and the
 * pair rate to one customer (a token bucket refilled one message per interval → 131056). Both
 * follow the `throughputPerSecond` and `pairRate` fault knobs and run on the sandbox clock.
 */
export interface SendLimits {
  /** Sends per business number in the last second (timestamps, ms). */
  throughput: Map<string, number[]>;
  /** Per chat: until when the pair-rate "debt" runs (ms); each send adds one interval. */
  pairBusyUntil: Map<string, number>;
}

export function createSendLimits(): SendLimits {
  return { throughput: new Map(), pairBusyUntil: new Map() };
}

export function admitSend(state: WhatsAppState, phone: BusinessPhone, waId: string): void {
  const now = state.clock.now().getTime();
  const { throughputPerSecond, pairRate } = state.faults;
  const recent = (state.sendLimits.throughput.get(phone.id) ?? []).filter((at) => at > now - 1_000 && at <= now);
  state.sendLimits.throughput.set(phone.id, recent);
  if (throughputPerSecond !== null && recent.length >= throughputPerSecond) throw graphErrors.throughputReached();

  const key = chatKey(phone.id, waId);
  const stored = state.sendLimits.pairBusyUntil.get(key) ?? now;
  // More debt than the bucket can hold means the sandbox clock was moved back (tests do): start over.
  const maxDebt = pairRate === null ? 0 : pairRate.burst * pairRate.intervalMs;
  const busyFrom = stored - now > maxDebt ? now : Math.max(now, stored);
  if (pairRate !== null) {
    if (busyFrom + pairRate.intervalMs - now > pairRate.burst * pairRate.intervalMs) throw graphErrors.pairRateLimit();
  }
  recent.push(now);
  state.sendLimits.pairBusyUntil.set(key, busyFrom + (pairRate?.intervalMs ?? 0));
}
