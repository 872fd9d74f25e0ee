import type { FastifyInstance } from 'fastify';
import type { SandboxClock } from '../clock.ts';
import { pipedriveApiRoutes } from './api/index.ts';
import { createPipedriveTestApi, type PipedriveTestApi } from './api/in-process.ts';
import { pipedriveKnobRoutes } from './knobs.routes.ts';
import { mergePipedriveKnobs, defaultPipedriveKnobs, type PipedriveKnobs } from './knobs.ts';
import { restorePipedriveSnapshot, takePipedriveSnapshot, type PipedriveSnapshot } from './persistence.ts';
import { seedCompany, seedPipedrive, type CompanySpec, type SandboxSeed, type SeededCompany } from './seed.ts';
import { createPipedriveState, type PipedriveState, type RegisteredApp } from './state.ts';
import { createPipedriveUi, pipedriveUiRoutes, type PipedriveUi } from './ui/index.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks/dispatcher.ts';

/** What the Pipedrive emulator's route modules share. */
export interface PipedriveContext {
  state: PipedriveState;
  clock: SandboxClock;
  /**
   * Origin of the sandbox: the base of its pages and of each company's `api_domain`
   * (company-domains.ts), and the generic API origin (`api.pipedrive.com`). Set once the
   * server listens (the port may be chosen by the OS); routes read it per request.
   */
  baseUrl: string;
  seed: SandboxSeed;
  /** Fans changes out to webhooks (REST changes, `simulateChange`). */
  webhooks: WebhookDispatcher;
}

export interface PipedriveEmulator extends PipedriveContext, PipedriveTestApi {
  /** The pages' in-process side: sign in, uninstall, sharing, extension JWTs (see ui/index.ts). */
  ui: PipedriveUi;
  /** Registers (or replaces) a Marketplace app: Parley in `npm start`, test apps in tests. */
  registerApp: (app: RegisteredApp) => void;
  /** Another company beside the seed's two (users, pipeline, stages, fields), e.g. a third tenant for the chaos run. */
  addCompany: (spec: CompanySpec) => SeededCompany;
  /** Fastify plugin with every Pipedrive route: OAuth, REST, Marketplace and record pages. */
  routes: (fastify: FastifyInstance) => Promise<void>;
  /** What a restart must find again (persistence.ts); live references, to be serialized at once. */
  snapshot(): PipedriveSnapshot;
}

export function createPipedriveEmulator(options: {
  clock: SandboxClock;
  knobs?: Partial<PipedriveKnobs>;
  /** A snapshot of an earlier run to continue from, instead of the seed data. */
  restore?: PipedriveSnapshot;
}): PipedriveEmulator {
  const state = createPipedriveState(options.clock, mergePipedriveKnobs(defaultPipedriveKnobs(), options.knobs ?? {}));
  const webhooks = createWebhookDispatcher(state, options.clock);
  const ui = createPipedriveUi({ state });
  const seed =
    options.restore === undefined ? seedPipedrive(state) : restorePipedriveSnapshot(state, ui.state, options.restore);
  const emulator: PipedriveEmulator = {
    state,
    clock: options.clock,
    baseUrl: '',
    seed,
    webhooks,
    ...createPipedriveTestApi({ state, clock: options.clock, webhooks, baseUrl: () => emulator.baseUrl }),
    ui,
    snapshot: () => takePipedriveSnapshot(state, emulator.seed, ui.state),
    registerApp(app) {
      state.apps.set(app.clientId, app);
    },
    addCompany: (spec) => seedCompany(state, spec),
    async routes(fastify) {
      await fastify.register(pipedriveApiRoutes, { context: emulator });
      await fastify.register(pipedriveUiRoutes, { context: emulator });
      await fastify.register(pipedriveKnobRoutes, { state });
    },
  };
  return emulator;
}
