import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Sandbox } from '../../sandbox/index.ts';
import type { Grant, RegisteredApp, User } from '../../sandbox/pipedrive/state.ts';

/**
 * A stand-in Marketplace app for the sandbox's UI tests: it receives the callback URL's requests
 * (OAuth redirect, sharing POST, uninstall DELETE) and serves extension pages that use the REAL
 * app-extensions SDK (its UMD build), so browser tests speak the SDK's own wire protocol.
 */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestAppServer {
  url: string;
  requests: ReceivedRequest[];
  /** Resolves with the first request (already received or future) that matches. */
  waitForRequest(matches: (request: ReceivedRequest) => boolean): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

const SDK_UMD = path.resolve('node_modules/@pipedrive/app-extensions-sdk/dist/index.umd.js');

/** An extension page: initializes the SDK (unless `initialize` is false) and records every event. */
function extensionPage(initialize: boolean): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><script src="/sdk.js"></script></head>
<body><p id="status">loading</p>
<script>
  window.events = [];
  window.params = Object.fromEntries(new URLSearchParams(location.search));
  ${
    initialize
      ? `const sdk = new AppExtensionsSDK();
  window.sdk = sdk;
  for (const event of ['visibility', 'user_settings_change', 'close_custom_modal'])
    sdk.listen(event, (message) => window.events.push({ event, message }));
  window.ready = sdk.initialize({ size: { height: 220 } }).then(() => {
    document.getElementById('status').textContent = 'ready';
    return true;
  });`
      : '// never initializes: the host must replace this frame with its error box'
  }
</script></body></html>`;
}

export async function startTestAppServer(): Promise<TestAppServer> {
  const requests: ReceivedRequest[] = [];
  const waiters: { matches: (request: ReceivedRequest) => boolean; resolve: (request: ReceivedRequest) => void }[] = [];
  const sdk = readFileSync(SDK_UMD, 'utf8');

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      for (const waiter of waiters.filter((candidate) => candidate.matches(received))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(received);
      }
      const pathname = new URL(received.url, 'http://localhost').pathname;
      if (pathname === '/sdk.js') return response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
      if (pathname.startsWith('/ext/'))
        return response.writeHead(200, { 'content-type': 'text/html' }).end(extensionPage(pathname !== '/ext/never'));
      return response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitForRequest(matches) {
      const found = requests.find(matches);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ matches, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A registration like Parley's, pointing at the test app server: a panel, a floating window, a modal, settings. */
export function testAppRegistration(server: TestAppServer, overrides: Partial<RegisteredApp> = {}): RegisteredApp {
  return {
    clientId: 'test-app',
    clientSecret: 'test-client-secret',
    jwtSecret: 'test-jwt-secret',
    name: 'Test App',
    description: 'An app the sandbox tests install.',
    callbackUrl: `${server.url}/callback`,
    installationUrl: null,
    scopes: ['base', 'deals:full', 'contacts:full'],
    extensions: [
      {
        id: 'test-panel',
        type: 'custom_panel',
        name: 'Test panel',
        url: `${server.url}/ext/panel`,
        locations: ['deal_details', 'person_details'],
      },
      {
        id: 'test-window',
        type: 'custom_floating_window',
        name: 'Test window',
        url: `${server.url}/ext/floating`,
        locations: [],
        size: { width: 320, height: 400 },
      },
      { id: 'test-modal', type: 'custom_modal', name: 'Test modal', url: `${server.url}/ext/modal`, locations: [] },
      {
        id: 'test-settings',
        type: 'custom_ui_settings',
        name: 'Settings',
        url: `${server.url}/ext/settings`,
        locations: [],
      },
    ],
    ...overrides,
  };
}

/**
 * Gives `user` an active grant for the app, as a completed code exchange would. The token endpoint
 * belongs to the API side of the emulator; UI tests only need the grant to exist.
 */
export function grantApp(sandbox: Sandbox, app: RegisteredApp, user: User, scopes = app.scopes): Grant {
  const state = sandbox.pipedrive.state;
  const grant: Grant = {
    id: state.nextId('grant'),
    clientId: app.clientId,
    companyId: user.companyId,
    userId: user.id,
    scopes,
    refreshToken: `refresh-${user.id}-${app.clientId}`,
    refreshTokenLastUsedAt: state.clock.now(),
    createdAt: state.clock.now(),
    revokedAt: null,
  };
  state.grants.set(grant.id, grant);
  return grant;
}
