import type { FastifyInstance } from 'fastify';
import type { PipedriveContext } from '../emulator.ts';

/** Pages a person uses: sign-in, consent, Marketplace, app settings, record pages with extensions. */
export async function pipedriveUiRoutes(
  _fastify: FastifyInstance,
  _options: { context: PipedriveContext },
): Promise<void> {}
