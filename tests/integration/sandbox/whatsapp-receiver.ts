import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';

/** A request as it reached the receiver: the raw bytes, before any JSON parsing. */
export interface ReceivedRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
}

/**
 * A tiny webhook endpoint standing in for Parley: answers Meta's GET handshake (echoing the
 * challenge when the verify token matches, 403 otherwise) and records every POST with its raw body.
 */
export interface WebhookReceiver {
  url: string;
  verifyToken: string;
  requests: ReceivedRequest[];
  posts(): ReceivedRequest[];
  /** Status for the n-th POST (0-based); default 200. */
  answerPosts(status: (index: number) => number): void;
  /** What the GET handshake answers with instead of the challenge (to test a wrong echo). */
  echo(body: string | null): void;
  waitForPosts(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Waits until a received POST holds an item of `kind` that matches; resolves with it. */
  waitForItem(
    kind: 'messages' | 'statuses',
    match: (item: WebhookItem) => boolean,
    timeoutMs?: number,
  ): Promise<WebhookItem>;
  /** Forgets received requests and restores the default answers. */
  clear(): void;
  close(): Promise<void>;
}

export async function startReceiver(verifyToken = 'parley-verify-token'): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: (() => void)[] = [];
  let statusFor: (index: number) => number = () => 200;
  let echoOverride: string | null = null;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const received = {
        method: request.method ?? 'GET',
        url,
        headers: request.headers,
        rawBody: Buffer.concat(chunks),
      };
      requests.push(received);
      if (received.method === 'GET') {
        const ok =
          url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
        response.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
        response.end(ok ? (echoOverride ?? url.searchParams.get('hub.challenge') ?? '') : 'Forbidden');
      } else {
        response.writeHead(statusFor(requests.filter((r) => r.method === 'POST').length - 1));
        response.end();
      }
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const posts = () => requests.filter((r) => r.method === 'POST');
  async function waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    verifyToken,
    requests,
    posts,
    answerPosts(status) {
      statusFor = status;
    },
    echo(body) {
      echoOverride = body;
    },
    waitForPosts: (count, timeoutMs = 5_000) =>
      waitUntil(() => (posts().length >= count ? posts().slice(0, count) : undefined), timeoutMs, `${count} POSTs`),
    waitForItem: (kind, match, timeoutMs = 5_000) =>
      waitUntil(
        () =>
          posts()
            .flatMap((post) => itemsOf(post.rawBody, kind))
            .find(match),
        timeoutMs,
        `a matching item in ${kind}`,
      ),
    clear() {
      requests.length = 0;
      statusFor = () => 200;
      echoOverride = null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The X-Hub-Signature-256 a receiver must compute: HMAC-SHA256 of the raw bytes with the app secret. */
export function expectedSignature(rawBody: Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Every field the Graph responses used in these tests may carry, typed as if present: a missing
 * one is undefined at runtime and fails the assertion that reads it.
 */
export interface GraphResult {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: string; details: string };
    is_transient?: boolean;
    fbtrace_id: string;
  };
  messaging_product: string;
  contacts: { input: string; wa_id: string }[];
  messages: { id: string; message_status?: string }[];
  success: boolean;
  data: Record<string, unknown>[];
  paging: { cursors?: { before: string; after: string }; next?: string; previous?: string };
  url: string;
  mime_type: string;
  sha256: string;
  file_size: number;
  id: string;
  [key: string]: unknown;
}

export interface WhatsAppHarness {
  sandbox: Sandbox;
  number: SandboxBusinessNumber;
  receiver: WebhookReceiver;
  /** A Graph API call with numbers[0]'s token unless `token` is given (null = none). */
  graph(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; json: GraphResult }>;
  /** Verify handshake + POST subscribed_apps, as Parley does when a number is connected. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<WhatsAppHarness> {
  const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
  const receiver = await startReceiver();
  const number = sandbox.whatsapp.numbers[0] as SandboxBusinessNumber;
  const harness: WhatsAppHarness = {
    sandbox,
    number,
    receiver,
    async graph(method, path, body, token = number.accessToken) {
      const response = await fetch(`${sandbox.url}${path}`, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : {}) as GraphResult };
    },
    async connect() {
      const verification = await sandbox.whatsapp.configureWebhook({
        callbackUrl: receiver.url,
        verifyToken: receiver.verifyToken,
      });
      if (!verification.ok) throw new Error(`handshake failed: ${verification.error ?? ''}`);
      const subscribed = await harness.graph('POST', `/v23.0/${number.wabaId}/subscribed_apps`);
      if (subscribed.status !== 200) throw new Error('subscribed_apps failed');
    },
    async close() {
      await sandbox.close();
      await receiver.close();
    },
  };
  return harness;
}

/**
 * One sandbox and receiver per test file: started before all tests, reset before each (then, with
 * `connect`, handshake + subscribed_apps), closed after all. `use` receives the started harness.
 */
export function useHarness(options: { connect: boolean }, use: (harness: WhatsAppHarness) => void): void {
  let harness: WhatsAppHarness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
    use(harness);
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(async () => {
    if (!harness) throw new Error('the WhatsApp harness did not start');
    harness.sandbox.whatsapp.reset();
    harness.receiver.clear();
    if (options.connect) await harness.connect();
  });
}

/** Every item of one kind in a notification body (receivers must iterate entry × changes × items). */
export function itemsOf(rawBody: Buffer, kind: 'messages' | 'statuses'): WebhookItem[] {
  const notification = JSON.parse(rawBody.toString('utf8')) as {
    entry: { changes: { value: Record<string, WebhookItem[] | undefined> }[] }[];
  };
  return notification.entry.flatMap((entry) => entry.changes.flatMap((change) => change.value[kind] ?? []));
}

/** A message or status item of a webhook (fields typed as if present, like GraphResult). */
export interface WebhookItem {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  from: string;
  type: string;
  text: { body: string };
  image: { id: string; mime_type: string; sha256: string; caption?: string };
  document: { id: string; mime_type: string; sha256: string; filename: string };
  context: { from: string; id: string };
  reaction: { message_id: string; emoji: string };
  button: { payload: string; text: string };
  errors: { code: number; title: string; message: string; error_data: { details: string } }[];
  [key: string]: unknown;
}
