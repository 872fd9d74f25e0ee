import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { AppConfig } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { createJobRegistrations } from './jobs/job-registrations.ts';
import { createJobQueue, type JobQueue } from './jobs/job-queue.ts';
import { ALL_QUEUES, SCHEDULES } from './jobs/queues.ts';
import { startWorkers, type JobRegistration, type WorkerRunner } from './jobs/worker-runner.ts';
import type { Logger } from './logger.ts';
import type { ProjectPaths } from './paths.ts';
import type { EventBus } from './services/events/event-bus.ts';
import { createInProcessEventBus } from './services/events/in-process-event-bus.ts';
import { createPostgresEventBus } from './services/events/postgres-event-bus.ts';
import { createDomainServices, type DomainServices } from './services/domain-services.ts';
import { createMaintenanceService } from './services/maintenance/maintenance.service.ts';

/**
 * What both process roles share: the database (migrated), the event bus and the job queue.
 * `web` (main.ts) adds HTTP on top; `worker` (worker.ts) adds job handlers.
 */
export interface Runtime {
  database: DatabaseHandle;
  eventBus: EventBus;
  jobs: JobQueue;
  clock: Clock;
  domain: DomainServices;
  jobRegistrations: JobRegistration[];
  startWorkers(): Promise<WorkerRunner>;
}

export async function openRuntime(options: {
  config: AppConfig;
  paths: ProjectPaths;
  logger: Logger;
  clock?: Clock;
}): Promise<Runtime> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    template: options.paths,
  });
  try {
    await migrateDatabase(database.pool, { migrationsFolder: options.paths.migrations, logger });
    // LISTEN/NOTIFY does not cross connections on the embedded database (one process anyway).
    const eventBus = database.embedded
      ? createInProcessEventBus(logger)
      : await createPostgresEventBus({ connectionString: database.connectionString, pool: database.pool, logger });
    const jobs = createJobQueue({
      connectionString: database.connectionString,
      logger,
      queues: ALL_QUEUES,
      schedules: SCHEDULES,
      useListenNotify: !database.embedded,
    });
    await jobs.start();
    const domain = createDomainServices({ config, db: database.db, jobs, clock, logger, eventBus });
    const jobRegistrations = createJobRegistrations({
      maintenance: createMaintenanceService({ db: database.db, clock }),
      domain,
    });
    return {
      database,
      eventBus,
      jobs,
      clock,
      domain,
      jobRegistrations,
      async startWorkers() {
        const workers = await startWorkers({ jobs, registrations: jobRegistrations, logger });
        // Where the inbox workers run, this process's own webhooks are processed at once too.
        domain.inboxHandoff.start();
        return {
          async stop() {
            await domain.inboxHandoff.stop();
            await workers.stop();
          },
        };
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
