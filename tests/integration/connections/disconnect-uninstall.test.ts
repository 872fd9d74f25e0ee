import { connections, companies } from '../../../server/db/schema/index.ts';
import type { WorkerRunner } from '../../../server/jobs/worker-runner.ts';
import { connectCompany, startTestWorkers } from '../../helpers/connected-company.ts';
import { ADA, recordRevocations, RITA, SAM, uninstallHeaders } from '../../helpers/fake-pipedrive.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { waitFor } from '../../helpers/wait-for.ts';

describe('disconnects and uninstall', () => {
  let testApp: TestApp;
  let workers: WorkerRunner;

  beforeEach(async () => {
    testApp = await createTestApp();
    workers = await startTestWorkers(testApp);
  });

  afterEach(async () => {
    await workers.stop();
    await testApp.close();
  });

  const panelStatus = async (user: { companyId: number; userId: number }) => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/panel/status',
      headers: bearer(await signPanelToken(user)),
    });
    return response.json<{ state: string }>().state;
  };
  const rows = () => testApp.database.db.select().from(connections);

  it('Disconnect Organization ends every connection of the company and revokes each grant at Pipedrive', async () => {
    const { admin, grants } = await connectCompany(testApp, [SAM, RITA]);
    const revoked = recordRevocations();
    const response = await admin.post('/api/integrations/pipedrive/disconnect-organization');
    expect(response.json()).toEqual({ ok: true, endedConnections: 3 });

    for (const row of await rows()) {
      expect(row).toMatchObject({
        state: 'revoked',
        isOrgConnection: false,
        isPersonalConnection: false,
        accessTokenCiphertext: null,
        refreshTokenCiphertext: null,
      });
    }
    await waitFor(() => revoked.length === 3, { message: 'three revocations' });
    expect(revoked.sort()).toEqual([ADA, SAM, RITA].map((user) => grants.get(user.userId)?.refreshToken).sort());
    expect(await panelStatus(SAM)).toBe('org_not_connected');
    expect(await panelStatus(ADA)).toBe('org_not_connected');
    const [company] = await testApp.database.db.select().from(companies);
    expect(company?.status).toBe('disconnected');
    expect(company?.purgeAfter?.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
  });

  it('Disconnect only for me ends one personal connection; the org connection and others stay', async () => {
    const { grants } = await connectCompany(testApp, [SAM, RITA]);
    const revoked = recordRevocations();
    const token = await signPanelToken(SAM);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/disconnect-personal',
      headers: bearer(token),
    });
    expect(response.json()).toEqual({ ok: true, ended: true });
    await waitFor(() => revoked.length === 1);
    expect(revoked).toEqual([grants.get(SAM.userId)?.refreshToken]);
    expect(await panelStatus(SAM)).toBe('personal_not_connected');
    expect(await panelStatus(RITA)).toBe('connected');
    expect(await panelStatus(ADA)).toBe('connected');
  });

  it("the org connector's Disconnect only for me keeps the grant that serves the organization", async () => {
    await connectCompany(testApp);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/disconnect-personal',
      headers: bearer(await signPanelToken(ADA)),
    });
    expect(response.json()).toEqual({ ok: true, ended: true });
    expect(await panelStatus(ADA)).toBe('personal_not_connected');
    const [org] = await rows();
    expect(org).toMatchObject({ isOrgConnection: true, isPersonalConnection: false, state: 'active' });
  });

  it('uninstall by the org connector cascades; repeating it is harmless', async () => {
    const { grants } = await connectCompany(testApp, [SAM]);
    const revoked = recordRevocations();
    const body = {
      client_id: 'test-client-id',
      company_id: ADA.companyId,
      user_id: ADA.userId,
      timestamp: '2026-11-24T10:00:00Z',
    };
    const first = await testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers: uninstallHeaders(),
      payload: body,
    });
    expect(first.json()).toEqual({ ok: true, ended: 'organization' });
    // Pipedrive already removed the uninstaller's own grant: only Sam's is revoked.
    await waitFor(() => revoked.length === 1);
    expect(revoked).toEqual([grants.get(SAM.userId)?.refreshToken]);
    expect(await panelStatus(SAM)).toBe('org_not_connected');
    const again = await testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers: uninstallHeaders(),
      payload: body,
    });
    expect(again.json()).toEqual({ ok: true, ended: 'nothing' });
    const [company] = await testApp.database.db.select().from(companies);
    expect(company?.status).toBe('uninstalled');
  });

  it('uninstall by a regular user ends only their connection', async () => {
    await connectCompany(testApp, [SAM]);
    const body = {
      client_id: 'test-client-id',
      company_id: SAM.companyId,
      user_id: SAM.userId,
      timestamp: '2026-11-24T10:00:00Z',
    };
    const response = await testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers: uninstallHeaders(),
      payload: body,
    });
    expect(response.json()).toEqual({ ok: true, ended: 'personal' });
    expect(await panelStatus(SAM)).toBe('personal_not_connected');
    expect(await panelStatus(ADA)).toBe('connected');
  });

  it.each([
    ['no credentials', {}],
    ['wrong secret', { authorization: `Basic ${Buffer.from('test-client-id:guess').toString('base64')}` }],
    [
      'another app',
      { authorization: `Basic ${Buffer.from('other-app:test-client-secret-4f1c2e').toString('base64')}` },
    ],
    ['a bearer token', { authorization: 'Bearer test-client-secret-4f1c2e' }],
  ])('refuses a forged uninstall (%s) with 401 and changes nothing', async (_label, headers) => {
    await connectCompany(testApp);
    const response = await testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers: { 'content-type': 'application/json', ...headers },
      payload: { client_id: 'test-client-id', company_id: ADA.companyId, user_id: ADA.userId, timestamp: 'now' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'oauth.unauthorized' } });
    expect(await panelStatus(ADA)).toBe('connected');
  });

  it('refuses an uninstall naming another client id even with valid credentials', async () => {
    await connectCompany(testApp);
    const response = await testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers: uninstallHeaders(),
      payload: { client_id: 'other', company_id: ADA.companyId, user_id: ADA.userId, timestamp: 'now' },
    });
    expect(response.statusCode).toBe(401);
  });

  it('purges a disconnected company after the retention period, not before', async () => {
    const { admin } = await connectCompany(testApp, [SAM]);
    recordRevocations();
    await admin.post('/api/integrations/pipedrive/disconnect-organization');
    expect(await testApp.domain.lifecycle.purgeDue()).toEqual([]);
    await testApp.database.pool.query("update companies set purge_after = now() - interval '1 minute'");
    expect(await testApp.domain.lifecycle.purgeDue()).toEqual([ADA.companyId]);
    expect(await rows()).toEqual([]);
    expect(await testApp.database.db.select().from(companies)).toEqual([]);
  });
});
