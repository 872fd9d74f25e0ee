import autocannon, { type Result } from 'autocannon';

export interface Delivery {
  body: string;
  headers: Record<string, string>;
  /** Inbox rows (messages, statuses) this delivery must create once acknowledged. */
  items: number;
}

export interface LoadFigures {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  durationS: number;
  /** Acknowledged (2xx) requests per second over the whole run. */
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

function figures(result: Result): LoadFigures {
  const requests = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + Number(count), 0);
  return {
    requests,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
    perSecond: result['2xx'] / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
  };
}

/** Plain autocannon against one URL (the hello-world ceiling). */
export async function loadUrl(options: { url: string; connections: number; durationS: number }): Promise<LoadFigures> {
  return figures(await autocannon({ url: options.url, connections: options.connections, duration: options.durationS }));
}

/**
 * POSTs each delivery once (bodies are prepared beforehand, so the load generator only sends), over
 * `connections` keep-alive connections, optionally paced at `perSecond`. `onSent` sees each delivery
 * as autocannon writes it; acknowledged items are counted from 200 answers (one request in flight
 * per connection, so the context of a connection belongs to the request it answers).
 */
export async function postDeliveries(options: {
  url: string;
  deliveries: Delivery[];
  connections: number;
  perSecond?: number;
  onSent?: (index: number) => void;
}): Promise<LoadFigures & { acknowledgedItems: number; acknowledgedRequests: number; sent: number }> {
  const { deliveries } = options;
  let next = 0;
  let acknowledgedItems = 0;
  let acknowledgedRequests = 0;
  const result = await autocannon({
    url: options.url,
    connections: Math.min(options.connections, deliveries.length),
    amount: deliveries.length,
    timeout: 30,
    ...(options.perSecond === undefined ? {} : { overallRate: options.perSecond }),
    requests: [
      {
        method: 'POST',
        setupRequest(request, context) {
          const index = next;
          const delivery = deliveries[index];
          if (delivery === undefined) throw new Error(`autocannon asked for more than ${deliveries.length} requests`);
          next += 1;
          context['items'] = delivery.items;
          options.onSent?.(index);
          return { ...request, body: delivery.body, headers: delivery.headers };
        },
        onResponse(status, _body, context) {
          if (status !== 200) return;
          acknowledgedRequests += 1;
          acknowledgedItems += Number(context['items']);
        },
      },
    ],
  });
  return { ...figures(result), acknowledgedItems, acknowledgedRequests, sent: next };
}
