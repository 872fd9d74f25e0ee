import type { FastifyInstance } from 'fastify';
import type { SandboxClock } from '../clock.ts';

export interface WhatsAppEmulator {
  /** Origin of the sandbox (set once it listens); media URLs and pages are built from it. */
  baseUrl: string;
  /** Fastify plugin with the Graph API routes and the customer phone page. */
  routes: (fastify: FastifyInstance) => Promise<void>;
  close: () => Promise<void>;
}

export function createWhatsAppEmulator(_options: { clock: SandboxClock }): WhatsAppEmulator {
  return {
    baseUrl: '',
    async routes() {},
    async close() {},
  };
}
