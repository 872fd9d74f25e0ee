import type { FastifyInstance } from 'fastify';
import { mergePipedriveKnobs } from './knobs.ts';
import type { PipedriveState } from './state.ts';

export const PIPEDRIVE_KNOBS_PATH = '/sandbox/pipedrive/knobs';

/**
 * The knobs over HTTP, for a sandbox running beside Parley (`npm start`) where tests cannot reach
 * the in-process API: `GET` shows them, `PATCH` with a JSON object changes some. Only JSON is
 * accepted, so a page on another origin cannot change them without a CORS preflight the sandbox
 * never grants.
 */
export async function pipedriveKnobRoutes(fastify: FastifyInstance, options: { state: PipedriveState }) {
  const { state } = options;
  fastify.get(PIPEDRIVE_KNOBS_PATH, async () => state.knobs);
  fastify.patch(PIPEDRIVE_KNOBS_PATH, async (request, reply) => {
    if (!request.headers['content-type']?.startsWith('application/json')) {
      return reply.code(415).send({ error: 'send the knobs as application/json' });
    }
    try {
      state.knobs = mergePipedriveKnobs(state.knobs, request.body);
    } catch (error) {
      return reply.code(400).send({ error: error instanceof Error ? error.message : String(error) });
    }
    return state.knobs;
  });
}
