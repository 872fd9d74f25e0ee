/**
 * Parley's API as the panels see it, mocked at `fetch`: routes answer JSON by "METHOD /path"; every
 * request is recorded with its parsed body and headers so tests assert what the panel sent.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The body as sent when it is not JSON (a file upload). */
  raw: unknown;
  headers: Record<string, string>;
}

type Answer = { status?: number; body: unknown } | ((request: RecordedRequest) => { status?: number; body: unknown });

export function fakeServer(routes: Record<string, Answer>) {
  const requests: RecordedRequest[] = [];
  const handler = async (input: string | URL | Request, init: RequestInit = {}) => {
    const href = typeof input === 'string' ? input : 'href' in input ? input.href : input.url;
    const url = new URL(href, 'http://parley.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const request: RecordedRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      raw: typeof init.body === 'string' ? undefined : init.body,
      headers: Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>)),
    };
    requests.push(request);
    const route = routes[`${method} ${url.pathname}`];
    if (route === undefined)
      return jsonResponse(404, { error: { code: 'test.no_route', message: `no route ${method} ${url.pathname}` } });
    const answer = typeof route === 'function' ? route(request) : route;
    return jsonResponse(answer.status ?? 200, answer.body);
  };
  globalThis.fetch = jest.fn(handler);
  return {
    requests,
    routes,
    sent: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path),
  };
}

function jsonResponse(status: number, body: unknown) {
  return {
    ok: status >= 200 && status < 300,
    status,
    json: async () => body,
  } as Response;
}

/** EventSource (absent from jsdom), driven by the test: `FakeEventSource.latest().emit(...)`. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static latest(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1);
    if (last === undefined) throw new Error('no EventSource was opened');
    return last;
  }
  url: string;
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;
  private named = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, handler: (event: MessageEvent<string>) => void) {
    this.named.set(type, [...(this.named.get(type) ?? []), handler]);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  emit(data: unknown, id: string) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(data), lastEventId: id }));
  }
  fail() {
    this.onerror?.();
  }
}

export function installEventSource() {
  FakeEventSource.instances = [];
  (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
}
