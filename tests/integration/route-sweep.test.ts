import type { App, RouteGroup } from '../../server/app.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CROSS_SITE = 'https://evil.example';

/** A value each path parameter accepts, so a refusal can only come from the auth hook. */
function sampleUrl(url: string): string {
  return url.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'token') return 'a'.repeat(24);
    if (name === 'decision') return 'approve';
    return '5b0a3d6e-9c1f-4c1e-8a7e-2f4d6b8c0e1a';
  });
}

/**
 * Walks every registered route (recorded by `onRoute` in app.ts) and lists each one that lets a
 * caller through without credentials: `/api/**` must answer 401 (routes marked public excepted),
 * every dashboard write must refuse a cross-site Origin with 403, Pipedrive's callbacks need Basic auth.
 */
async function findUnprotectedRoutes(app: App): Promise<string[]> {
  await app.ready();
  const failures: string[] = [];
  for (const route of app.registeredRoutes) {
    const url = sampleUrl(route.url);
    const label = `${route.method} ${route.url}`;
    if (route.url.startsWith('/api/')) {
      const expected: RouteGroup[] = ['dashboard', 'panel'];
      if (route.group === undefined || !expected.includes(route.group))
        failures.push(`${label}: in group ${route.group ?? 'none'}, not an authenticated one`);
      if (!route.isPublic) {
        const response = await app.inject({ method: route.method as 'GET', url });
        if (response.statusCode !== 401) failures.push(`${label}: ${response.statusCode} without credentials`);
      }
    }
    if (route.group === 'dashboard' && !SAFE_METHODS.has(route.method)) {
      const response = await app.inject({ method: route.method as 'POST', url, headers: { origin: CROSS_SITE } });
      if (response.statusCode !== 403) failures.push(`${label}: ${response.statusCode} from a cross-site page`);
    }
    if (route.group === 'pipedriveCallbacks') {
      const response = await app.inject({ method: route.method as 'POST', url });
      if (response.statusCode !== 401) failures.push(`${label}: ${response.statusCode} without Basic auth`);
    }
  }
  return failures;
}

describe('the route sweep: every route is behind its group’s auth hook', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ startJobs: false });
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('refuses every /api route without credentials, every dashboard write from another site, every unsigned Pipedrive callback', async () => {
    expect(await findUnprotectedRoutes(testApp.app)).toStrictEqual([]);
    const api = testApp.app.registeredRoutes.filter((route) => route.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(20);
    expect(testApp.app.registeredRoutes.filter((route) => route.group === 'pipedriveCallbacks').length).toBe(2);
  });

  it('lets through only the routes marked public, and those are the ones meant to be', async () => {
    const publicApi = testApp.app.registeredRoutes
      .filter((route) => route.url.startsWith('/api/') && route.isPublic)
      .map((route) => `${route.method} ${route.url}`)
      .sort();
    expect(publicApi).toStrictEqual([
      'GET /api/invitations/:token',
      // The live-chat stream: its single-use ticket (minted by a panel call) is the credential.
      'GET /api/panel/events',
      // A message's media for panels: the signed, short-lived link (issued in the messages payload) is the credential.
      'GET /api/panel/media/:messageId',
      'HEAD /api/invitations/:token',
      'HEAD /api/panel/events',
      'HEAD /api/panel/media/:messageId',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'POST /api/auth/password-reset',
      'POST /api/auth/password-reset/confirm',
      'POST /api/auth/signup',
      'POST /api/auth/verify-email',
    ]);
  });

  it.each<RouteGroup>(['dashboard', 'panel', 'pipedriveCallbacks'])(
    'fails when the %s group loses its auth hook',
    async (group) => {
      const weakened = await createTestApp({ startJobs: false, database: testApp.database, withoutAuthHookOf: group });
      try {
        const failures = await findUnprotectedRoutes(weakened.app);
        expect(failures.length).toBeGreaterThan(0);
        const groupRoutes = weakened.app.registeredRoutes.filter((route) => route.group === group);
        expect(
          failures.every((failure) => groupRoutes.some((route) => failure.startsWith(`${route.method} ${route.url}:`))),
        ).toBe(true);
      } finally {
        await weakened.close();
      }
    },
  );
});
