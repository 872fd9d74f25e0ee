import { openLiveStream, nowMs, panelToken, type LiveEvent } from '../harness/panel-client.ts';
import { postDeliveries } from '../harness/load.ts';
import { inboundNotification, newWamid, signedDelivery } from '../harness/meta-webhooks.ts';
import { check, percentile, type ScenarioOutcome } from '../harness/report.ts';
import { startStack } from '../harness/stack.ts';
import { until } from '../harness/wait.ts';
import type { ScenarioOptions } from './options.ts';

const SCENARIO = 'Panels';
/** Parley allows 8 live streams per viewer per instance (live-hub.ts). */
const STREAMS_PER_VIEWER = 8;
/** Synthetic Pipedrive user ids for the seeded viewers (far from the sandbox's id ranges). */
const FIRST_VIEWER_ID = 90_000_001;

async function inBatches<T>(count: number, parallel: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += parallel)
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, i) => task(start + i)))),
    );
  return results;
}

/**
 * 2,000 panels' live streams on one Parley instance: extra RSS, and one message fanned out to all of
 * them. 2,000 streams need 250 viewers (8 streams each); connecting 250 Pipedrive users through
 * OAuth would hit Parley's own install rate limits, so their personal connections are seeded as
 * rows (no tokens: live updates never call Pipedrive). That needs the harness to write to the
 * database while Parley runs: PostgreSQL only.
 */
export async function sseScenario(options: ScenarioOptions): Promise<ScenarioOutcome> {
  const clients = options.smoke ? 40 : 2_000;
  const viewers = Math.ceil(clients / STREAMS_PER_VIEWER);
  const stack = await startStack({ label: 'sse', logDir: options.logDir, runWorkers: true });
  try {
    if (stack.database.kind !== 'postgresql')
      return {
        figures: [
          {
            scenario: SCENARIO,
            metric: `${clients} SSE clients: extra RSS`,
            value: 'needs PostgreSQL (TEST_DATABASE_URL)',
          },
        ],
        checks: [],
        details: { skipped: 'PGlite cannot be written by the harness while Parley runs' },
      };
    const { companyId } = stack.admin;
    await stack.database.query(
      `insert into connections (company_id, pipedrive_user_id, is_org_connection, is_personal_connection, state, pipedrive_user_name)
       select $1, $2 + n, false, true, 'active', 'Bench viewer ' || n from generate_series(0, $3 - 1) as n`,
      [companyId, FIRST_VIEWER_ID, viewers],
    );
    const tokens = await Promise.all(
      Array.from({ length: viewers }, (_, index) =>
        panelToken({ companyId, userId: FIRST_VIEWER_ID + index }, stack.secrets.jwtSecret),
      ),
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, options.smoke ? 500 : 5_000));
    await settle();
    const rssBefore = stack.parley.rssMb();
    const received: LiveEvent[][] = [];
    const streams = await inBatches(clients, 50, (index) =>
      openLiveStream(stack.parley.url, tokens[index % viewers] as string, (event) => {
        (received[index] ??= []).push(event);
      }),
    );
    await settle();
    const rssWith = stack.parley.rssMb();

    // One message, fanned out to every stream.
    const { number } = stack.channel;
    const sentAt = nowMs();
    await postDeliveries({
      url: `${stack.parley.url}/webhooks/whatsapp/${stack.channel.id}`,
      deliveries: [
        {
          ...signedDelivery(
            inboundNotification(number, [
              { customer: { waId: '15557000001', name: 'Fan-out' }, wamid: newWamid(), text: 'fan-out' },
            ]),
            number.appSecret,
          ),
          items: 1,
        },
      ],
      connections: 1,
    });
    const createdIn = (index: number) => received[index]?.find((event) => event.type === 'message.created');
    await until(() => streams.every((_, index) => createdIn(index) !== undefined), {
      timeoutMs: 60_000,
      what: `the message on all ${clients} streams`,
    });
    const fanOut = streams.map((_, index) => (createdIn(index)?.receivedAt ?? Number.NaN) - sentAt);
    for (const stream of streams) stream.close();
    const extra = rssWith - rssBefore;
    return {
      figures: [
        {
          scenario: SCENARIO,
          metric: `${clients} concurrent SSE clients (${viewers} viewers): extra RSS`,
          value: extra,
          unit: 'MB',
          target: '≤ 100 MB',
          met: extra <= 100,
        },
        {
          scenario: 'Start',
          metric: 'for comparison: idle RSS of Parley alone on PostgreSQL (web + workers, no sandbox, no PGlite)',
          value: rssBefore,
          unit: 'MB',
        },
        {
          scenario: SCENARIO,
          metric: `one message to all ${clients} streams, p50`,
          value: percentile(fanOut, 50),
          unit: 'ms',
        },
        {
          scenario: SCENARIO,
          metric: `one message to all ${clients} streams, p99`,
          value: percentile(fanOut, 99),
          unit: 'ms',
        },
      ],
      checks: [check(SCENARIO, 'streams that received the message', clients, fanOut.filter(Number.isFinite).length)],
      details: { clients, viewers, rssBefore, rssWith },
    };
  } finally {
    await stack.close();
  }
}
