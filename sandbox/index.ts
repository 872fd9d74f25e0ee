import { QuietRequestLogs } from '../server/logger.ts';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import formBody from '@fastify/formbody';
import { createSandboxClock, type SandboxClock } from './clock.ts';
import { createMailbox, type Mailbox } from './mail/mailbox.ts';
import { createPipedriveEmulator, type PipedriveEmulator } from './pipedrive/emulator.ts';
import type { PipedriveKnobs } from './pipedrive/knobs.ts';
import type { RegisteredApp } from './pipedrive/state.ts';
import { startPageRoutes } from './pipedrive/ui/start-page.routes.ts';
import { createWhatsAppEmulator, type WhatsAppEmulator, type WhatsAppFaultsInput } from './whatsapp/emulator.ts';

export interface SandboxOptions {
  /** 0 picks a free port (tests). */
  port?: number;
  host?: string;
  /** Apps registered at start (Parley itself in `npm start`). */
  apps?: RegisteredApp[];
  /** Scales every emulated delay (webhook retries, status ticks); tests use e.g. 0.001. */
  timeScale?: number;
  logger?: FastifyBaseLogger | false;
  /** Undocumented Pipedrive behaviours (pipedrive/knobs.ts); strictest by default. */
  pipedriveKnobs?: Partial<PipedriveKnobs>;
  /** WhatsApp fault knobs to start with (whatsapp/faults.ts); realistic send limits by default. */
  whatsappFaults?: WhatsAppFaultsInput;
}

/**
 * The local stand-in for Pipedrive and the WhatsApp Cloud API: one Fastify server on its own port
 * (so its origin differs from Parley's), in-memory state, and an in-process API for tests.
 */
export interface Sandbox {
  url: string;
  clock: SandboxClock;
  pipedrive: PipedriveEmulator;
  whatsapp: WhatsAppEmulator;
  /** What Parley mailed (sign-up confirmations, password resets), shown at `/mail`. */
  mailbox: Mailbox;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = createSandboxClock(options.timeScale === undefined ? {} : { timeScale: options.timeScale });
  const server = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // The customer phone polls every second: requests are debug lines, not info (server/logger.ts).
    logController: new QuietRequestLogs(),
    forceCloseConnections: true,
  });
  await server.register(formBody);

  const pipedrive = createPipedriveEmulator({ clock, knobs: options.pipedriveKnobs ?? {} });
  const whatsapp = createWhatsAppEmulator({ clock, faults: options.whatsappFaults ?? {} });
  for (const app of options.apps ?? []) pipedrive.registerApp(app);

  await server.register(pipedrive.routes);
  await server.register(whatsapp.routes);
  await server.register(startPageRoutes, { pipedrive, whatsapp });
  const mailbox = createMailbox({ clock });
  await server.register(mailbox.routes);
  await server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  // Known only now (port 0 lets the OS choose); routes read it per request.
  const baseUrl = `http://localhost:${port}`;
  pipedrive.baseUrl = baseUrl;
  whatsapp.baseUrl = baseUrl;

  return {
    url: baseUrl,
    clock,
    pipedrive,
    whatsapp,
    mailbox,
    async close() {
      clock.cancelAll();
      await whatsapp.close();
      await server.close();
    },
  };
}
