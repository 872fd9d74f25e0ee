import { runNaiveBaseline, type NaiveMessage } from '../naive-baseline.ts';
import { postDeliveries } from '../harness/load.ts';
import { inboundNotification, newWamid, signedDelivery, type Customer } from '../harness/meta-webhooks.ts';
import { check, type Figure, type ScenarioOutcome } from '../harness/report.ts';
import { NAIVE_CLIENT_ID, type RecordedCall } from '../harness/sandbox-process.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { settled, until } from '../harness/wait.ts';
import type { ScenarioOptions } from './options.ts';

const SCENARIO = 'Pipedrive cost';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The seeded customers who are already persons (with an open deal) in the sandbox's Pipedrive. */
const KNOWN: Customer[] = [
  { waId: '34600111222', name: 'María G. 🌻' },
  { waId: '14155550101', name: 'John Carter' },
  { waId: '551112345678', name: 'Lucas Silva' },
];
/** A customer Pipedrive does not know yet: Parley creates the person and a deal once. */
const NEWCOMER: Customer = { waId: '15550009999', name: 'Burst Customer' };

interface Spend {
  calls: number;
  writes: number;
  noteWrites: number;
  tokens: number;
  tooManyRequests: number;
  byEndpoint: Record<string, number>;
}

function spend(calls: RecordedCall[]): Spend {
  const ok = calls.filter((call) => call.status < 400);
  const writes = ok.filter((call) => WRITE_METHODS.has(call.method));
  const byEndpoint: Record<string, number> = {};
  for (const call of calls)
    byEndpoint[`${call.endpoint} ${call.status}`] = (byEndpoint[`${call.endpoint} ${call.status}`] ?? 0) + 1;
  return {
    calls: calls.length,
    writes: writes.length,
    noteWrites: writes.filter((call) => call.endpoint.includes('/notes')).length,
    tokens: calls.reduce((sum, call) => sum + call.cost, 0),
    tooManyRequests: calls.filter((call) => call.status === 429).length,
    byEndpoint,
  };
}

/**
 * Pipedrive writes and budget tokens per WhatsApp message, on the sandbox's Lite plan limits, for a
 * chat's first message, a steady stream (each chat gets a message every 3 s, longer than the 2 s
 * coalescing window, shorter than the 30 s update interval) and a
 * burst of 200 messages in one chat; then the naive baseline (bench/naive-baseline.ts) on the same
 * emulator with the same messages.
 */
export async function costScenario(options: ScenarioOptions): Promise<ScenarioOutcome> {
  const rounds = options.smoke ? 2 : 20;
  const burstSize = options.smoke ? 20 : 200;
  const stack = await startStack({ label: 'cost', logDir: options.logDir, runWorkers: true });
  try {
    // A chat's first message pays for finding its person (phone searches) and its note: measured
    // on its own, then the steady stream of chats Parley already knows, as most traffic is.
    const firstMessages = KNOWN.map((customer, index) => ({ customer, text: `Hello there, cost-first-${index}` }));
    const steadyMessages = Array.from({ length: rounds * KNOWN.length }, (_, index) => ({
      customer: KNOWN[index % KNOWN.length] as Customer,
      text: `Question about my order, cost-steady-${index}`,
    }));
    const burstMessages = Array.from({ length: burstSize }, (_, index) => ({
      customer: NEWCOMER,
      text: `Quick one, cost-burst-${index}`,
    }));

    const first = await parleyRun(stack, firstMessages, 'cost-first-\\d+', { perSecond: 1, connections: 1 });
    // One message a second, round-robin over three chats: each chat gets one every 3 s.
    const steady = await parleyRun(stack, steadyMessages, 'cost-steady-\\d+', { perSecond: 1, connections: 1 });
    // As fast as Meta would deliver them: one notification per message, 10 in flight.
    const burst = await parleyRun(stack, burstMessages, 'cost-burst-\\d+', { connections: 10 });

    const naiveToken = await stack.sandbox.call('naiveAccessToken', { userId: stack.admin.userId });
    const asNaive = (messages: { customer: Customer; text: string }[]): NaiveMessage[] =>
      messages.map(({ customer, text }) => ({ phone: customer.waId, name: customer.name, text: `naive ${text}` }));
    const naiveFirst = await naiveRun(stack, naiveToken, asNaive(firstMessages));
    const naiveSteady = await naiveRun(stack, naiveToken, asNaive(steadyMessages));
    const naiveBurst = await naiveRun(stack, naiveToken, asNaive(burstMessages));

    const perMessage = (value: number, messages: number) => value / messages;
    const figures: Figure[] = [];
    const firstTokens = perMessage(first.spend.tokens, firstMessages.length);
    figures.push(
      {
        scenario: SCENARIO,
        metric: "a chat's first message (person found by phone, note created): budget tokens",
        value: firstTokens,
      },
      {
        scenario: SCENARIO,
        metric: "a chat's first message: NAIVE BASELINE tokens",
        value: perMessage(naiveFirst.spend.tokens, firstMessages.length),
      },
    );
    for (const [label, parley, naive, messages, writeTarget] of [
      ['steady stream', steady.spend, naiveSteady.spend, steadyMessages.length, 1.0],
      [`burst of ${burstSize} in one chat`, burst.spend, naiveBurst.spend, burstMessages.length, 0.1],
    ] as const) {
      const writes = perMessage(parley.writes, messages);
      const tokenRatio = naive.tokens / Math.max(1, parley.tokens);
      figures.push(
        {
          scenario: SCENARIO,
          metric: `${label}: Pipedrive writes per message`,
          value: writes,
          target: `≤ ${writeTarget}`,
          met: writes <= writeTarget,
        },
        {
          scenario: SCENARIO,
          metric: `${label}: note writes per message`,
          value: perMessage(parley.noteWrites, messages),
        },
        {
          scenario: SCENARIO,
          metric: `${label}: budget tokens per message`,
          value: perMessage(parley.tokens, messages),
        },
        {
          scenario: SCENARIO,
          metric: `${label}: 429 answers (Lite plan limits)`,
          value: parley.tooManyRequests,
          target: '0',
          met: parley.tooManyRequests === 0,
        },
        {
          scenario: SCENARIO,
          metric: `${label}: NAIVE BASELINE tokens per message`,
          value: perMessage(naive.tokens, messages),
        },
        {
          scenario: SCENARIO,
          metric: `${label}: NAIVE BASELINE writes per message / 429s`,
          value: `${perMessage(naive.writes, messages).toFixed(2)} / ${naive.tooManyRequests}`,
        },
        {
          scenario: SCENARIO,
          metric: `${label}: naive tokens ÷ Parley tokens`,
          value: tokenRatio,
          target: '≥ 10',
          met: tokenRatio >= 10,
        },
      );
    }
    return {
      figures,
      checks: [
        check(SCENARIO, 'first messages: each in exactly one note', firstMessages.length, first.notedOnce),
        check(SCENARIO, 'steady: every message in exactly one note', steadyMessages.length, steady.notedOnce),
        check(SCENARIO, 'burst: every message in exactly one note', burstMessages.length, burst.notedOnce),
        check(
          SCENARIO,
          'webhooks answered 200',
          firstMessages.length + steadyMessages.length + burstMessages.length,
          first.acknowledged + steady.acknowledged + burst.acknowledged,
        ),
        check(
          SCENARIO,
          'naive baseline: one note per message',
          firstMessages.length + steadyMessages.length + burstMessages.length,
          naiveFirst.outcome.notesCreated + naiveSteady.outcome.notesCreated + naiveBurst.outcome.notesCreated,
        ),
      ],
      details: { first, steady, burst, naiveFirst, naiveSteady, naiveBurst },
      notes: [
        'Pipedrive cost: "writes" are every successful POST/PUT/PATCH/DELETE Parley made (person, deal and note); the three seeded customers already have a person and an open deal in Pipedrive; their first messages are measured apart (Parley finds the person by phone once), then the steady stream of 20 rounds; the burst is a new customer (person and deal created once). Parley runs with the default sync settings: a chat\'s note is rewritten at most every 30 s while the chat is active (the company\'s "update an active chat\'s timeline entry" setting).',
      ],
    };
  } finally {
    await stack.close();
  }
}

/** Sends the messages as signed webhooks and waits until every one is in a note and Parley has gone quiet. */
async function parleyRun(
  stack: Stack,
  messages: { customer: Customer; text: string }[],
  marker: string,
  pace: { perSecond?: number; connections: number },
) {
  // Calls still running from before (the install's webhook subscriptions, an earlier run) are not ours.
  const from = await settled(() => stack.sandbox.call('apiCallCount'), {
    quietMs: 3_000,
    timeoutMs: 60_000,
    what: 'Pipedrive calls to stop before the run',
  });
  const { number } = stack.channel;
  const deliveries = messages.map(({ customer, text }) => ({
    ...signedDelivery(inboundNotification(number, [{ customer, wamid: newWamid(), text }]), number.appSecret),
    items: 1,
  }));
  const load = await postDeliveries({
    url: `${stack.parley.url}/webhooks/whatsapp/${stack.channel.id}`,
    deliveries,
    connections: pace.connections,
    ...(pace.perSecond === undefined ? {} : { perSecond: pace.perSecond }),
  });
  const markers = async () => (await stack.sandbox.call('notesContaining', { pattern: marker })).flat();
  await until(async () => new Set(await markers()).size === messages.length, {
    timeoutMs: 180_000,
    what: `every ${marker} message in a Pipedrive note`,
  });
  // The last sync jobs may still be running (a rewrite with identical content costs nothing).
  await settled(() => stack.sandbox.call('apiCallCount'), {
    quietMs: 4_000,
    timeoutMs: 60_000,
    what: 'Pipedrive calls to stop',
  });
  const all = await markers();
  const calls = await stack.sandbox.call('apiCalls', { from, clientId: stack.secrets.clientId });
  return {
    acknowledged: load.acknowledgedRequests,
    notedOnce: all.filter((m, i) => all.indexOf(m) === i && all.lastIndexOf(m) === i).length,
    spend: spend(calls),
  };
}

async function naiveRun(stack: Stack, accessToken: string, messages: NaiveMessage[]) {
  const from = await stack.sandbox.call('apiCallCount');
  const outcome = await runNaiveBaseline({ apiDomain: stack.sandbox.url, accessToken, messages });
  return { outcome, spend: spend(await stack.sandbox.call('apiCalls', { from, clientId: NAIVE_CLIENT_ID })) };
}
