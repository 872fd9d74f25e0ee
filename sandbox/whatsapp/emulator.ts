import type { FastifyInstance } from 'fastify';
import type { SandboxClock } from '../clock.ts';

/** A business number the sandbox provides, with everything Parley's "connect a number" form asks for. */
export interface SandboxBusinessNumber {
  /** WhatsApp Business Account id (templates live there). */
  wabaId: string;
  /** The id messages are sent from: POST /{version}/{phoneNumberId}/messages. */
  phoneNumberId: string;
  /** Digits without '+', as Meta's webhook metadata shows it. */
  displayPhoneNumber: string;
  verifiedName: string;
  /** Bearer token accepted by the Graph API for this WABA. */
  accessToken: string;
  /** The Meta app whose secret signs webhooks (X-Hub-Signature-256). */
  appId: string;
  appSecret: string;
}

export interface WhatsAppEmulator {
  /** Origin of the sandbox (set once it listens); media URLs and pages are built from it. */
  baseUrl: string;
  /** The business numbers seeded at start. */
  numbers: SandboxBusinessNumber[];
  /** Path of the customer phone page (pick a customer, chat with a business number). */
  customerPhonePath: string;
  /** Fastify plugin with the Graph API routes and the customer phone page. */
  routes: (fastify: FastifyInstance) => Promise<void>;
  close: () => Promise<void>;
}

export function createWhatsAppEmulator(_options: { clock: SandboxClock }): WhatsAppEmulator {
  return {
    baseUrl: '',
    numbers: [],
    customerPhonePath: '/whatsapp/phone',
    async routes() {},
    async close() {},
  };
}
