import type { Sandbox } from '../../../sandbox/index.ts';
import { callApi, startWithTokens } from './pipedrive-helpers.ts';

describe('Pipedrive sandbox: path forms and webhook subscription checks', () => {
  let sandbox: Sandbox;
  let admin: string;

  beforeEach(async () => {
    ({ sandbox, admin } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('answers v1 at /v1 as at /api/v1, sharing the rate limits; v2 only under /api', async () => {
    const short = await callApi<{ id: number }>(sandbox, admin, 'GET', '/v1/users/me');
    expect(short.status).toBe(200);
    expect(short.body.data.id).toBe(sandbox.pipedrive.seed.demo.admin.id);
    expect(short.headers.get('x-ratelimit-remaining')).toBe('79');
    expect((await callApi(sandbox, admin, 'GET', '/api/v1/users/me')).headers.get('x-ratelimit-remaining')).toBe('78');
    expect((await callApi(sandbox, null, 'GET', '/v1/users/me')).status).toBe(401);
    expect((await callApi(sandbox, admin, 'GET', '/v2/persons')).status).toBe(404);
  });

  it('refuses webhook subscriptions to Pipedrive’s own domain, unknown objects and versions', async () => {
    const subscribe = (extra: object) =>
      callApi(sandbox, admin, 'POST', '/api/v1/webhooks', {
        name: 'x',
        subscription_url: 'https://parley.example/pd',
        event_action: '*',
        event_object: '*',
        ...extra,
      });
    for (const url of [
      'https://acme.pipedrive.com/hook',
      'https://api.pipedrive.com/x',
      `${sandbox.url}/api/v1/users/me`,
    ]) {
      const refused = await subscribe({ subscription_url: url });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual({ subscription_url: 'subscription_url must not point to Pipedrive' });
    }
    expect((await subscribe({ event_object: 'invoice' })).body.errors).toHaveProperty('event_object');
    expect((await subscribe({ version: '3.0' })).body.errors).toEqual({ version: 'version must be 1.0 or 2.0' });
    expect((await subscribe({ subscription_url: 'https://pipedrive.com.example.org/hook' })).status).toBe(201);
  });
});
