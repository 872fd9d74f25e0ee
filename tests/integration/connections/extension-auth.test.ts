import { SignJWT, UnsecuredJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { connectCompany } from '../../helpers/connected-company.ts';
import { startPipedriveSandbox, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';

const secret = new TextEncoder().encode(TEST_SECRETS.jwtSecret);

describe('panel authentication (the SDK signed token)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let claims: { companyId: number; userId: number };

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    await connectCompany(testApp, pd.consent());
    claims = { companyId: pd.users.ada.companyId, userId: pd.users.ada.userId };
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const status = (headers: Record<string, string>, query = '') =>
    testApp.app.inject({ method: 'GET', url: `/api/panel/status${query}`, headers });

  it('accepts a valid token and answers for the verified user', async () => {
    const response = await status(bearer(await signPanelToken(claims)));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      state: 'connected',
      company: { id: pd.users.ada.companyId, name: 'Acme Demo' },
      viewer: { pipedriveUserId: pd.users.ada.userId, isPipedriveAdmin: true, isOrgConnector: true },
    });
  });

  it.each([
    ['no header', async () => ({})],
    ['a token in the query string only', async () => ({})],
    ['a bad signature', async () => bearer(await signPanelToken(claims, { secret: 'not-the-secret' }))],
    ['alg none', async () => bearer(new UnsecuredJWT({ ...claims }).setExpirationTime('5m').encode())],
    [
      'HS512',
      async () =>
        bearer(
          await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('5m').sign(secret),
        ),
    ],
    [
      'RS256',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return bearer(
          await new SignJWT({ ...claims })
            .setProtectedHeader({ alg: 'RS256' })
            .setExpirationTime('5m')
            .sign(privateKey),
        );
      },
    ],
    [
      'an expired token (1 h ago)',
      async () =>
        bearer(
          await new SignJWT({ ...claims })
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
            .sign(secret),
        ),
    ],
    [
      'nbf in the future',
      async () =>
        bearer(
          await new SignJWT({ ...claims })
            .setProtectedHeader({ alg: 'HS256' })
            .setNotBefore('10m')
            .setExpirationTime('20m')
            .sign(secret),
        ),
    ],
    ['no exp', async () => bearer(await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(secret))],
    [
      'the client secret instead of the JWT secret',
      async () => bearer(await signPanelToken(claims, { secret: TEST_SECRETS.clientSecret })),
    ],
    [
      'a missing company claim',
      async () =>
        bearer(
          await new SignJWT({ userId: pd.users.ada.userId })
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime('5m')
            .sign(secret),
        ),
    ],
    [
      'a non-numeric user claim',
      async () =>
        bearer(
          await new SignJWT({ companyId: pd.users.ada.companyId, userId: 'admin' })
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime('5m')
            .sign(secret),
        ),
    ],
  ])('refuses %s with 401', async (label, headersOf) => {
    const query = label.includes('query') ? `?token=${await signPanelToken(claims)}` : '';
    const response = await status(await headersOf(), query);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'extensions.token_invalid' } });
  });

  it("never answers with another company's state, whatever the query says", async () => {
    const token = await signPanelToken({ companyId: pd.users.gina.companyId, userId: pd.users.gina.userId });
    const response = await status(bearer(token), `?companyId=${pd.users.ada.companyId}&userId=${pd.users.ada.userId}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      state: 'org_not_connected',
      company: { id: pd.users.gina.companyId, name: null },
      organization: { connectedBy: null },
    });
    expect(response.body).not.toContain('Acme');
  });

  it('lets only a Pipedrive admin disconnect the organization from the panel', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/disconnect-organization',
      headers: bearer(await signPanelToken({ companyId: pd.users.ada.companyId, userId: 999 })),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'connections.pipedrive_admin_only' } });
  });
});
