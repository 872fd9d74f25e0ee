import type { FastifyInstance } from 'fastify';
import { mergeFaults, type WhatsAppFaults, type WhatsAppFaultsInput } from './faults.ts';
import type { WhatsAppState } from './state.ts';

export const WHATSAPP_FAULTS_PATH = '/sandbox/whatsapp/faults';

/**
 * The fault knobs over HTTP, for a sandbox running beside Parley (`npm start`): `GET` shows them,
 * `PATCH` with a JSON object changes some (nested `retry`, `statusDelays`, `pairRate` merge). JSON
 * only, so another origin cannot change them without a CORS preflight the sandbox never grants.
 */
export async function whatsAppFaultRoutes(fastify: FastifyInstance, options: { state: WhatsAppState }) {
  const { state } = options;
  fastify.get(WHATSAPP_FAULTS_PATH, async () => visibleFaults(state.faults));
  fastify.patch(WHATSAPP_FAULTS_PATH, async (request, reply) => {
    if (!request.headers['content-type']?.startsWith('application/json')) {
      return reply.code(415).send({ error: 'send the faults as application/json' });
    }
    const problem = checkFaultsInput(request.body);
    if (problem) return reply.code(400).send({ error: problem });
    state.faults = mergeFaults(state.faults, request.body as WhatsAppFaultsInput);
    return visibleFaults(state.faults);
  });
}

function visibleFaults(faults: WhatsAppFaults): Omit<WhatsAppFaults, 'random'> {
  const { random: _random, ...rest } = faults;
  return rest;
}

const NUMBERS = [
  'latencyMs',
  'graphErrorRate',
  'duplicateRate',
  'webhookDelayMs',
  'batchWindowMs',
  'maxBatchSize',
  'deliveryTimeoutMs',
];
const NESTED: Record<string, string[]> = {
  retry: ['initialDelayMs', 'factor', 'maxDelayMs', 'horizonMs'],
  statusDelays: ['sentMs', 'deliveredMs'],
  pairRate: ['intervalMs', 'burst'],
};
const isCount = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** A readable problem with a PATCH body, or null when every key is a known knob with a sane value. */
export function checkFaultsInput(input: unknown): string | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'faults must be an object';
  for (const [key, value] of Object.entries(input)) {
    if (NUMBERS.includes(key)) {
      if (!isCount(value)) return `${key} must be a number ≥ 0`;
    } else if (key === 'reorderStatuses') {
      if (typeof value !== 'boolean') return 'reorderStatuses must be true or false';
    } else if (key === 'throughputPerSecond') {
      if (value !== null && !(isCount(value) && (value as number) >= 1))
        return 'throughputPerSecond must be ≥ 1 or null';
    } else if (NESTED[key]) {
      if (key === 'pairRate' && value === null) continue;
      if (typeof value !== 'object' || value === null) return `${key} must be an object`;
      for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
        if (!NESTED[key].includes(inner)) return `unknown knob ${key}.${inner}`;
        if (!isCount(innerValue)) return `${key}.${inner} must be a number ≥ 0`;
      }
    } else {
      return `unknown WhatsApp fault knob "${key}"`;
    }
  }
  return null;
}
