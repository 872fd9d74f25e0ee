/**
 * What an admin does in a browser, over real HTTP through the balancer: install Parley from the
 * sandbox's Marketplace (the OAuth callback) and add a WhatsApp number in the dashboard. Keeps the
 * session cookie and sends the dashboard's CSRF header and Origin, as the dashboard app does.
 */
export function createDashboardClient(origin: string) {
  const cookies = new Map<string, string>();
  let csrfToken: string | undefined;

  async function request(method: string, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (cookies.size > 0) headers['cookie'] = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (method !== 'GET') {
      headers['origin'] = origin;
      if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${origin}${url}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair?.indexOf('=') ?? -1;
      if (pair === undefined || separator < 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }

  return {
    /** The Marketplace install: Pipedrive redirects the admin to the callback with a code. */
    async install(code: string): Promise<void> {
      const response = await request('GET', `/oauth/callback?code=${encodeURIComponent(code)}`);
      const location = response.headers.get('location');
      if (response.status !== 302 || location !== '/onboarding?new=1') {
        throw new Error(`install failed: ${response.status} ${location ?? ''} ${await response.text()}`);
      }
      const session = await request('GET', '/api/session');
      if (session.status !== 200) throw new Error(`no session after install: ${session.status}`);
      csrfToken = ((await session.json()) as { csrfToken: string }).csrfToken;
    },
    /** Adds a number as the admin pastes its credentials; answers the webhook URL and verify token. */
    async addChannel(input: {
      phoneNumberId: string;
      wabaId: string;
      accessToken: string;
      appSecret: string;
    }): Promise<{ id: string; webhookUrl: string; verifyToken: string | null }> {
      const response = await request('POST', '/api/whatsapp/channels', input);
      if (response.status !== 201) throw new Error(`add number failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { channel: { id: string; webhookUrl: string; verifyToken: string | null } })
        .channel;
    },
  };
}
