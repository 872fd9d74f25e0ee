import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { App } from '../../server/app.ts';
import type { SessionInfo } from '../../contracts/dashboard.schemas.ts';

/**
 * A browser for `app.inject`: keeps cookies across requests (per path, as browsers do for the
 * OAuth nonce cookie on /oauth), sends the dashboard's CSRF header once signed in, and never
 * follows redirects, so tests assert on them.
 */
export function createBrowser(app: App, origin = 'http://localhost:3000') {
  const cookies = new Map<string, { value: string; path: string }>();
  let csrfToken: string | undefined;

  const cookieHeader = (url: string) =>
    [...cookies.entries()]
      .filter(([, cookie]) => url.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');

  async function request(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    const unsafe = options.method !== undefined && options.method !== 'GET';
    const response = await app.inject({
      ...options,
      headers: {
        ...(cookies.size > 0 ? { cookie: cookieHeader(options.url) } : {}),
        ...(unsafe ? { origin, ...(csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken }) } : {}),
        ...options.headers,
      },
    });
    for (const cookie of response.cookies as { name: string; value: string; path?: string; maxAge?: number }[]) {
      if (cookie.maxAge === 0 || cookie.value === '') cookies.delete(cookie.name);
      else cookies.set(cookie.name, { value: cookie.value, path: cookie.path ?? '/' });
    }
    return response;
  }

  return {
    request,
    get: (url: string, headers: Record<string, string> = {}) => request({ method: 'GET', url, headers }),
    post: (url: string, payload?: object) =>
      request({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) }),
    cookie: (name: string) => cookies.get(name)?.value,
    hasCookie: (prefix: string) => [...cookies.keys()].some((name) => name.startsWith(prefix)),
    /** Loads the session to learn its CSRF token, as the dashboard app does. */
    async refreshCsrf(): Promise<void> {
      const response = await request({ method: 'GET', url: '/api/session' });
      csrfToken = response.statusCode === 200 ? response.json<SessionInfo>().csrfToken : undefined;
    },
    forgetCsrf() {
      csrfToken = undefined;
    },
  };
}

export type Browser = ReturnType<typeof createBrowser>;

/** The `state` Parley put in its redirect to Pipedrive's consent page. */
export function stateFromRedirect(response: LightMyRequestResponse): string {
  const location = String(response.headers.location ?? '');
  const state = new URL(location).searchParams.get('state');
  if (state === null) throw new Error(`no state in redirect to ${location}`);
  return state;
}
