import { v1, v2 } from 'pipedrive';
import type { Sandbox } from '../../../sandbox/index.ts';
import { apiDomainOf, basicAuth, callApi, connect, postForm, startPipedrive, testApp } from './pipedrive-helpers.ts';

describe('Pipedrive sandbox OAuth (/oauth/token, /oauth/revoke)', () => {
  let sandbox: Sandbox;
  const app = testApp();
  const tokenUrl = () => `${sandbox.url}/oauth/token`;
  const revokeUrl = () => `${sandbox.url}/oauth/revoke`;
  const adminId = () => sandbox.pipedrive.seed.demo.admin.id;
  const newCode = (userId = adminId()) =>
    sandbox.pipedrive.createAuthorizationCode({ clientId: app.clientId, userId }).code;
  const exchange = (code: string, redirectUri = app.callbackUrl, auth?: string | null) =>
    postForm(tokenUrl(), { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, auth);

  beforeEach(async () => {
    sandbox = await startPipedrive([app]);
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('exchanges a code for the documented token response', async () => {
    const response = await exchange(newCode());

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.stringMatching(/^v1u:/),
      token_type: 'Bearer',
      expires_in: 3599,
      refresh_token: expect.any(String),
      scope: 'base,deals:full,contacts:full,leads:full,activities:full,users:read,search:read,webhooks:full',
      api_domain: apiDomainOf(sandbox, 'acme-demo'),
    });
    const me = await callApi<{ id: number; company_id: number }>(
      sandbox,
      response.body.access_token ?? '',
      'GET',
      '/api/v1/users/me',
    );
    expect(me.body.data).toMatchObject({ id: adminId(), company_id: sandbox.pipedrive.seed.demo.company.id });
  });

  it('accepts a code only once', async () => {
    const code = newCode();
    expect((await exchange(code)).status).toBe(200);

    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid grant: authorization_code is invalid',
    });
  });

  it('refuses an unknown code and a code older than 5 minutes', async () => {
    expect((await exchange('not-a-code')).body.error).toBe('invalid_grant');

    const code = newCode();
    sandbox.clock.advance(5 * 60 * 1000 + 1);
    const expired = await exchange(code);
    expect(expired.status).toBe(400);
    expect(expired.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid grant: authorization_code has expired',
    });
  });

  it('requires redirect_uri to equal the callback URL', async () => {
    const mismatch = await exchange(newCode(), 'http://localhost:5999/elsewhere');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toEqual({
      error: 'invalid_request',
      error_description: 'Invalid request: redirect_uri is invalid',
    });

    const missing = await postForm(tokenUrl(), { grant_type: 'authorization_code', code: newCode() });
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: 'Invalid request: redirect_uri is not a valid URI',
    });
  });

  it('authenticates the client with Basic auth only', async () => {
    const wrongSecret = await exchange(newCode(), app.callbackUrl, basicAuth(app.clientId, 'wrong'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get('www-authenticate')).toBe('Basic realm="Service"');
    expect(wrongSecret.body).toEqual({
      error: 'invalid_client',
      error_description: 'Invalid client: client is invalid',
    });

    const inBody = await postForm(
      tokenUrl(),
      {
        grant_type: 'authorization_code',
        code: newCode(),
        redirect_uri: app.callbackUrl,
        client_id: app.clientId,
        client_secret: app.clientSecret,
      },
      null,
    );
    // RFC 6749 §2.3.1 lets a client put its credentials in the form body instead of Basic.
    expect(inBody.status).toBe(200);
    expect(inBody.body.access_token).toEqual(expect.any(String));

    const wrongInBody = await postForm(
      tokenUrl(),
      {
        grant_type: 'authorization_code',
        code: newCode(),
        redirect_uri: app.callbackUrl,
        client_id: app.clientId,
        client_secret: 'nope',
      },
      null,
    );
    expect(wrongInBody.status).toBe(401);
    const both = await postForm(tokenUrl(), {
      grant_type: 'authorization_code',
      code: newCode(),
      redirect_uri: app.callbackUrl,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    expect(both.body).toEqual({
      error: 'invalid_request',
      error_description: 'Invalid request: use one client authentication method (Basic header or form body)',
    });
    const neither = await postForm(tokenUrl(), { grant_type: 'authorization_code', code: newCode() }, null);
    expect(neither.body.error_description).toBe('Invalid client: cannot retrieve client credentials');
  });

  it('validates grant_type and the content type', async () => {
    expect((await postForm(tokenUrl(), {})).body).toEqual({
      error: 'invalid_request',
      error_description: 'Missing parameter: grant_type',
    });
    expect((await postForm(tokenUrl(), { grant_type: 'password' })).body).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'Unsupported grant type: grant_type is invalid',
    });
    const json = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuth(app.clientId, app.clientSecret) },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Invalid request: content must be application/x-www-form-urlencoded',
    });
  });

  it('rotates the refresh token: the old one stops working, the new one works', async () => {
    const first = connect(sandbox, adminId());
    const refreshed = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    expect(refreshed.body.api_domain).toBe(apiDomainOf(sandbox, 'acme-demo'));

    const reused = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid grant: refresh_token is invalid',
    });

    const again = await postForm(tokenUrl(), {
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token ?? '',
    });
    expect(again.status).toBe(200);
  });

  it('refuses another client’s refresh token and one unused for 60 days', async () => {
    const other = testApp({ clientId: 'other-app', clientSecret: 'other-secret' });
    sandbox.pipedrive.registerApp(other);
    const tokens = connect(sandbox, adminId());
    const foreign = await postForm(
      tokenUrl(),
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      basicAuth(other.clientId, other.clientSecret),
    );
    expect(foreign.body.error).toBe('invalid_grant');

    sandbox.clock.advance(60 * 24 * 60 * 60 * 1000 + 1000);
    const stale = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(stale.status).toBe(400);
    expect(stale.body.error).toBe('invalid_grant');
  });

  it('expires access tokens after 3599 seconds', async () => {
    const tokens = connect(sandbox, adminId());
    sandbox.clock.advance(3598 * 1000);
    expect((await callApi(sandbox, tokens.access_token, 'GET', '/api/v1/users/me')).status).toBe(200);

    sandbox.clock.advance(2000);
    const expired = await callApi(sandbox, tokens.access_token, 'GET', '/api/v1/users/me');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({
      success: false,
      error: 'Invalid token: access token has expired',
      errorCode: 401,
    });
  });

  it('revokes only an access token with the access_token hint', async () => {
    const tokens = connect(sandbox, adminId());
    const revoked = await postForm(revokeUrl(), { token: tokens.access_token, token_type_hint: 'access_token' });
    expect(revoked.status).toBe(200);

    expect((await callApi(sandbox, tokens.access_token, 'GET', '/api/v1/users/me')).status).toBe(401);
    const refreshed = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
  });

  it('revokes the whole grant with the refresh_token hint, and answers 200 for unknown tokens', async () => {
    const tokens = connect(sandbox, adminId());
    expect(
      (await postForm(revokeUrl(), { token: tokens.refresh_token, token_type_hint: 'refresh_token' })).status,
    ).toBe(200);

    expect((await callApi(sandbox, tokens.access_token, 'GET', '/api/v1/users/me')).status).toBe(401);
    const refreshed = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.body.error).toBe('invalid_grant');
    const grant = [...sandbox.pipedrive.state.grants.values()].find((candidate) => candidate.userId === adminId());
    expect(grant?.revokedAt).toBeInstanceOf(Date);

    expect((await postForm(revokeUrl(), { token: 'unknown-token' })).status).toBe(200);
    expect((await postForm(revokeUrl(), { token: 'x' }, basicAuth(app.clientId, 'wrong'))).status).toBe(401);
  });

  it('works with the official client’s OAuth2Configuration (authorize, refresh, revoke)', async () => {
    const oauth2 = new v2.OAuth2Configuration({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      redirectUri: app.callbackUrl,
      host: sandbox.url,
    });
    const token = await oauth2.authorize(newCode());
    expect(token.api_domain).toBe(apiDomainOf(sandbox, 'acme-demo'));
    expect(oauth2.basePath).toBe(`${apiDomainOf(sandbox, 'acme-demo')}/api/v2`);

    const refreshed = await oauth2.tokenRefresh();
    expect(refreshed.refresh_token).not.toBe(token.refresh_token);

    const users = new v1.UsersApi(
      new v1.Configuration({ accessToken: refreshed.access_token, basePath: `${sandbox.url}/api/v1` }),
    );
    const me = await users.getCurrentUser();
    expect(me.data?.id).toBe(adminId());

    await oauth2.revokeToken('refresh_token');
    await expect(users.getCurrentUser()).rejects.toMatchObject({ success: false, errorCode: 401 });
  });
});
