import type { Sandbox } from '../../../sandbox/index.ts';
import type { CurrentUserV1 } from '../../../sandbox/pipedrive/api/serializers/v1.ts';
import {
  apiDomainOf,
  callApi,
  postForm,
  startPipedrive,
  startReceiver,
  subscribeWebhook,
  testApp,
} from './pipedrive-helpers.ts';

/** The UI's consent page and uninstall button against the API side: codes, grants and tokens agree. */
describe('Pipedrive sandbox consent page → token exchange → API → uninstall', () => {
  let sandbox: Sandbox;
  const app = testApp();

  beforeEach(async () => {
    sandbox = await startPipedrive([app]);
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const allow = async (userId: number, state: string): Promise<URL> => {
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(userId);
    const response = await fetch(`${sandbox.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: app.callbackUrl,
        state,
        _csrf: csrfToken,
        decision: 'allow',
      }).toString(),
    });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') ?? '');
  };

  it('exchanges the code the consent page issued, for the user who allowed it', async () => {
    const sam = sandbox.pipedrive.seed.demo.users[1]?.id ?? 0;
    const redirect = await allow(sam, 'state-1');
    expect(redirect.origin + redirect.pathname).toBe(app.callbackUrl);
    expect(redirect.searchParams.get('state')).toBe('state-1');

    const tokens = await postForm(`${sandbox.url}/oauth/token`, {
      grant_type: 'authorization_code',
      code: redirect.searchParams.get('code') ?? '',
      redirect_uri: app.callbackUrl,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.body.api_domain).toBe(apiDomainOf(sandbox, 'acme-demo'));
    const me = await callApi<CurrentUserV1>(sandbox, tokens.body.access_token ?? '', 'GET', '/api/v1/users/me');
    expect(me.body.data).toMatchObject({ id: sam, company_id: sandbox.pipedrive.seed.demo.company.id, is_admin: 0 });
  });

  it('stops the tokens and removes the app webhooks when the user uninstalls from the Marketplace', async () => {
    const receiver = await startReceiver();
    const admin = sandbox.pipedrive.seed.demo.admin.id;
    try {
      const tokens = sandbox.pipedrive.authorizeApp({ clientId: app.clientId, userId: admin });
      await subscribeWebhook(sandbox, tokens.access_token, receiver.url);

      await sandbox.pipedrive.ui.uninstall({ clientId: app.clientId, userId: admin });

      expect((await callApi(sandbox, tokens.access_token, 'GET', '/api/v1/users/me')).status).toBe(401);
      const refreshed = await postForm(`${sandbox.url}/oauth/token`, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(refreshed.body.error).toBe('invalid_grant');
      expect(sandbox.pipedrive.state.webhooks.size).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
