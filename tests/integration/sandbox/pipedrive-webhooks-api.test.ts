import type { BaseWebhook } from 'pipedrive/v1';
import type { Sandbox } from '../../../sandbox/index.ts';
import { callApi, connect, startPipedrive, subscribeWebhook, testApp } from './pipedrive-helpers.ts';

describe('Pipedrive sandbox webhooks API (v1 create, list, delete)', () => {
  let sandbox: Sandbox;
  let admin: string;

  beforeEach(async () => {
    sandbox = await startPipedrive([testApp(), testApp({ clientId: 'other-app' })]);
    admin = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id).access_token;
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const subscribe = (token: string, url: string, extra: object = {}) => subscribeWebhook(sandbox, token, url, extra);

  describe('API', () => {
    it('creates an app webhook with the documented fields and defaults', async () => {
      const webhook = await subscribe(admin, 'https://parley.example/webhooks', {
        http_auth_user: 'pd',
        http_auth_password: 's3cret',
      });
      expect(webhook).toMatchObject({
        id: expect.any(Number),
        company_id: sandbox.pipedrive.seed.demo.company.id,
        user_id: sandbox.pipedrive.seed.demo.admin.id,
        event_action: '*',
        event_object: '*',
        subscription_url: 'https://parley.example/webhooks',
        version: '2.0',
        is_active: 1,
        type: 'application',
        http_auth_user: 'pd',
        name: 'Parley sync',
      });
      const list = await callApi<BaseWebhook[]>(sandbox, admin, 'GET', '/api/v1/webhooks');
      expect(list.body).toMatchObject({ success: true, status: 'ok' });
      expect(list.body.data.map((entry) => entry.id)).toEqual([webhook.id]);

      const deleted = await callApi(sandbox, admin, 'DELETE', `/api/v1/webhooks/${webhook.id}`);
      expect(deleted.body).toEqual({ success: true, status: 'ok' });
      expect((await callApi<BaseWebhook[]>(sandbox, admin, 'GET', '/api/v1/webhooks')).body.data).toEqual([]);
      expect((await callApi(sandbox, admin, 'DELETE', `/api/v1/webhooks/${webhook.id}`)).status).toBe(404);
    });

    it('validates the request (name, URL, event action and object, version)', async () => {
      const response = await callApi(sandbox, admin, 'POST', '/api/v1/webhooks', {
        subscription_url: 'ftp://nope',
        event_action: 'updated',
        event_object: 'person',
        version: '3.0',
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ success: false, data: null });
      expect(Object.keys(response.body.errors ?? {}).sort()).toEqual([
        'event_action',
        'name',
        'subscription_url',
        'version',
      ]);
    });

    it('keeps each app to its own webhooks and at most 40 per user', async () => {
      const webhook = await subscribe(admin, 'https://parley.example/webhooks');
      const otherApp = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id, 'other-app').access_token;
      expect((await callApi<BaseWebhook[]>(sandbox, otherApp, 'GET', '/api/v1/webhooks')).body.data).toEqual([]);
      expect((await callApi(sandbox, otherApp, 'DELETE', `/api/v1/webhooks/${webhook.id}`)).status).toBe(403);

      for (let index = 1; index < 40; index += 1) await subscribe(admin, `https://parley.example/webhooks/${index}`);
      const overLimit = await callApi(sandbox, admin, 'POST', '/api/v1/webhooks', {
        name: 'one too many',
        subscription_url: 'https://parley.example/41',
        event_action: '*',
        event_object: '*',
      });
      expect(overLimit.status).toBe(422);
    });

    it('removes the app’s webhooks of a user when the grant is revoked (uninstall)', async () => {
      await subscribe(admin, 'https://parley.example/webhooks');
      sandbox.pipedrive.revokeGrant({ clientId: 'test-app', userId: sandbox.pipedrive.seed.demo.admin.id });
      expect(sandbox.pipedrive.state.webhooks.size).toBe(0);
    });
  });
});
