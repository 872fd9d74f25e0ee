import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type onRequestAsyncHookHandler,
  type RouteOptions,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { systemClock, type Clock } from './clock.ts';
import type { AppConfig } from './config.ts';
import type { DatabaseHandle } from './db/client.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import type { Lifecycle } from './lifecycle.ts';
import { lazyRequestLogger, QuietRequestLogs, type Logger } from './logger.ts';
import type { ProjectPaths } from './paths.ts';
import errorHandler from './plugins/error-handler.plugin.ts';
import inputSafety from './plugins/input-safety.plugin.ts';
import edgeRateLimits from './plugins/rate-limit.plugin.ts';
import securityHeaders from './plugins/security-headers.plugin.ts';
import { createExtensionAuthHook, type Viewer } from './plugins/extension-auth.ts';
import { createPipedriveCallbackAuthHook } from './plugins/pipedrive-callback-auth.ts';
import { createSessionHook, createSessionResolver } from './plugins/session-auth.ts';
import { authRoutes } from './routes/api/dashboard/auth.routes.ts';
import { integrationsRoutes } from './routes/api/dashboard/integrations.routes.ts';
import { syncRoutes } from './routes/api/dashboard/sync.routes.ts';
import { invitationRoutes } from './routes/api/dashboard/invitations.routes.ts';
import { teamRoutes } from './routes/api/dashboard/team.routes.ts';
import { liveChatRoutes } from './routes/api/panel/live-chat.routes.ts';
import { unmatchedRoutes } from './routes/api/dashboard/unmatched.routes.ts';
import { whatsappRoutes } from './routes/api/dashboard/whatsapp.routes.ts';
import { panelMessagesRoutes } from './routes/api/panel/panel-messages.routes.ts';
import { panelRoutes } from './routes/api/panel/panel.routes.ts';
import { whatsappWebhookRoutes } from './routes/webhooks/whatsapp-webhook.routes.ts';
import { extensionsRoutes } from './routes/extensions/extensions.routes.ts';
import { oauthRoutes, pipedriveCallbackRoutes } from './routes/oauth/oauth.routes.ts';
import { pendingInstallRoutes } from './routes/oauth/pending-install.routes.ts';
import { accountRoutes } from './routes/api/dashboard/account.routes.ts';
import { pipedriveWebhookRoutes } from './routes/webhooks/pipedrive-webhooks.routes.ts';
import { dashboardPagesRoutes, readDashboardPage } from './routes/pages/dashboard-pages.routes.ts';
import type { ResolvedSession } from './services/accounts/session.service.ts';
import type { DomainServices } from './services/domain-services.ts';
import { healthRoutes } from './routes/health/health.routes.ts';
import type { EventBus } from './services/events/event-bus.ts';

/** Everything the HTTP app needs, made by the caller (main.ts, worker.ts, or a test). */
export interface AppDeps {
  config: AppConfig;
  database: DatabaseHandle;
  eventBus: EventBus;
  jobs: JobQueue;
  lifecycle: Lifecycle;
  logger: Logger;
  paths: ProjectPaths;
  domain: DomainServices;
  clock?: Clock;
  /** Tests only: build the app with one group's auth hook left out, to prove the route sweep notices. */
  withoutAuthHookOf?: RouteGroup;
  /** Told of every route as it is added (tests enumerate routes so a new one cannot slip through). */
  onRoute?: (route: RouteOptions) => void;
}

/** Who may call a group of routes; each group gets its auth hook once, here, for all its routes. */
export type RouteGroup =
  | 'public'
  | 'oauth'
  /** A parked install's confirmation: session resolved, never required; the route checks its form's CSRF field. */
  | 'pendingInstall'
  | 'pipedriveCallbacks'
  | 'dashboard'
  | 'panel'
  /** Webhooks authenticate per request in the route: per-company Basic (Pipedrive), signature (Meta). */
  | 'pipedriveWebhooks'
  | 'providerWebhooks';

/** Every route as registered, with its group: what the route sweep test walks. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly group: RouteGroup | undefined;
  readonly isPublic: boolean;
}

/** The app as routes see it: TypeBox schemas type their requests. */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What routes reach through `fastify.services`. */
export interface AppServices {
  config: AppConfig;
  database: DatabaseHandle;
  eventBus: EventBus;
  jobs: JobQueue;
  lifecycle: Lifecycle;
  clock: Clock;
  domain: DomainServices;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
    registeredRoutes: RegisteredRoute[];
  }
  interface FastifyContextConfig {
    /** The route group that registered this route (set by `app.ts`). */
    group?: RouteGroup;
    /** Inside an authenticated group: this route also answers callers without credentials. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Set by the extension-auth hook on panel APIs: the verified Pipedrive user. */
    viewer: Viewer | null;
    /** Set by the session hook on dashboard routes. */
    session: ResolvedSession | null;
  }
}

/**
 * Builds the HTTP app without listening and without reading the environment, so tests build the
 * same app with their own dependencies. Routes are registered explicitly, grouped by who may call them.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: deps.logger,
    // One debug line per request instead of two info lines: info stays for events (logger.ts).
    logController: new QuietRequestLogs(),
    // A request's child logger is made when it first writes a line, not for every request.
    childLoggerFactory: lazyRequestLogger,
    genReqId: (request) => sanitizeRequestId(request.headers['x-request-id']) ?? randomUUID(),
    // Trust forwarding headers only from proxies on private networks (the usual TLS terminator).
    trustProxy: 'loopback,linklocal,uniquelocal',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A body with fields a schema forbids is an error the caller should see, not silently trimmed.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const services: AppServices = {
    config: deps.config,
    database: deps.database,
    eventBus: deps.eventBus,
    jobs: deps.jobs,
    lifecycle: deps.lifecycle,
    clock: deps.clock ?? systemClock,
    domain: deps.domain,
  };
  app.decorate('services', services);
  if (deps.onRoute !== undefined) app.addHook('onRoute', deps.onRoute);
  app.decorateRequest('viewer', null);
  app.decorateRequest('session', null);

  // An unknown dashboard URL gets the dashboard's own "page not found" view; API paths keep JSON errors.
  await app.register(errorHandler, { notFoundPage: () => readDashboardPage(deps.paths.extensionsDist) });
  await app.register(securityHeaders, { config: deps.config });
  await app.register(cookie);
  await app.register(inputSafety);
  await app.register(edgeRateLimits, { limiter: deps.domain.limiter });

  const registeredRoutes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registeredRoutes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      // Read later: the group's own onRoute hook (which runs after this one) sets the group.
      registeredRoutes.push({
        method,
        url: route.url,
        get group() {
          return route.config?.group;
        },
        get isPublic() {
          return route.config?.public === true;
        },
      });
  });

  /** An encapsulated context for one group: its routes carry the group's name and its one auth hook. */
  const group = (
    name: RouteGroup,
    auth: onRequestAsyncHookHandler | undefined,
    routes: (scope: App) => Promise<void>,
  ) =>
    app.register(async function routeGroup(scope) {
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, group: name };
      });
      if (auth !== undefined && deps.withoutAuthHookOf !== name) scope.addHook('onRequest', auth);
      await routes(scope);
    });
  const { config, domain } = deps;

  await group('public', undefined, async (scope) => {
    await scope.register(healthRoutes, { services });
    await scope.register(extensionsRoutes, { config, distDir: deps.paths.extensionsDist });
    await scope.register(dashboardPagesRoutes, { distDir: deps.paths.extensionsDist });
  });
  // The browser during OAuth: the dashboard session when there is one, never required.
  await group('oauth', createSessionHook({ sessions: domain.sessions, config }, { required: false }), async (scope) => {
    await scope.register(oauthRoutes, { services });
  });
  // A parked install's confirmation page and form: the session when there is one, never required; the
  // form is plain HTML, so its CSRF token is a form field the route checks, not the dashboard's header.
  await group('pendingInstall', createSessionResolver(domain.sessions), async (scope) => {
    await scope.register(pendingInstallRoutes, { services });
  });
  // Pipedrive's server-to-server callbacks (uninstall, sharing): Basic client credentials.
  await group(
    'pipedriveCallbacks',
    createPipedriveCallbackAuthHook((header) => domain.oauth.isOwnBasicAuth(header)),
    async (scope) => {
      await scope.register(pipedriveCallbackRoutes, { services });
    },
  );
  // The dashboard: cookie sessions (routes marked public excepted), CSRF-checked state changes.
  await group(
    'dashboard',
    createSessionHook({ sessions: domain.sessions, config }, { required: true }),
    async (scope) => {
      await scope.register(authRoutes, { services });
      await scope.register(accountRoutes, { services });
      await scope.register(invitationRoutes, { services });
      await scope.register(teamRoutes, { services });
      await scope.register(integrationsRoutes, { services });
      await scope.register(syncRoutes, { services });
      await scope.register(whatsappRoutes, { services });
      await scope.register(unmatchedRoutes, { services });
    },
  );
  // Pipedrive's webhooks: each company's own Basic credentials, checked by the route.
  await group('pipedriveWebhooks', undefined, async (scope) => {
    await scope.register(pipedriveWebhookRoutes, { services });
  });
  // Panels inside Pipedrive: the SDK's signed token on every request.
  await group('panel', createExtensionAuthHook(config.pipedrive.jwtSecret), async (scope) => {
    await scope.register(panelRoutes, { services });
    await scope.register(panelMessagesRoutes, { services });
    // Live chat; its event stream is marked public: a single-use ticket minted by a panel call is the credential.
    await scope.register(liveChatRoutes, { services });
  });
  // Meta's webhooks: each request is authenticated by its signature over the raw bytes.
  await group('providerWebhooks', undefined, async (scope) => {
    await scope.register(whatsappWebhookRoutes, { ingest: deps.domain.webhookIngest });
  });

  return app;
}

function sanitizeRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(value) ? value : undefined;
}
