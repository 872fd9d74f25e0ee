import { QuietRequestLogs } from '../server/logger.ts';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import formBody from '@fastify/formbody';
import { createSandboxClock, type SandboxClock } from './clock.ts';
import { createMailbox, type Mailbox } from './mail/mailbox.ts';
import { openSandboxStore, type SandboxSnapshot, type SandboxStore } from './persistence/sandbox-store.ts';
import { companyHostHook } from './pipedrive/company-domains.ts';
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
  /**
   * Where the sandbox keeps its state across restarts (`<dataDir>/sandbox/`, see
   * persistence/sandbox-store.ts); `npm start` passes DATA_DIR. Omit for a sandbox in memory only (tests).
   */
  dataDir?: string;
  /** How long after a change the state is saved at the latest (default 1 s). */
  saveDelayMs?: number;
}

/**
 * The local stand-in for Pipedrive and the WhatsApp Cloud API: one Fastify server on its own port
 * (so its origin differs from Parley's), in-memory state (saved to `dataDir` when given), and an
 * in-process API for tests.
 */
export interface Sandbox {
  url: string;
  clock: SandboxClock;
  pipedrive: PipedriveEmulator;
  whatsapp: WhatsAppEmulator;
  /** What Parley mailed (sign-up confirmations, password resets), shown at `/mail`. */
  mailbox: Mailbox;
  /** Saves the state now (a sandbox with `dataDir`); `close` does it too. */
  save(): void;
  close(): Promise<void>;
}

interface Emulators {
  pipedrive: PipedriveEmulator;
  whatsapp: WhatsAppEmulator;
  mailbox: Mailbox;
}

function createEmulators(clock: SandboxClock, options: SandboxOptions, store: SandboxStore | undefined): Emulators {
  const identities = store?.readIdentities();
  const build = (restore: SandboxSnapshot | undefined): Emulators => ({
    pipedrive: createPipedriveEmulator({
      clock,
      knobs: options.pipedriveKnobs ?? {},
      ...(restore === undefined ? {} : { restore: restore.pipedrive }),
    }),
    whatsapp: createWhatsAppEmulator({
      clock,
      faults: options.whatsappFaults ?? {},
      ...(identities === undefined ? {} : { identities }),
      ...(restore === undefined ? {} : { restore: restore.whatsapp }),
    }),
    mailbox: createMailbox({ clock, ...(restore === undefined ? {} : { restore: restore.mail }) }),
  });
  const snapshot = store?.readSnapshot();
  let emulators: Emulators;
  try {
    emulators = build(snapshot);
  } catch (error) {
    // A snapshot that decodes but does not fit (hand-edited, or a record it refers to is missing).
    if (snapshot === undefined || store === undefined) throw error;
    store.discardSnapshot(error instanceof Error ? error.message : String(error));
    emulators = build(undefined);
  }
  if (store !== undefined && identities === undefined) store.writeIdentities(emulators.whatsapp.identities);
  return emulators;
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

  const store =
    options.dataDir === undefined
      ? undefined
      : openSandboxStore({
          dataDir: options.dataDir,
          logger: options.logger || undefined,
          ...(options.saveDelayMs === undefined ? {} : { debounceMs: options.saveDelayMs }),
        });
  const { pipedrive, whatsapp, mailbox } = createEmulators(clock, options, store);
  for (const app of options.apps ?? []) pipedrive.registerApp(app);
  if (store !== undefined) {
    store.track(() => ({ pipedrive: pipedrive.snapshot(), whatsapp: whatsapp.snapshot(), mail: mailbox.snapshot() }));
    // State changes in request handlers and in emulated timers (status ticks, webhook retries).
    server.addHook('onResponse', async () => store.changed());
    clock.afterEachRun(() => store.changed());
  }

  server.addHook(
    'onRequest',
    companyHostHook(pipedrive.state, () => pipedrive.baseUrl),
  );
  await server.register(pipedrive.routes);
  await server.register(whatsapp.routes);
  await server.register(startPageRoutes, { pipedrive, whatsapp });
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
    save: () => store?.flush(),
    async close() {
      clock.cancelAll();
      await whatsapp.close();
      await server.close();
      store?.close();
    },
  };
}
