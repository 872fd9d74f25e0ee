import type { Sandbox } from '../../../sandbox/index.ts';
import { localhostAwareFetch } from '../../../server/services/pipedrive/localhost-fetch.ts';
import { apiDomainOf, connect, startPipedrive } from './pipedrive-helpers.ts';

/** Each company has its own API origin, as Pipedrive's `https://<company>.pipedrive.com`. */
describe('Pipedrive sandbox: one api_domain per company', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startPipedrive();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const get = (origin: string, token: string, path = '/api/v1/users/me') =>
    localhostAwareFetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });

  it("gives each company's grants that company's own api_domain", () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const acme = connect(sandbox, demo.admin.id);
    const globex = connect(sandbox, other.admin.id);
    expect(acme.api_domain).toBe(apiDomainOf(sandbox, demo.company.domain));
    expect(globex.api_domain).toBe(apiDomainOf(sandbox, other.company.domain));
    expect(acme.api_domain).not.toBe(globex.api_domain);
  });

  it('answers a token on its own company origin and on the generic one, never on another company’s', async () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const acme = connect(sandbox, demo.users[1]?.id ?? 0);
    const callsBefore = sandbox.pipedrive.state.apiCalls.length;

    const own = await get(acme.api_domain, acme.access_token);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { data: { company_id: number } }).data.company_id).toBe(demo.company.id);
    expect((await get(sandbox.url, acme.access_token)).status).toBe(200);

    // Attacker view: Acme's token sent to Globex's origin reads nothing of either company.
    const foreign = await get(apiDomainOf(sandbox, other.company.domain), acme.access_token);
    expect(foreign.status).toBe(401);
    expect(await foreign.json()).toMatchObject({ success: false, error: 'unauthorized access', errorCode: 401 });
    const foreignV2 = await get(apiDomainOf(sandbox, other.company.domain), acme.access_token, '/api/v2/persons');
    expect(foreignV2.status).toBe(401);

    // Only the two accepted calls were recorded (and charged), each with the origin it came to.
    const calls = sandbox.pipedrive.state.apiCalls.slice(callsBefore);
    expect(calls.map((call) => call.host)).toEqual([new URL(acme.api_domain).host, new URL(sandbox.url).host]);
  });

  it('answers 404 on the origin of a company that does not exist', async () => {
    const acme = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id);
    const response = await get(apiDomainOf(sandbox, 'no-such-company'), acme.access_token);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ success: false });
  });

  it('sends pages opened on a company origin to the same page on the sandbox origin', async () => {
    const acme = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id);
    const page = await get(acme.api_domain, acme.access_token, '/settings/marketplace?x=1');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`${sandbox.url}/settings/marketplace?x=1`);
  });
});
