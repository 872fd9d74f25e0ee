import path from 'node:path';
import type { RouteOptions } from 'fastify';
import { buildApp, type App, type RouteGroup } from '../../server/app.ts';
import { systemClock, type Clock } from '../../server/clock.ts';
import type { AppConfig } from '../../server/config.ts';
import { createJobQueue, type JobQueue } from '../../server/jobs/job-queue.ts';
import { ALL_QUEUES } from '../../server/jobs/queues.ts';
import { createLifecycle, type Lifecycle } from '../../server/lifecycle.ts';
import type { Logger } from '../../server/logger.ts';
import { resolveProjectPaths, type ProjectPaths } from '../../server/paths.ts';
import type { EventBus } from '../../server/services/events/event-bus.ts';
import { createInProcessEventBus } from '../../server/services/events/in-process-event-bus.ts';
import { createPasswordHasher } from '../../server/services/accounts/password.ts';
import { createDomainServices, type DomainServices } from '../../server/services/domain-services.ts';
import type { MailTransport } from '../../server/services/mail/mail-transport.ts';
import { testConfig } from './test-config.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { createTestLogger } from './test-logger.ts';

export interface TestApp {
  app: App;
  database: TestDatabase;
  eventBus: EventBus;
  jobs: JobQueue;
  lifecycle: Lifecycle;
  config: AppConfig;
  domain: DomainServices;
  close(): Promise<void>;
}

export interface TestAppOptions {
  config?: Partial<AppConfig>;
  paths?: Partial<ProjectPaths>;
  /** Start pg-boss (default true: its schema is in the template, so this is quick). */
  startJobs?: boolean;
  clock?: Clock;
  /** Build the app with this group's auth hook left out (the route sweep proves it notices). */
  withoutAuthHookOf?: RouteGroup;
  /** How the Pipedrive client waits (a fake clock's `sleep`); default: real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Another app on the same database (a second instance); default: a database of its own. */
  database?: TestDatabase;
  /** Where mail goes when a worker sends it; default: the configured transport. */
  mailTransport?: MailTransport;
  /** The event bus (e.g. LISTEN/NOTIFY for two instances); default: in-process. The app closes it. */
  eventBus?: EventBus;
  /** Fault seams of the domain services (Pipedrive timeout, wrapped transcript writes). */
  faults?: Pick<Parameters<typeof createDomainServices>[0], 'pipedriveTimeoutMs' | 'pipedriveFetch' | 'syncTimeline'>;
  /** Default: the suite's logger (the log file the global teardown scans). */
  logger?: Logger;
  /** Sees every route as the app adds it. */
  onRoute?: (route: RouteOptions) => void;
}

/** The real app on a database of the test's own, driven with `app.inject`. Not yet `ready()`: tests may add routes. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = testConfig(options.config);
  const logger = options.logger ?? createTestLogger();
  const database = options.database ?? (await createTestDatabase());
  const clock = options.clock ?? systemClock;
  const eventBus = options.eventBus ?? createInProcessEventBus(logger);
  const jobs = createJobQueue({
    connectionString: database.connectionString,
    logger,
    queues: ALL_QUEUES,
    useListenNotify: false,
  });
  const startJobs = options.startJobs ?? true;
  if (startJobs) await jobs.start();
  const lifecycle = createLifecycle();
  const paths = { ...resolveProjectPaths(path.resolve('.')), ...options.paths };
  // Cheap password hashing: the suite signs many accounts up; production keeps the strong default.
  const domain = createDomainServices({
    config,
    db: database.db,
    jobs,
    clock,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    logger,
    eventBus,
    passwordHasher: createPasswordHasher({ logN: 10 }),
    ...(options.mailTransport === undefined ? {} : { mailTransport: options.mailTransport }),
    ...options.faults,
  });
  const app = await buildApp({
    config,
    database,
    eventBus,
    jobs,
    lifecycle,
    logger,
    paths,
    domain,
    clock,
    ...(options.withoutAuthHookOf === undefined ? {} : { withoutAuthHookOf: options.withoutAuthHookOf }),
    ...(options.onRoute === undefined ? {} : { onRoute: options.onRoute }),
  });
  return {
    app,
    database,
    eventBus,
    jobs,
    lifecycle,
    config,
    domain,
    async close() {
      await app.close();
      await eventBus.close();
      if (startJobs) await jobs.stop({ graceful: false, timeoutMs: 2000 });
      if (options.database === undefined) await database.destroy();
    },
  };
}
