import { companies, connections } from '../../../server/db/schema/index.ts';
import type { WorkerRunner } from '../../../server/jobs/worker-runner.ts';
import { connectCompany, startTestWorkers } from '../../helpers/connected-company.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startSandboxedTestApp, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import type { PanelStatus } from '../../../contracts/panel.schemas.ts';

/** Pipedrive's uninstall callback, as the sandbox's Marketplace sends it. */
const uninstallHeaders = () => ({
  authorization: `Basic ${Buffer.from(`${TEST_SECRETS.clientId}:${TEST_SECRETS.clientSecret}`).toString('base64')}`,
  'content-type': 'application/json',
});

describe('disconnects and uninstall (against the sandbox)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let workers: WorkerRunner;

  let closeAll: () => Promise<void>;

  beforeEach(async () => {
    ({ pd, testApp, close: closeAll } = await startSandboxedTestApp());
    workers = await startTestWorkers(testApp);
  });

  afterEach(async () => {
    await workers.stop();
    await closeAll();
  });

  const panelStatus = async (user: PipedriveUser) => {
    const response = await testApp.app.inject({
      method: 'GET',
      url: '/api/panel/status',
      headers: bearer(await signPanelToken(user)),
    });
    return response.json<PanelStatus>().state;
  };
  const rows = () => testApp.database.db.select().from(connections);
  const uninstall = (
    user: PipedriveUser,
    headers: Record<string, string> = uninstallHeaders(),
    clientId: string = TEST_SECRETS.clientId,
  ) =>
    testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers,
      payload: {
        client_id: clientId,
        company_id: user.companyId,
        user_id: user.userId,
        timestamp: new Date().toISOString(),
      },
    });

  it('Disconnect Organization ends every connection of the company and revokes each grant at Pipedrive', async () => {
    const { ada, sam, rita } = pd.users;
    const { admin } = await connectCompany(testApp, pd.consent([sam, rita]));
    expect([ada, sam, rita].map(pd.isRevoked)).toEqual([false, false, false]);

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
    await waitFor(() => [ada, sam, rita].every(pd.isRevoked), { message: 'Pipedrive revoked all three grants' });
    expect(await panelStatus(sam)).toBe('org_not_connected');
    expect(await panelStatus(ada)).toBe('org_not_connected');
    const [company] = await testApp.database.db.select().from(companies);
    expect(company?.status).toBe('disconnected');
    expect(company?.purgeAfter?.getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
  });

  it('Disconnect only for me ends one personal connection; the org connection and others stay', async () => {
    const { ada, sam, rita } = pd.users;
    await connectCompany(testApp, pd.consent([sam, rita]));
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/disconnect-personal',
      headers: bearer(await signPanelToken(sam)),
    });
    expect(response.json()).toEqual({ ok: true, ended: true });
    await waitFor(() => pd.isRevoked(sam), { message: "Pipedrive revoked Sam's grant" });
    expect(pd.isRevoked(rita) || pd.isRevoked(ada)).toBe(false);
    expect(await panelStatus(sam)).toBe('personal_not_connected');
    expect(await panelStatus(rita)).toBe('connected');
    expect(await panelStatus(ada)).toBe('connected');
  });

  it("the org connector's Disconnect only for me keeps the grant that serves the organization", async () => {
    const { ada } = pd.users;
    await connectCompany(testApp, pd.consent());
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/panel/disconnect-personal',
      headers: bearer(await signPanelToken(ada)),
    });
    expect(response.json()).toEqual({ ok: true, ended: true });
    expect(await panelStatus(ada)).toBe('personal_not_connected');
    const [org] = await rows();
    expect(org).toMatchObject({ isOrgConnection: true, isPersonalConnection: false, state: 'active' });
    expect(pd.isRevoked(ada)).toBe(false);
  });

  it('uninstall by the org connector cascades; repeating it is harmless', async () => {
    const { ada, sam } = pd.users;
    await connectCompany(testApp, pd.consent([sam]));
    // Pipedrive removes the uninstaller's own grant, then calls the callback.
    pd.sandbox.pipedrive.revokeGrant({ clientId: TEST_SECRETS.clientId, userId: ada.userId });
    const first = await uninstall(ada);
    expect(first.json()).toEqual({ ok: true, ended: 'organization' });
    await waitFor(() => pd.isRevoked(sam), { message: "Pipedrive revoked Sam's grant" });
    expect(await panelStatus(sam)).toBe('org_not_connected');
    expect((await uninstall(ada)).json()).toEqual({ ok: true, ended: 'nothing' });
    const [company] = await testApp.database.db.select().from(companies);
    expect(company?.status).toBe('uninstalled');
  });

  it('uninstall from the sandbox Marketplace by a regular user ends only their connection', async () => {
    const { ada, sam } = pd.users;
    await connectCompany(testApp, pd.consent([sam]));
    // The sandbox's Uninstall revokes the grant and calls our callback URL; Parley is driven by
    // inject here, so the test delivers the same signed DELETE itself.
    pd.sandbox.pipedrive.revokeGrant({ clientId: TEST_SECRETS.clientId, userId: sam.userId });
    expect((await uninstall(sam)).json()).toEqual({ ok: true, ended: 'personal' });
    expect(await panelStatus(sam)).toBe('personal_not_connected');
    expect(await panelStatus(ada)).toBe('connected');
  });

  it.each([
    ['no credentials', { 'content-type': 'application/json' }],
    [
      'a wrong secret',
      {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${TEST_SECRETS.clientId}:guess`).toString('base64')}`,
      },
    ],
    [
      'another app',
      {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`other-app:${TEST_SECRETS.clientSecret}`).toString('base64')}`,
      },
    ],
    ['a bearer token', { 'content-type': 'application/json', authorization: `Bearer ${TEST_SECRETS.clientSecret}` }],
  ])('refuses a forged uninstall (%s) with 401 and changes nothing', async (_label, headers) => {
    const { ada } = pd.users;
    await connectCompany(testApp, pd.consent());
    const response = await uninstall(ada, headers);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'oauth.unauthorized' } });
    expect(await panelStatus(ada)).toBe('connected');
  });

  it('refuses an uninstall naming another client id even with valid credentials', async () => {
    await connectCompany(testApp, pd.consent());
    expect((await uninstall(pd.users.ada, uninstallHeaders(), 'other')).statusCode).toBe(401);
  });

  it('purges a disconnected company after the retention period, not before', async () => {
    const { ada, sam } = pd.users;
    const { admin } = await connectCompany(testApp, pd.consent([sam]));
    await admin.post('/api/integrations/pipedrive/disconnect-organization');
    expect(await testApp.domain.lifecycle.purgeDue()).toEqual([]);
    await testApp.database.pool.query("update companies set purge_after = now() - interval '1 minute'");
    expect(await testApp.domain.lifecycle.purgeDue()).toEqual([ada.companyId]);
    expect(await rows()).toEqual([]);
    expect(await testApp.database.db.select().from(companies)).toEqual([]);
  });
});
