import { startHelloWorld } from '../harness/hello-world-process.ts';
import { postDeliveries, loadUrl, type Delivery } from '../harness/load.ts';
import { customers, mixedDelivery } from '../harness/meta-webhooks.ts';
import { check, type ScenarioOutcome } from '../harness/report.ts';
import { startStack } from '../harness/stack.ts';
import type { ScenarioOptions } from './options.ts';

const SCENARIO = 'Ingest';

/**
 * Signed Cloud API webhooks against POST /webhooks/whatsapp/:channelId on a web-only Parley
 * (RUN_WORKERS=false: the front door alone, as a scaled deployment runs it), then the inbox and its
 * jobs counted in the database. The hello-world ceiling runs first, in the same run.
 */
export async function ingestScenario(options: ScenarioOptions): Promise<ScenarioOutcome> {
  const connections = options.smoke ? 8 : 50;
  const warmUp = options.smoke ? 20 : 2_000;

  const hello = await startHelloWorld();
  let helloCpuMs = 0;
  const ceiling = await (async () => {
    const cpuBefore = hello.cpuMs();
    const figures = await loadUrl({ url: hello.url, connections, durationS: options.smoke ? 1 : 10 });
    helloCpuMs = hello.cpuMs() - cpuBefore;
    return figures;
  })().finally(() => hello.stop());

  // BENCH_PARLEY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles Parley under this load
  // (the profile is written when Parley exits, after the timed run).
  const nodeArgs = process.env['BENCH_PARLEY_NODE_ARGS']?.split(' ').filter((arg) => arg !== '');
  const stack = await startStack({
    label: 'ingest',
    logDir: options.logDir,
    runWorkers: false,
    ...(nodeArgs === undefined ? {} : { nodeArgs }),
  });
  try {
    const pool = customers(200);
    const prepare = (from: number, count: number): Delivery[] =>
      Array.from({ length: count }, (_, index) => mixedDelivery(stack.channel.number, pool, from + index));
    const url = `${stack.parley.url}/webhooks/whatsapp/${stack.channel.id}`;
    // Warm-up (JIT, pool connections, channel cache): stored and counted, not timed. Its rate sizes
    // the measured run to about 15 seconds, so a slow machine still finishes in minutes.
    const warmDeliveries = prepare(0, warmUp);
    const warm = await postDeliveries({ url, deliveries: warmDeliveries, connections });
    const amount = options.smoke ? 200 : Math.min(100_000, Math.max(3_000, Math.round(warm.perSecond * 15)));
    const runDeliveries = prepare(warmUp, amount);
    const deliveries = [...warmDeliveries, ...runDeliveries];
    const cpuBefore = stack.parley.cpuMs();
    const run = await postDeliveries({ url, deliveries: runDeliveries, connections });
    const parleyCpuMs = stack.parley.cpuMs() - cpuBefore;
    const rssMb = stack.parley.rssMb();
    await stack.stopParley();

    const sentItems = deliveries.reduce((sum, delivery) => sum + delivery.items, 0);
    const acknowledgedItems = warm.acknowledgedItems + run.acknowledgedItems;
    const acknowledgedRequests = warm.acknowledgedRequests + run.acknowledgedRequests;
    const [inbox] = await stack.database.query<{ count: string }>(
      'select count(*) from inbox_events where channel_id = $1',
      [stack.channel.id],
    );
    const [jobs] = await stack.database.query<{ count: string; inbox_ids: string }>(
      `select count(*), coalesce(sum(jsonb_array_length(data->'inboxIds')), 0) as inbox_ids
         from pgboss.job where name = 'whatsapp.process-inbox'`,
    );
    const ratio = run.perSecond / ceiling.perSecond;
    // CPU per answered request: what a shared machine disturbs least (waiting for a core costs none).
    const parleyCpuUs = (1000 * parleyCpuMs) / Math.max(1, run.acknowledgedRequests);
    const helloCpuUs = (1000 * helloCpuMs) / Math.max(1, ceiling.perSecond * ceiling.durationS);
    return {
      figures: [
        {
          scenario: SCENARIO,
          metric: 'webhooks/s',
          value: run.perSecond,
          target: '≥ 5,000',
          met: run.perSecond >= 5000,
        },
        {
          scenario: SCENARIO,
          metric: 'inbox rows/s (messages + statuses)',
          value: run.acknowledgedItems / run.durationS,
        },
        { scenario: SCENARIO, metric: 'p50 latency', value: run.latencyMs.p50, unit: 'ms' },
        {
          scenario: SCENARIO,
          metric: 'p99 latency',
          value: run.latencyMs.p99,
          unit: 'ms',
          target: '≤ 50 ms',
          met: run.latencyMs.p99 <= 50,
        },
        { scenario: SCENARIO, metric: 'Fastify hello-world (same run), req/s', value: ceiling.perSecond },
        { scenario: SCENARIO, metric: 'ratio to hello-world', value: ratio, target: '≥ 0.15', met: ratio >= 0.15 },
        {
          scenario: SCENARIO,
          metric: 'stored = acknowledged',
          value: `${Number(inbox?.count)} / ${acknowledgedItems}`,
          target: 'all',
          met: Number(inbox?.count) === acknowledgedItems,
        },
        { scenario: SCENARIO, metric: 'Parley CPU per webhook (its process only)', value: parleyCpuUs, unit: 'µs' },
        { scenario: SCENARIO, metric: 'hello-world CPU per request (same run)', value: helloCpuUs, unit: 'µs' },
        { scenario: SCENARIO, metric: 'CPU ratio: hello-world ÷ Parley per request', value: helloCpuUs / parleyCpuUs },
        { scenario: SCENARIO, metric: 'Parley RSS after the run', value: rssMb, unit: 'MB' },
      ],
      checks: [
        check(SCENARIO, 'every delivery answered 200', deliveries.length, acknowledgedRequests),
        check(SCENARIO, 'inbox rows = items acknowledged', acknowledgedItems, Number(inbox?.count)),
        check(SCENARIO, 'inbox rows = items sent', sentItems, Number(inbox?.count)),
        check(SCENARIO, 'one process-inbox job per acknowledged webhook', acknowledgedRequests, Number(jobs?.count)),
        check(SCENARIO, 'jobs name every inbox row', Number(inbox?.count), Number(jobs?.inbox_ids)),
      ],
      details: { connections, amount, warmUp, ceiling, run, warm: { ...warm }, database: stack.database.kind },
    };
  } finally {
    await stack.close();
  }
}
