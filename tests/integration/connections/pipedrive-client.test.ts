import { setTimeout as delay } from 'node:timers/promises';
import nock from 'nock';
import { connections, companies, budgetUsage } from '../../../server/db/schema/index.ts';
import { connectDatabase } from '../../../server/db/client.ts';
import { createDomainServices, type DomainServices } from '../../../server/services/domain-services.ts';
import { systemClock } from '../../../server/clock.ts';
import { isAppError } from '../../../server/errors.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import {
  ADA,
  API_DOMAIN,
  expectCurrentUser,
  expectRefresh,
  nockConsent,
  OAUTH_URL,
} from '../../helpers/fake-pipedrive.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { createFakeClock } from '../../helpers/fake-clock.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { createTestLogger } from '../../helpers/test-logger.ts';

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
};

describe('the Pipedrive client (tokens, refresh, limits)', () => {
  let testApp: TestApp;
  let refreshToken: string;
  let clock: ReturnType<typeof createFakeClock>;

  beforeEach(async () => {
    clock = createFakeClock();
    testApp = await createTestApp({ clock, sleep: clock.sleep });
    // Faults Pipedrive cannot be asked to produce (503s, 429s at a chosen moment) are scripted with nock.
    const { consent, grants } = nockConsent();
    await connectCompany(testApp, consent);
    refreshToken = grants.get(ADA.userId)?.refreshToken ?? '';
  });

  afterEach(async () => {
    await testApp.close();
  });

  /** Makes the stored access token expire within the refresh margin. */
  const expireSoon = () =>
    testApp.database.pool.query("update connections set access_token_expires_at = now() + interval '30 seconds'");
  const orgRow = async () => (await testApp.database.db.select().from(connections))[0];

  it('two instances, 50 concurrent calls with an expiring token: exactly one refresh, rotated token saved', async () => {
    const second = connectDatabase({
      connectionString: testApp.database.connectionString,
      logger: createTestLogger(),
      poolMax: 5,
    });
    const otherInstance: DomainServices = createDomainServices({
      config: testConfig(),
      db: second.db,
      jobs: testApp.jobs,
      clock: systemClock,
      logger: createTestLogger(),
    });
    try {
      await expireSoon();
      const next = expectRefresh(refreshToken, { delayMs: 100 });
      nock(API_DOMAIN)
        .get('/api/v1/users/me')
        .matchHeader('authorization', `Bearer ${next.accessToken}`)
        .times(50)
        .reply(200, { success: true, data: { id: ADA.userId, company_id: ADA.companyId } });

      const instances = [testApp.domain, otherInstance];
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) =>
          (await (instances[i % 2] as DomainServices).pipedrive.forCompany(ADA.companyId, 'test')).getCurrentUser(),
        ),
      );

      expect(results).toHaveLength(50);
      expect(results.every((user) => user.id === ADA.userId)).toBe(true);
      expect(nock.isDone()).toBe(true);
      const row = await orgRow();
      expect(testApp.domain.vault.openRefreshToken(ADA.companyId, ADA.userId, row?.refreshTokenCiphertext ?? '')).toBe(
        next.refreshToken,
      );
      expect(row?.accessTokenExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    } finally {
      await second.close();
    }
  });

  it('holds no database transaction while Pipedrive’s token endpoint answers', async () => {
    await expireSoon();
    let release = () => {};
    const answerAfter = new Promise<void>((resolve) => (release = resolve));
    let arrived = () => {};
    const atTokenEndpoint = new Promise<void>((resolve) => (arrived = resolve));
    const next = expectRefresh(refreshToken, { onRequest: arrived, answerAfter });
    nock(API_DOMAIN)
      .get('/api/v1/users/me')
      .matchHeader('authorization', `Bearer ${next.accessToken}`)
      .reply(200, { success: true, data: { id: ADA.userId, company_id: ADA.companyId } });

    const call = testApp.domain.pipedrive.forCompany(ADA.companyId, 'test').then((api) => api.getCurrentUser());
    await atTokenEndpoint;
    // Embedded PGlite has one session: an open transaction would make this query wait until the
    // refresh ends. The timer only detects that failure; it synchronizes nothing.
    const probe = await Promise.race([
      testApp.database.pool.query(
        // This test's database only: other test files run beside it on the same server.
        "select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%' and datname = current_database()",
      ),
      delay(3000).then(() => 'blocked' as const),
    ]);
    expect(probe === 'blocked' ? probe : probe.rows).toStrictEqual([{ n: 0 }]);
    release();
    expect((await call).id).toBe(ADA.userId);
    expect(nock.isDone()).toBe(true);
  });

  it('invalid_grant on refresh puts the connection in reauth_required; jobs and panels see it', async () => {
    await expireSoon();
    nock(OAUTH_URL)
      .post('/oauth/token')
      .reply(400, { error: 'invalid_grant', error_description: 'Invalid grant: refresh_token is invalid' });
    const api = await testApp.domain.pipedrive.forCompany(ADA.companyId, 'test');
    expect(await codeOf(api.getCurrentUser())).toBe('pipedrive.reauth_required');
    expect((await orgRow())?.state).toBe('reauth_required');
    // No further calls to Pipedrive: nock would fail on an unexpected request.
    expect(await codeOf(testApp.domain.pipedrive.forCompany(ADA.companyId, 'test'))).toBe('pipedrive.reauth_required');
    const panel = await testApp.app.inject({
      method: 'GET',
      url: '/api/panel/status',
      headers: bearer(await signPanelToken(ADA)),
    });
    expect(panel.json()).toMatchObject({ state: 'reauth_required' });
  });

  it('a 503 from the token endpoint is an outage, not a revoked grant', async () => {
    await expireSoon();
    nock(OAUTH_URL).post('/oauth/token').reply(503, 'maintenance');
    const api = await testApp.domain.pipedrive.forCompany(ADA.companyId, 'test');
    expect(await codeOf(api.getCurrentUser())).toBe('pipedrive.unavailable');
    expect(await orgRow()).toMatchObject({ state: 'active', refreshFailureCount: 1 });
  });

  it('on a 401, refreshes once and retries; a 401 right after a refresh means the grant is gone', async () => {
    const api = await testApp.domain.pipedrive.forCompany(ADA.companyId, 'test');
    nock(API_DOMAIN).get('/api/v1/users/me').reply(401, { success: false, error: 'unauthorized access' });
    const next = expectRefresh(refreshToken);
    expectCurrentUser(ADA, next.accessToken);
    expect((await api.getCurrentUser()).id).toBe(ADA.userId);

    nock(API_DOMAIN).get('/api/v1/users/me').reply(401, { success: false, error: 'unauthorized access' });
    const again = expectRefresh(next.refreshToken);
    nock(API_DOMAIN)
      .get('/api/v1/users/me')
      .matchHeader('authorization', `Bearer ${again.accessToken}`)
      .reply(401, { success: false, error: 'unauthorized access' });
    expect(await codeOf(api.getCurrentUser())).toBe('pipedrive.reauth_required');
    expect((await orgRow())?.state).toBe('reauth_required');
    const [entry] = await testApp.domain.audit.list({ companyId: ADA.companyId }, { limit: 1 });
    expect(entry).toMatchObject({ action: 'connection.reauth_required', detail: { reason: 'rejected_after_refresh' } });
  });

  it('waits out a short burst 429 and retries, counting the budget', async () => {
    const api = await testApp.domain.pipedrive.forCompany(ADA.companyId, 'test');
    nock(API_DOMAIN)
      .get('/api/v1/users/me')
      .reply(
        429,
        { success: false, error: 'Rate limit exceeded' },
        { 'retry-after': '1', 'x-ratelimit-remaining': '0' },
      );
    nock(API_DOMAIN)
      .get('/api/v1/users/me')
      .reply(200, { success: true, data: { id: ADA.userId, company_id: ADA.companyId } });
    expect((await api.getCurrentUser()).id).toBe(ADA.userId);
    // Waited the Retry-After second on the fake clock, not in real time.
    expect(clock.slept).toStrictEqual([1000]);
    const [usage] = await testApp.database.db.select().from(budgetUsage);
    expect(usage).toMatchObject({ companyId: ADA.companyId, feature: 'test', requests: 2, tokens: 4 });
  });

  it('pauses the company when the daily budget is exhausted, without probing again', async () => {
    const api = await testApp.domain.pipedrive.forCompany(ADA.companyId, 'test');
    nock(API_DOMAIN)
      .get('/api/v1/users/me')
      .reply(
        429,
        { success: false, error: 'Daily API token budget exceeded' },
        { 'x-daily-ratelimit-token-remaining': '0' },
      );
    expect(await codeOf(api.getCurrentUser())).toBe('pipedrive.budget_exhausted');
    const [company] = await testApp.database.db.select().from(companies);
    expect(company?.budgetPausedUntil?.getTime()).toBeGreaterThan(Date.now());
    expect(await codeOf(api.getCurrentUser())).toBe('pipedrive.budget_exhausted');
  });
});
