import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('health endpoints', () => {
  let testApp: TestApp;

  beforeEach(async () => {
    testApp = await createTestApp();
  });

  afterEach(async () => {
    await testApp.close();
  });

  it('/livez answers without touching dependencies', async () => {
    await testApp.database.pool.end();
    const response = await testApp.app.inject({ method: 'GET', url: '/livez' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when the database answers', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { database: 'ok', eventBus: 'ok' } });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('/readyz is 503 with the error envelope when the database is gone', async () => {
    await testApp.database.pool.end();
    const response = await testApp.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({
      error: {
        code: 'service.not_ready',
        message: 'The database does not answer.',
        details: { checks: { database: 'unavailable' } },
        requestId: expect.any(String),
      },
    });
  });

  it('/readyz turns 503 as soon as shutdown begins, before anything closes', async () => {
    testApp.lifecycle.beginShutdown();
    const response = await testApp.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      error: { code: 'service.not_ready', message: 'Parley is shutting down.' },
    });
  });
});
