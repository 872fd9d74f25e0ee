import type { Sandbox } from '../../../sandbox/index.ts';
import type { CurrentUserV1, UserV1 } from '../../../sandbox/pipedrive/api/serializers/v1.ts';
import type { PersonV2 } from '../../../sandbox/pipedrive/api/serializers/v2.ts';
import { callApi, connect, startPipedrive, testApp } from './pipedrive-helpers.ts';

const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

describe('Pipedrive sandbox API authentication, scopes, isolation and users', () => {
  let sandbox: Sandbox;
  let adminToken: string;

  beforeEach(async () => {
    sandbox = await startPipedrive([testApp(), testApp({ clientId: 'narrow-app', scopes: ['deals:read'] })]);
    adminToken = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id).access_token;
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it.each([
    ['no Authorization header', null, 401, 'unauthorized access'],
    ['a garbage token', 'v1u:garbage', 401, 'Invalid token: access token is invalid'],
  ])('answers %s with 401 in the error envelope', async (_case, token, status, message) => {
    const response = await callApi(sandbox, token, 'GET', '/api/v2/persons');
    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      success: false,
      error: message,
      errorCode: 401,
      error_info: ERROR_INFO,
      data: null,
      additional_data: null,
    });
  });

  it('answers a malformed Authorization header with 400', async () => {
    const response = await fetch(`${sandbox.url}/api/v1/users/me`, { headers: { authorization: 'Token abc' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      success: false,
      error: 'Invalid request: malformed authorization header',
    });
  });

  it('refuses tokens of an uninstalled grant and expired tokens', async () => {
    const ritaId = sandbox.pipedrive.seed.demo.users[2]?.id ?? 0;
    const rita = connect(sandbox, ritaId);
    expect(sandbox.pipedrive.revokeGrant({ clientId: 'test-app', userId: ritaId })).toBe(true);
    expect((await callApi(sandbox, rita.access_token, 'GET', '/api/v1/users/me')).body.error).toBe(
      'Invalid token: access token is invalid',
    );

    expect(sandbox.pipedrive.expireAccessTokens({ userId: sandbox.pipedrive.seed.demo.admin.id })).toBe(1);
    expect((await callApi(sandbox, adminToken, 'GET', '/api/v1/users/me')).body.error).toBe(
      'Invalid token: access token has expired',
    );
  });

  it('enforces scopes per endpoint with 403 "Scope and URL mismatch"', async () => {
    const narrow = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id, 'narrow-app').access_token;
    expect((await callApi(sandbox, narrow, 'GET', '/api/v2/deals')).status).toBe(200);
    expect((await callApi(sandbox, narrow, 'GET', '/api/v1/users/me')).status).toBe(200);

    for (const [method, path] of [
      ['GET', '/api/v2/persons'],
      ['POST', '/api/v2/deals'],
      ['GET', '/api/v2/persons/search?term=Maria'],
      ['POST', '/api/v1/notes'],
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/webhooks'],
    ] as const) {
      const response = await callApi(sandbox, narrow, method, path, method === 'POST' ? {} : undefined);
      expect({ path, status: response.status, body: response.body }).toMatchObject({
        path,
        status: 403,
        body: { success: false, error: 'Scope and URL mismatch', errorCode: 403 },
      });
    }
  });

  it('serves GET /v1/users/me from the token only', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const response = await callApi<CurrentUserV1>(sandbox, adminToken, 'GET', '/api/v1/users/me?user_id=1');
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      id: demo.admin.id,
      name: 'Ada Admin',
      email: 'ada@acme.test',
      company_id: demo.company.id,
      company_name: 'Acme Demo',
      company_domain: 'acme-demo',
      access: [{ app: 'sales', admin: true }],
      is_admin: 1,
      is_you: true,
      active_flag: true,
    });
    const sam = demo.users[1]?.id ?? 0;
    const samMe = await callApi<CurrentUserV1>(sandbox, connect(sandbox, sam).access_token, 'GET', '/api/v1/users/me');
    expect(samMe.body.data).toMatchObject({ id: sam, is_admin: 0, access: [{ app: 'sales', admin: false }] });
  });

  it('lists and gets users of the caller’s company only', async () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const list = await callApi<UserV1[]>(sandbox, adminToken, 'GET', '/api/v1/users');
    expect(list.body.data.map((user) => user.id).sort()).toEqual(demo.users.map((user) => user.id).sort());

    expect(
      (await callApi<UserV1>(sandbox, adminToken, 'GET', `/api/v1/users/${demo.users[1]?.id}`)).body.data,
    ).toMatchObject({
      id: demo.users[1]?.id,
      is_you: false,
    });
    const foreign = await callApi(sandbox, adminToken, 'GET', `/api/v1/users/${other.admin.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ success: false, error: 'User not found', data: null });
  });

  it('isolates the two seeded companies', async () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const globexToken = connect(sandbox, other.admin.id).access_token;
    const globexPersons = await callApi<PersonV2[]>(sandbox, globexToken, 'GET', '/api/v2/persons');
    expect(globexPersons.body.data.map((person) => person.name)).toEqual(['Hank Scorpio']);

    const acmePerson = demo.persons[0]?.id ?? 0;
    expect((await callApi(sandbox, globexToken, 'GET', `/api/v2/persons/${acmePerson}`)).status).toBe(404);
    expect((await callApi(sandbox, globexToken, 'PATCH', `/api/v2/persons/${acmePerson}`, { name: 'x' })).status).toBe(
      404,
    );
    expect(sandbox.pipedrive.state.persons.get(acmePerson)?.name).toBe('Maria Gomez');
  });

  it('answers unknown API paths with a 404 envelope', async () => {
    const response = await callApi(sandbox, adminToken, 'GET', '/api/v2/unicorns');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ success: false, data: null, additional_data: null });
  });

  it('records every authenticated call with company, user, client, endpoint, cost and status', async () => {
    const { demo } = sandbox.pipedrive.seed;
    await callApi(sandbox, adminToken, 'GET', '/api/v1/users/me');
    await callApi(sandbox, adminToken, 'GET', '/api/v2/persons/999999');
    expect(sandbox.pipedrive.state.apiCalls).toEqual([
      expect.objectContaining({
        companyId: demo.company.id,
        userId: demo.admin.id,
        clientId: 'test-app',
        endpoint: 'GET /api/v1/users/me',
        cost: 2,
        status: 200,
      }),
      expect.objectContaining({ endpoint: 'GET /api/v2/persons/:id', cost: 1, status: 404 }),
    ]);
    expect(sandbox.pipedrive.usage(demo.company.id)).toMatchObject({
      spent: 3,
      calls: 2,
      budget: 30_000 * 1 * 3,
      byEndpoint: { 'GET /api/v1/users/me': { calls: 1, tokens: 2 } },
    });
  });
});
