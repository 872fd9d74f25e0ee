import { connectCompany } from '../../helpers/connected-company.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { DEFAULT_SYNC_SETTINGS } from '../../../server/services/settings/sync-settings.ts';
import type { SettingsOptions, SettingsReply } from '../../../contracts/panel.schemas.ts';

describe('sync settings in the app-settings page (against the sandbox)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    await connectCompany(testApp, pd.consent([pd.users.sam]));
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const as = async (user: PipedriveUser, method: 'GET' | 'PUT', url: string, payload?: object) =>
    testApp.app.inject({
      method,
      url,
      headers: bearer(await signPanelToken(user)),
      ...(payload === undefined ? {} : { payload }),
    });

  it('starts from safe defaults that everyone connected may read; only Pipedrive admins may edit', async () => {
    const forSam = await as(pd.users.sam, 'GET', '/api/panel/settings');
    expect(forSam.json()).toStrictEqual<SettingsReply>({ canEdit: false, settings: DEFAULT_SYNC_SETTINGS });
    expect((await as(pd.users.ada, 'GET', '/api/panel/settings')).json()).toMatchObject({ canEdit: true });
    const settings = forSam.json<SettingsReply>().settings;
    const refused = await as(pd.users.sam, 'PUT', '/api/panel/settings', { ...settings, createOnNewChat: 'lead' });
    expect(refused.statusCode).toBe(403);
  });

  it('lists the pipelines with stages, lead labels and users from Pipedrive for the pickers', async () => {
    const response = await as(pd.users.ada, 'GET', '/api/panel/settings/options');
    expect(response.statusCode).toBe(200);
    const options = response.json<SettingsOptions>();
    expect(options.pipelines.map((pipeline) => pipeline.name)).toEqual(['Sales pipeline']);
    expect(options.pipelines[0]?.stages.map((stage) => stage.name)).toEqual([
      'Qualified',
      'Contact made',
      'Demo scheduled',
      'Proposal made',
      'Negotiations started',
    ]);
    expect(options.leadLabels.map((label) => label.name).sort()).toEqual(['Cold', 'Hot', 'Warm']);
    expect(options.users.map((user) => user.name).sort()).toEqual(['Ada Admin', 'Rita Rep', 'Sam Seller']);
  });

  it('saves valid settings, audits them, and rejects invalid ones with a clear 400', async () => {
    const options = (await as(pd.users.ada, 'GET', '/api/panel/settings/options')).json<SettingsOptions>();
    const current = (await as(pd.users.ada, 'GET', '/api/panel/settings')).json<SettingsReply>().settings;
    const pipeline = options.pipelines[0];
    const next = {
      ...current,
      createOnNewChat: 'deal',
      dealPipelineId: pipeline?.id,
      dealStageId: pipeline?.stages[1]?.id,
      exclusions: ['+1800', '+34600111222'],
    };
    const saved = await as(pd.users.ada, 'PUT', '/api/panel/settings', next);
    expect(saved.statusCode).toBe(200);
    expect((await as(pd.users.sam, 'GET', '/api/panel/settings')).json()).toMatchObject({
      settings: {
        createOnNewChat: 'deal',
        dealStageId: pipeline?.stages[1]?.id,
        exclusions: ['+1800', '+34600111222'],
      },
    });
    expect(
      (await testApp.domain.audit.list({ companyId: pd.users.ada.companyId })).map((entry) => entry.action),
    ).toContain('settings.updated');

    const invalid = await as(pd.users.ada, 'PUT', '/api/panel/settings', {
      ...next,
      exclusions: ['not a number'],
      timelineMode: 'fax',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { code: 'request.invalid' } });
    const unknownKey = await as(pd.users.ada, 'PUT', '/api/panel/settings', { ...next, surprise: true });
    expect(unknownKey.statusCode).toBe(400);
    // Only the offered intervals: 5 s would spend a write per message and more.
    const everyFewSeconds = await as(pd.users.ada, 'PUT', '/api/panel/settings', {
      ...next,
      timelineUpdateIntervalSeconds: 5,
    });
    expect(everyFewSeconds.statusCode).toBe(400);
    expect((await as(pd.users.sam, 'GET', '/api/panel/settings')).json()).toMatchObject({
      settings: { timelineUpdateIntervalSeconds: 30 },
    });
  });
});
