import type { MaintenanceService } from '../services/maintenance/maintenance.service.ts';
import { maintenanceCleanupQueue } from './queues.ts';
import { registerJob, type JobRegistration } from './worker-runner.ts';

/** Handlers stay thin: they call services, which hold the rules. */
export function createJobRegistrations(services: { maintenance: MaintenanceService }): JobRegistration[] {
  return [
    registerJob({
      queue: maintenanceCleanupQueue,
      async handler(_data, { logger }) {
        const removed = await services.maintenance.cleanup();
        logger.info({ removed }, 'maintenance cleanup done');
      },
    }),
  ];
}
