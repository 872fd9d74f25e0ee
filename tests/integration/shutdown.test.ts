import { defineQueue } from '../../server/jobs/job-queue.ts';
import { registerJob, startWorkers } from '../../server/jobs/worker-runner.ts';
import { createShutdown } from '../../server/shutdown.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { createTestLogger } from '../helpers/test-logger.ts';

const slowQueue = defineQueue<{ n: number }>('test.slow');

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('graceful shutdown', () => {
  let testApp: TestApp;

  beforeEach(async () => {
    testApp = await createTestApp({ startJobs: true });
    await testApp.jobs.boss.createQueue(slowQueue.name);
  });

  afterEach(async () => {
    if (!testApp.database.pool.ended) await testApp.close();
  });

  it('turns readiness off, lets the in-flight request and job finish, then closes the queue and the pool', async () => {
    const { app, jobs, database, eventBus, lifecycle } = testApp;
    const logger = createTestLogger();
    const requestGate = deferred();
    const requestStarted = deferred();
    const jobGate = deferred();
    const jobStarted = deferred();
    const order: string[] = [];

    app.get('/test/slow', async () => {
      requestStarted.resolve();
      await requestGate.promise;
      order.push('request finished');
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    const workers = await startWorkers({
      jobs,
      logger,
      pollingIntervalSeconds: 0.5,
      registrations: [
        registerJob({
          queue: slowQueue,
          handler: async () => {
            jobStarted.resolve();
            await jobGate.promise;
            order.push('job finished');
          },
        }),
      ],
    });
    await jobs.send(slowQueue, { n: 1 });
    const inFlight = fetch(`http://127.0.0.1:${port}/test/slow`);
    await Promise.all([requestStarted.promise, jobStarted.promise]);

    const shutdown = createShutdown({ lifecycle, logger, runtime: { database, eventBus, jobs }, app, workers });
    const first = shutdown();
    const stopped = first.then(() => order.push('shutdown complete'));
    // A second signal joins the running shutdown instead of starting another one.
    expect(shutdown()).toBe(first);
    const secondSignal = shutdown().then(() => order.push('second signal returned'));
    // Readiness is off at once (health.test.ts shows /readyz answering 503 then), while the
    // request and the job are still running and the pool is still open for them.
    expect(lifecycle.isShuttingDown).toBe(true);
    expect(order).toEqual([]);
    expect(database.pool.ended).toBe(false);

    requestGate.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    jobGate.resolve();
    await Promise.all([stopped, secondSignal]);

    expect(order).toEqual(['request finished', 'job finished', 'shutdown complete', 'second signal returned']);
    expect(database.pool.ended).toBe(true);
    expect(eventBus.isHealthy()).toBe(false);
    await database.destroy();
  });
});
