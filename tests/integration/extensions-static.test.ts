import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('extension pages', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    const distDir = mkdtempSync(path.join(tmpdir(), 'parley-dist-'));
    mkdirSync(path.join(distDir, 'extensions/panels/chat-panel'), { recursive: true });
    mkdirSync(path.join(distDir, 'extensions/assets'));
    writeFileSync(path.join(distDir, 'extensions/panels/chat-panel/index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(path.join(distDir, 'extensions/assets/chat-panel-abc123.js'), 'console.log(1)');
    mkdirSync(path.join(distDir, 'dashboard/pages/dashboard'), { recursive: true });
    mkdirSync(path.join(distDir, 'dashboard/assets'));
    writeFileSync(
      path.join(distDir, 'dashboard/pages/dashboard/index.html'),
      '<!doctype html><div id="dashboard"></div>',
    );
    writeFileSync(path.join(distDir, 'dashboard/assets/pages-dashboard-abc123.js'), 'console.log(2)');
    testApp = await createTestApp({ paths: { extensionsDist: distDir } });
  });

  afterAll(async () => {
    await testApp.close();
  });

  it('may be framed by Pipedrive only: CSP frame-ancestors and no X-Frame-Options', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/extensions/panels/chat-panel/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="app">');
    expect(response.headers['x-frame-options']).toBeUndefined();
    expect(response.headers['content-security-policy']).toContain('frame-ancestors https://*.pipedrive.com');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('caches hashed assets for a year', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/extensions/assets/chat-panel-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps every other route unframeable', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/livez' });
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves the dashboard from its own paths, never frameable, and not under /extensions/', async () => {
    for (const url of ['/login', '/team', '/app/assets/pages-dashboard-abc123.js']) {
      const response = await testApp.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    expect((await testApp.app.inject({ method: 'GET', url: '/login' })).body).toContain('<div id="dashboard">');
    const framed = await testApp.app.inject({ method: 'GET', url: '/extensions/pages/dashboard/' });
    expect(framed.statusCode).toBe(404);
  });

  it('answers a clear 503 when the panels were never built', async () => {
    const unbuilt = await createTestApp({ paths: { extensionsDist: '/nonexistent/dist' } });
    try {
      const response = await unbuilt.app.inject({ method: 'GET', url: '/extensions/panels/chat-panel/' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        error: { code: 'extensions.not_built', message: expect.stringContaining('npm run build') },
      });
    } finally {
      await unbuilt.close();
    }
  });

  describe('unknown URLs', () => {
    const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

    it('answer a browser with the dashboard (its "page not found" view) and status 404, never frameable', async () => {
      for (const url of ['/nope', '/team/extra', '/integrations', '/settings?x=1']) {
        const response = await testApp.app.inject({ method: 'GET', url, headers: { accept: BROWSER_ACCEPT } });
        expect(response.statusCode).toBe(404);
        expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(response.body).toContain('<div id="dashboard">');
        expect(response.headers['x-frame-options']).toBe('DENY');
      }
    });

    it('keep JSON errors on API, webhook, OAuth and asset paths, for programs, and for writes', async () => {
      const cases = [
        { method: 'GET', url: '/api/nope', accept: BROWSER_ACCEPT },
        { method: 'GET', url: '/api', accept: BROWSER_ACCEPT },
        { method: 'GET', url: '/webhooks/nope', accept: BROWSER_ACCEPT },
        { method: 'GET', url: '/oauth/nope', accept: BROWSER_ACCEPT },
        { method: 'GET', url: '/app/assets/missing.js', accept: BROWSER_ACCEPT },
        { method: 'GET', url: '/extensions/panels/nope/', accept: BROWSER_ACCEPT },
        { method: 'GET', url: '/nope', accept: 'application/json' },
        { method: 'GET', url: '/nope', accept: '*/*' },
        { method: 'POST', url: '/nope', accept: BROWSER_ACCEPT },
      ] as const;
      for (const { method, url, accept } of cases) {
        const response = await testApp.app.inject({ method, url, headers: { accept } });
        expect({ url, method, accept, status: response.statusCode }).toEqual({ url, method, accept, status: 404 });
        expect(response.json<{ error: { code: string } }>().error.code).toBe('route.not_found');
      }
    });
  });
});
