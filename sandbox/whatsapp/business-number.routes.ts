import type { FastifyInstance } from 'fastify';
import type { SandboxBusinessNumber } from './emulator.ts';
import type { WhatsAppState } from './state.ts';

/**
 * `GET /whatsapp/sandbox/business-number`: the start page's number (`numbers[0]`) with everything
 * Parley's "add a number" form asks for, plus the Meta app id, so Parley in sandbox mode can offer it
 * in one click and set the app's webhook itself. Sandbox only: real Meta has no such endpoint, and
 * Parley reaches it over HTTP (server/ never imports the sandbox).
 */
export async function businessNumberRoutes(
  fastify: FastifyInstance,
  { numbers, state }: { numbers: SandboxBusinessNumber[]; state: WhatsAppState },
): Promise<void> {
  fastify.get('/whatsapp/sandbox/business-number', async (_request, reply) => {
    const number = numbers[0];
    if (number === undefined) return reply.status(404).send({ error: 'no seeded number' });
    const app = state.apps.get(number.appId);
    return {
      phoneNumberId: number.phoneNumberId,
      wabaId: number.wabaId,
      displayPhoneNumber: number.displayPhoneNumber,
      verifiedName: number.verifiedName,
      accessToken: number.accessToken,
      appId: number.appId,
      appSecret: app?.secret ?? number.appSecret,
    };
  });
}
