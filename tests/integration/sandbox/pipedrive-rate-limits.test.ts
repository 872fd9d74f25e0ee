import type { Sandbox } from '../../../sandbox/index.ts';
import { callApi, connect, startPipedrive } from './pipedrive-helpers.ts';

describe('Pipedrive sandbox rate limits', () => {
  let sandbox: Sandbox;
  let admin: string;

  beforeEach(async () => {
    sandbox = await startPipedrive();
    admin = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id).access_token;
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const me = (token: string) => callApi(sandbox, token, 'GET', '/api/v1/users/me');

  it('sends the burst headers on every call, and the guessed daily header only with its knob', async () => {
    const plain = await me(admin);
    expect(plain.headers.get('x-ratelimit-limit')).toBe('80');
    expect(plain.headers.get('x-ratelimit-remaining')).toBe('79');
    expect(plain.headers.get('x-ratelimit-reset')).toBe('2');
    expect(plain.headers.get('x-daily-ratelimit-token-remaining')).toBeNull();

    sandbox.pipedrive.setKnobs({ dailyLimit429: 'guessed-header' });
    const first = await me(admin);
    expect(first.headers.get('x-ratelimit-remaining')).toBe('78');
    expect(first.headers.get('x-daily-ratelimit-token-remaining')).toBe(String(30_000 * 3 - 4));
    const second = await me(admin);
    expect(second.headers.get('x-ratelimit-remaining')).toBe('77');
    expect(second.headers.get('x-daily-ratelimit-token-remaining')).toBe(String(30_000 * 3 - 6));
  });

  it('refuses the 81st request of a Lite token within 2 s, per token, until the window moves', async () => {
    // The window is rolling over real time too: 80 parallel local requests take far less than 2 s.
    const burst = await Promise.all(Array.from({ length: 80 }, () => me(admin)));
    expect(burst.every((response) => response.status === 200)).toBe(true);

    const refused = await me(admin);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, error: 'Request over limit', errorCode: 429, data: null });
    // `code` is the sandbox's own invention, so the default (plain) world has none.
    expect(refused.body.code).toBeUndefined();
    expect(refused.headers.get('x-ratelimit-limit')).toBe('80');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);

    const samToken = connect(sandbox, sandbox.pipedrive.seed.demo.users[1]?.id ?? 0).access_token;
    expect((await me(samToken)).status).toBe(200);

    sandbox.clock.advance(2_001);
    expect((await me(admin)).status).toBe(200);
    const refusedCall = sandbox.pipedrive.state.apiCalls.find((call) => call.status === 429);
    expect(refusedCall).toMatchObject({ cost: 0, endpoint: 'GET /api/v1/users/me' });
  });

  it('scales the burst limit with the plan', async () => {
    sandbox.pipedrive.setPlan(sandbox.pipedrive.seed.demo.company.id, 'premium');
    expect((await me(admin)).headers.get('x-ratelimit-limit')).toBe('400');
    sandbox.pipedrive.setPlan(sandbox.pipedrive.seed.demo.company.id, 'ultimate');
    expect((await me(admin)).headers.get('x-ratelimit-limit')).toBe('480');
    const globex = connect(sandbox, sandbox.pipedrive.seed.other.admin.id).access_token;
    expect((await me(globex)).headers.get('x-ratelimit-limit')).toBe('160');
  });

  it('limits search endpoints to 10 requests per 2 s', async () => {
    const search = () => callApi(sandbox, admin, 'GET', '/api/v2/persons/search?term=Maria');
    const allowed = await Promise.all(Array.from({ length: 10 }, search));
    expect(allowed.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(allowed.map((response) => response.headers.get('x-ratelimit-limit'))).toEqual(Array(10).fill('10'));

    const refused = await search();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'Request over limit', errorCode: 429 });
    sandbox.pipedrive.setKnobs({ dailyLimit429: 'guessed-header' });
    expect((await search()).body).toMatchObject({ code: 'search_rate_limit_exceeded', errorCode: 429 });
    sandbox.pipedrive.setKnobs({ dailyLimit429: 'plain' });
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect((await me(admin)).status).toBe(200);

    sandbox.clock.advance(2_001);
    expect((await search()).status).toBe(200);
    expect(sandbox.pipedrive.usage(sandbox.pipedrive.seed.demo.company.id).byEndpoint).toMatchObject({
      'GET /api/v2/persons/search': { calls: 13, tokens: 11 * 20 },
    });
  });

  it('with the guessed-header knob, refuses every call once the daily budget is spent, until midnight UTC', async () => {
    sandbox.pipedrive.setKnobs({ dailyLimit429: 'guessed-header' });
    const companyId = sandbox.pipedrive.seed.demo.company.id;
    const budget = 30_000 * 1 * 3;
    sandbox.pipedrive.recordExternalUsage(companyId, budget - 3);

    const last = await me(admin);
    expect(last.status).toBe(200);
    expect(last.headers.get('x-daily-ratelimit-token-remaining')).toBe('1');
    const overdrawn = await me(admin);
    expect(overdrawn.status).toBe(200);

    const refused = await me(admin);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      success: false,
      error: 'Daily API token budget exceeded',
      code: 'daily_token_budget_exceeded',
      errorCode: 429,
    });
    expect(refused.headers.get('x-daily-ratelimit-token-remaining')).toBe('0');
    const now = sandbox.clock.now();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Math.abs(retryAfter - (midnight - now.getTime()) / 1000)).toBeLessThan(5);

    const globex = connect(sandbox, sandbox.pipedrive.seed.other.admin.id).access_token;
    expect((await me(globex)).status).toBe(200);

    sandbox.clock.advance(midnight - now.getTime() + 1_000);
    // Up to a day has passed, so the access token may have expired: take a fresh one.
    const nextDay = await me(connect(sandbox, sandbox.pipedrive.seed.demo.admin.id).access_token);
    expect(nextDay.status).toBe(200);
    expect(sandbox.pipedrive.usage(companyId)).toMatchObject({ spent: 2, remaining: budget - 2 });
  });

  it('by default answers an exhausted daily budget with a 429 that looks like a burst one', async () => {
    const companyId = sandbox.pipedrive.seed.demo.company.id;
    sandbox.pipedrive.recordExternalUsage(companyId, 30_000 * 3);

    const refused = await me(admin);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      success: false,
      error: 'Request over limit',
      error_info: expect.any(String),
      errorCode: 429,
      data: null,
      additional_data: null,
    });
    // No daily-specific header: the burst window still has room, which is the only tell.
    expect(refused.headers.get('x-daily-ratelimit-token-remaining')).toBeNull();
    expect(refused.headers.get('x-ratelimit-limit')).toBe('80');
    expect(Number(refused.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);

    // Waiting out the burst window does not help: the budget stays spent until midnight UTC.
    sandbox.clock.advance(2_001);
    expect((await me(admin)).status).toBe(429);
  });

  it('takes the knob at creation and over HTTP, and refuses unknown knobs and values', async () => {
    const strict = await startPipedrive(undefined, { dailyLimit429: 'guessed-header', phoneSearch: 'digits' });
    try {
      expect(strict.pipedrive.knobs()).toEqual({
        dailyLimit429: 'guessed-header',
        phoneSearch: 'digits',
        serverErrorRate: 0,
        serverErrorAfterWriteRate: 0,
      });
      const knobsUrl = `${strict.url}/sandbox/pipedrive/knobs`;
      const patch = (body: unknown) =>
        fetch(knobsUrl, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const changed = await patch({ dailyLimit429: 'plain' });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toEqual({
        dailyLimit429: 'plain',
        phoneSearch: 'digits',
        serverErrorRate: 0,
        serverErrorAfterWriteRate: 0,
      });
      expect(strict.pipedrive.knobs().dailyLimit429).toBe('plain');

      const badValue = await patch({ dailyLimit429: 'sometimes' });
      expect(badValue.status).toBe(400);
      expect(await badValue.json()).toEqual({ error: 'dailyLimit429 must be one of plain, guessed-header' });
      expect((await patch({ retryAfter: 3 })).status).toBe(400);
      const asForm = await fetch(knobsUrl, {
        method: 'PATCH',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'dailyLimit429=guessed-header',
      });
      expect(asForm.status).toBe(415);
      expect(await (await fetch(knobsUrl)).json()).toEqual({
        dailyLimit429: 'plain',
        phoneSearch: 'digits',
        serverErrorRate: 0,
        serverErrorAfterWriteRate: 0,
      });
      expect(() => strict.pipedrive.setKnobs({ phoneSearch: 'fuzzy' as 'digits' })).toThrow(
        'phoneSearch must be one of literal, digits',
      );
    } finally {
      await strict.close();
    }
  });
});
