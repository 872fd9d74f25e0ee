import type { InjectOptions } from 'fastify';
import { Type } from 'typebox';
import { createErrorFactory } from '../../server/errors.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import type { ErrorEnvelope } from '../../contracts/common.schemas.ts';

const createWidgetMissingError = createErrorFactory({
  code: 'widgets.not_found',
  statusCode: 404,
  message: 'That widget does not exist.',
});

describe('error envelope', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
    const { app } = testApp;
    app.post(
      '/test/echo',
      {
        schema: {
          body: Type.Object({ name: Type.String({ minLength: 1 }) }),
          response: { 200: Type.Object({ name: Type.String() }) },
        },
      },
      async (request) => ({
        name: request.body.name,
      }),
    );
    app.post('/test/small', { bodyLimit: 64 }, async () => ({ ok: true }));
    app.get('/test/app-error', async () => {
      throw createWidgetMissingError({ details: { widgetId: 7 } });
    });
    app.get('/test/crash', async () => {
      throw new Error('database password is hunter2');
    });
    // What pg raises when PostgreSQL restarts under a query, and when it cannot be reached.
    app.get('/test/database-restarting', async () => {
      throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    });
    app.get('/test/database-unreachable', async () => {
      throw new Error('transaction failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      });
    });
    await app.ready();
  });

  afterAll(async () => {
    await testApp.close();
  });

  const inject = (options: InjectOptions) => testApp.app.inject(options);

  it('renders unknown routes as 404 route.not_found', async () => {
    const response = await inject({ method: 'GET', url: '/nope?token=secret' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'route.not_found', message: 'No route for GET /nope.', requestId: expect.any(String) },
    });
  });

  it('renders schema violations as 400 request.invalid with the offending field', async () => {
    const response = await inject({ method: 'POST', url: '/test/echo', payload: { name: '' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toStrictEqual<ErrorEnvelope>({
      error: {
        code: 'request.invalid',
        message: expect.any(String),
        details: { issues: [expect.objectContaining({ path: '/name' })] },
        requestId: expect.any(String),
      },
    });
  });

  it.each([
    ['malformed JSON', '{"name": ', 'application/json', 400, 'request.malformed_json'],
    ['an empty JSON body', '', 'application/json', 400, 'request.empty_body'],
    ['an unsupported content type', 'name=x', 'text/csv', 415, 'request.unsupported_media_type'],
    ['a __proto__ key', '{"name":"x","__proto__":{"admin":true}}', 'application/json', 400, 'request.malformed_json'],
  ])('rejects %s cleanly, never with a 500', async (_label, payload, contentType, status, code) => {
    const response = await inject({
      method: 'POST',
      url: '/test/echo',
      payload,
      headers: { 'content-type': contentType },
    });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ error: { code } });
  });

  it('rejects an oversized body with 413', async () => {
    const response = await inject({ method: 'POST', url: '/test/small', payload: { padding: 'x'.repeat(200) } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'request.body_too_large' } });
  });

  it('renders AppErrors with their status, code, message and details', async () => {
    const response = await inject({ method: 'GET', url: '/test/app-error' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'widgets.not_found',
        message: 'That widget does not exist.',
        details: { widgetId: 7 },
        requestId: expect.any(String),
      },
    });
  });

  it('hides the message and stack of unexpected errors behind a generic 500', async () => {
    const response = await inject({ method: 'GET', url: '/test/crash', headers: { 'x-request-id': 'req-42' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: { code: 'internal', message: expect.stringContaining('internal error'), requestId: 'req-42' },
    });
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('at ');
  });

  it('answers 503 with Retry-After while the database restarts or cannot be reached, never a 500', async () => {
    for (const url of ['/test/database-restarting', '/test/database-unreachable']) {
      const response = await inject({ method: 'GET', url, headers: { 'x-request-id': 'req-db' } });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toStrictEqual({
        error: {
          code: 'service.database_unavailable',
          message: expect.stringContaining('cannot reach its database'),
          requestId: 'req-db',
        },
      });
      expect(response.body).not.toContain('5432');
    }
  });
});
