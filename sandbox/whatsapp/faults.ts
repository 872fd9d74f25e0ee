/**
 * Knobs that make the emulated Meta misbehave the way the real one does now and then
 * (whatsapp-cloud-api.md §2.6, reliability.md §1.5). Every delay is emulated time on the sandbox
 * clock, so tests shrink it with `timeScale`.
 */
export interface WhatsAppFaults {
  /** Added before every Graph API response. */
  latencyMs: number;
  /** Share (0–1) of Graph API requests answered with a transient 500 (code 2). */
  graphErrorRate: number;
  /** Share (0–1) of webhook notifications delivered twice (same bytes, separate POSTs). */
  duplicateRate: number;
  /** Emit each message's `sent` status after its later statuses (delivered/read/failed arrives first). */
  reorderStatuses: boolean;
  /** Extra delay before each webhook notification is first posted. */
  webhookDelayMs: number;
  /** Events raised within this window go out together in one POST (Meta batches). */
  batchWindowMs: number;
  /** At most this many messages/statuses in one POST. */
  maxBatchSize: number;
  /** Redelivery of notifications the receiver did not answer with 200. */
  retry: {
    /** Delay before the first retry; each further retry waits `factor` times longer, capped at `maxDelayMs`. */
    initialDelayMs: number;
    factor: number;
    maxDelayMs: number;
    /** Stop retrying once this much time has passed since the first attempt (Meta: up to 7 days). */
    horizonMs: number;
  };
  /** When the recipient's phone reports sent and delivered after an accepted send. */
  statusDelays: { sentMs: number; deliveredMs: number };
  /** Real milliseconds a receiver may take before an attempt counts as failed. */
  deliveryTimeoutMs: number;
  /**
   * Cloud API throughput per business number (whatsapp-cloud-api.md §1.8): sends per rolling second
   * before Meta answers 130429. Meta's default is 80 (upgraded numbers 1,000, coexistence numbers
   * 20); null turns the limit off.
   */
  throughputPerSecond: number | null;
  /**
   * The pair rate (one business number → one customer, §1.7 131056): on average one message per
   * `intervalMs`, with bursts of up to `burst` messages that are then "paid back" at that pace (a
   * token bucket). Meta documents one message per 6 s and bursts; the burst size of 45 is a GUESS
   * from third-party summaries. null turns the limit off.
   */
  pairRate: { intervalMs: number; burst: number } | null;
  /** Source of randomness for the ratios (tests may pin it). */
  random: () => number;
}

export type WhatsAppFaultsInput = Partial<Omit<WhatsAppFaults, 'retry' | 'statusDelays' | 'pairRate'>> & {
  retry?: Partial<WhatsAppFaults['retry']>;
  statusDelays?: Partial<WhatsAppFaults['statusDelays']>;
  pairRate?: Partial<NonNullable<WhatsAppFaults['pairRate']>> | null;
};

/** Realistic send limits, on by default (Meta's documented defaults). */
export const DEFAULT_THROUGHPUT_PER_SECOND = 80;
export const DEFAULT_PAIR_RATE = { intervalMs: 6_000, burst: 45 } as const;

const DAY_MS = 24 * 60 * 60 * 1000;

export function defaultFaults(): WhatsAppFaults {
  return {
    latencyMs: 0,
    graphErrorRate: 0,
    duplicateRate: 0,
    reorderStatuses: false,
    webhookDelayMs: 0,
    batchWindowMs: 250,
    maxBatchSize: 20,
    // Meta publishes no schedule, only "exponential backoff for up to 7 days" (360dialog, Hookdeck).
    retry: { initialDelayMs: 15_000, factor: 2, maxDelayMs: 60 * 60 * 1000, horizonMs: 7 * DAY_MS },
    statusDelays: { sentMs: 500, deliveredMs: 1500 },
    deliveryTimeoutMs: 10_000,
    throughputPerSecond: DEFAULT_THROUGHPUT_PER_SECOND,
    pairRate: { ...DEFAULT_PAIR_RATE },
    random: Math.random,
  };
}

export function mergeFaults(current: WhatsAppFaults, input: WhatsAppFaultsInput): WhatsAppFaults {
  return {
    ...current,
    ...input,
    retry: { ...current.retry, ...input.retry },
    statusDelays: { ...current.statusDelays, ...input.statusDelays },
    pairRate:
      input.pairRate === null
        ? null
        : input.pairRate === undefined
          ? current.pairRate
          : { ...(current.pairRate ?? DEFAULT_PAIR_RATE), ...input.pairRate },
  };
}
