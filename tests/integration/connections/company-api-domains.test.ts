import { companies, connections } from '../../../server/db/schema/index.ts';
import { connectAcmeAndGlobex } from '../../helpers/live-chat.ts';
import { startSandboxedTestApp } from '../../helpers/pipedrive-sandbox.ts';

/**
 * Pipedrive gives each company its own API origin (`api_domain`); the sandbox does too
 * (`http://<company>.pipedrive.localhost:<port>`) and refuses a token on another company's origin.
 * Parley must call each company at the origin from that company's own token response.
 */
describe('Parley calls each company at its own api_domain', () => {
  let sandboxed: Awaited<ReturnType<typeof startSandboxedTestApp>>;

  beforeEach(async () => {
    sandboxed = await startSandboxedTestApp();
  });
  afterEach(async () => {
    await sandboxed.close();
  });

  it("stores each company's api_domain and sends every call of A to A's origin, never to B's, across a token refresh", async () => {
    const { pd, testApp } = sandboxed;
    const { demo, other } = pd.sandbox.pipedrive.seed;
    await connectAcmeAndGlobex(testApp, pd, [pd.users.sam]);

    const acmeOrigin = `http://${demo.company.domain}.pipedrive.localhost:${new URL(pd.sandbox.url).port}`;
    const globexOrigin = `http://${other.company.domain}.pipedrive.localhost:${new URL(pd.sandbox.url).port}`;
    const { db } = testApp.database;
    const companyRows = await db.select({ id: companies.id, apiDomain: companies.apiDomain }).from(companies);
    expect(new Map(companyRows.map((row) => [row.id, row.apiDomain]))).toEqual(
      new Map([
        [demo.company.id, acmeOrigin],
        [other.company.id, globexOrigin],
      ]),
    );
    const connectionRows = await db
      .select({ companyId: connections.companyId, apiDomain: connections.apiDomain })
      .from(connections);
    for (const row of connectionRows)
      expect(row.apiDomain).toBe(row.companyId === demo.company.id ? acmeOrigin : globexOrigin);

    // Calls through Parley's client for both companies, then again after every token expired (a refresh).
    const readBoth = async () => {
      for (const companyId of [demo.company.id, other.company.id]) {
        const api = await testApp.domain.pipedrive.forCompany(companyId, 'test');
        expect((await api.getCurrentUser()).company_id).toBe(companyId);
      }
    };
    await readBoth();
    expect(pd.sandbox.pipedrive.expireAccessTokens()).toBeGreaterThan(0);
    await readBoth();

    const calls = pd.sandbox.pipedrive.state.apiCalls;
    const hostsOf = (companyId: number) =>
      new Set(calls.filter((call) => call.companyId === companyId).map((call) => call.host));
    // Install (users/me, webhooks), the reads and the reads after the refresh: all on the company's own origin.
    expect(hostsOf(demo.company.id)).toEqual(new Set([new URL(acmeOrigin).host]));
    expect(hostsOf(other.company.id)).toEqual(new Set([new URL(globexOrigin).host]));
    expect(calls.filter((call) => call.companyId === demo.company.id).length).toBeGreaterThanOrEqual(3);
  });
});
