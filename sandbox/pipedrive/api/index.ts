import type { FastifyInstance } from 'fastify';
import type { PipedriveContext } from '../emulator.ts';

/** OAuth token endpoints and the REST API (`/oauth/token`, `/oauth/revoke`, `/api/v1`, `/api/v2`). */
export async function pipedriveApiRoutes(
  _fastify: FastifyInstance,
  _options: { context: PipedriveContext },
): Promise<void> {}
