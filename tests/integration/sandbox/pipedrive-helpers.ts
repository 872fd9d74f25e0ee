import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BaseWebhook } from 'pipedrive/v1';
import type { TokenResponse } from 'pipedrive/v2';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { loopbackLookup } from '../../../server/services/pipedrive/localhost-fetch.ts';
import type { PipedriveKnobs } from '../../../sandbox/pipedrive/knobs.ts';
import type { RegisteredApp } from '../../../sandbox/pipedrive/state.ts';

/** Shared set-up of the Pipedrive API contract tests (not a test file itself). */

export const ALL_SCOPES = [
  'base',
  'deals:full',
  'contacts:full',
  'leads:full',
  'activities:full',
  'users:read',
  'search:read',
  'webhooks:full',
];

export function testApp(overrides: Partial<RegisteredApp> = {}): RegisteredApp {
  return {
    clientId: 'test-app',
    clientSecret: 'test-app-secret',
    name: 'Test app',
    description: 'Contract tests',
    callbackUrl: 'http://localhost:5999/oauth/callback',
    installationUrl: null,
    jwtSecret: 'test-app-secret',
    scopes: ALL_SCOPES.filter((scope) => scope !== 'base'),
    extensions: [],
    ...overrides,
  };
}

/**
 * A company's `api_domain`: its own origin, `http://<company>.pipedrive.localhost:<port>`, as
 * Pipedrive gives each company `https://<company>.pipedrive.com` (sandbox/pipedrive/company-domains.ts).
 */
export function apiDomainOf(sandbox: Sandbox, companyDomain: string): string {
  return `http://${companyDomain}.pipedrive.localhost:${new URL(sandbox.url).port}`;
}

/**
 * axios options for the official client on an `api_domain`: `.localhost` names are the loopback
 * interface (RFC 6761), which browsers know and Node's resolver here does not.
 */
export const LOOPBACK_AXIOS_OPTIONS = { lookup: loopbackLookup };

export async function startPipedrive(
  apps: RegisteredApp[] = [testApp()],
  knobs: Partial<PipedriveKnobs> = {},
): Promise<Sandbox> {
  return startSandbox({ port: 0, timeScale: 0.001, apps, pipedriveKnobs: knobs });
}

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** Pipedrive's envelope, success or error; `data` is typed per call. */
export interface Envelope<D = unknown, A = unknown> {
  success: boolean;
  data: D;
  additional_data?: A;
  status?: string;
  error?: string;
  error_info?: string;
  errorCode?: number;
  code?: string;
  errors?: Record<string, string>;
}

export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface OAuthBody {
  error?: string;
  error_description?: string;
  access_token?: string;
  refresh_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  api_domain?: string;
}

export async function postForm(
  url: string,
  form: Record<string, string>,
  authorization: string | null = basicAuth('test-app', 'test-app-secret'),
): Promise<JsonResponse<OAuthBody>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization === null ? {} : { authorization }),
    },
    body: new URLSearchParams(form).toString(),
  });
  return readJson(response);
}

/** A user's tokens for the test app, as after consent and code exchange. */
export function connect(sandbox: Sandbox, userId: number, clientId = 'test-app'): TokenResponse {
  return sandbox.pipedrive.authorizeApp({ clientId, userId });
}

export async function callApi<D = unknown, A = unknown>(
  sandbox: Sandbox,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse<Envelope<D, A>>> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return readJson(response);
}

async function readJson<T>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? {} : JSON.parse(text)) as T };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: WebhookBody;
}

/** The v2 webhook body as the tests read it. */
export interface WebhookBody {
  meta: Record<string, unknown> & { id: string; attempt: number; action: string; entity: string; entity_id: string };
  data: Record<string, unknown> | null;
  previous: Record<string, unknown> | null;
}

/**
 * A tiny local HTTP server that receives webhook deliveries. `statuses` are answered in order (then
 * 200); `hang` makes it never answer (timeouts). `waitFor(n)` resolves once n deliveries arrived.
 */
export async function startReceiver(options: { statuses?: number[]; hang?: boolean } = {}) {
  const received: ReceivedWebhook[] = [];
  const statuses = [...(options.statuses ?? [])];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody,
      });
      for (const waiter of waiters.filter((candidate) => received.length >= candidate.count)) waiter.resolve();
      if (options.hang) return;
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pipedrive/webhooks`,
    received,
    waitFor: (count: number) =>
      received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A sandbox with the test app and tokens for the demo company's admin (Ada), Sam and Rita. */
export async function startWithTokens(apps?: RegisteredApp[], knobs: Partial<PipedriveKnobs> = {}) {
  const sandbox = await startPipedrive(apps, knobs);
  const { demo } = sandbox.pipedrive.seed;
  return {
    sandbox,
    admin: connect(sandbox, demo.admin.id).access_token,
    sam: connect(sandbox, demo.users[1]?.id ?? 0).access_token,
    rita: connect(sandbox, demo.users[2]?.id ?? 0).access_token,
  };
}

/** Subscribes the caller's app to every event (`*`/`*`) at `url`; `extra` overrides fields. */
export async function subscribeWebhook(sandbox: Sandbox, token: string, url: string, extra: object = {}) {
  const response = await callApi<BaseWebhook>(sandbox, token, 'POST', '/api/v1/webhooks', {
    name: 'Parley sync',
    subscription_url: url,
    event_action: '*',
    event_object: '*',
    ...extra,
  });
  if (response.status !== 201) throw new Error(`webhook not created: ${JSON.stringify(response.body)}`);
  return response.body.data;
}
