import type { GetPipelinesResponseAllOfDataInner, StageItem } from 'pipedrive/v2';
import type { Sandbox } from '../../../sandbox/index.ts';
import type { DealV2 } from '../../../sandbox/pipedrive/api/serializers/v2.ts';
import { callApi, startWithTokens } from './pipedrive-helpers.ts';

describe('Pipedrive sandbox API v2 deals, pipelines and stages', () => {
  let sandbox: Sandbox;
  let admin: string;
  let sam: string;

  beforeEach(async () => {
    ({ sandbox, admin, sam } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('creates a deal on the first stage of the first pipeline by default', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const maria = demo.persons[0]?.id ?? 0;
    const response = await callApi<DealV2>(sandbox, sam, 'POST', '/api/v2/deals', {
      title: 'WhatsApp enquiry',
      person_id: maria,
      value: 250,
      expected_close_date: '2030-01-31',
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      title: 'WhatsApp enquiry',
      person_id: maria,
      org_id: null,
      owner_id: demo.users[1]?.id,
      pipeline_id: demo.stages[0]?.pipelineId,
      stage_id: demo.stages[0]?.id,
      value: 250,
      currency: 'USD',
      status: 'open',
      is_deleted: false,
      visible_to: 3,
      expected_close_date: '2030-01-31',
    });
  });

  it('requires a title and a person or an organization', async () => {
    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
    const cases: [object, string][] = [
      [{ person_id: maria }, 'Validation failed: title: required'],
      [
        { title: 'Orphan' },
        'Validation failed: a deal must be linked to a person or an organization (person_id or org_id)',
      ],
      [{ title: 'X', person_id: 987654 }, 'Validation failed: person_id: person not found'],
      [{ title: 'X', person_id: maria, value: '100' }, 'Validation failed: value: must be a number'],
      [{ title: 'X', person_id: maria, status: 'closed' }, 'Validation failed: status: must be one of open, won, lost'],
      [{ title: 'X', person_id: maria, stage_id: 424242 }, 'Validation failed: stage_id: stage not found'],
    ];
    for (const [body, message] of cases) {
      const response = await callApi(sandbox, admin, 'POST', '/api/v2/deals', body);
      expect({ body, status: response.status, error: response.body.error }).toEqual({
        body,
        status: 400,
        error: message,
      });
    }
  });

  it('refuses a stage of another pipeline and a person of another company', async () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const maria = demo.persons[0]?.id ?? 0;
    const globexStage = other.stages[0]?.id ?? 0;
    expect(
      (await callApi(sandbox, admin, 'POST', '/api/v2/deals', { title: 'X', person_id: maria, stage_id: globexStage }))
        .status,
    ).toBe(400);
    const hank = other.persons[0]?.id ?? 0;
    expect((await callApi(sandbox, admin, 'POST', '/api/v2/deals', { title: 'X', person_id: hank })).status).toBe(400);
  });

  it('patches a deal and refuses to unlink its last contact', async () => {
    const deal = sandbox.pipedrive.seed.demo.deals[0]?.id ?? 0;
    const stage = sandbox.pipedrive.seed.demo.stages[2]?.id ?? 0;
    const moved = await callApi<DealV2>(sandbox, admin, 'PATCH', `/api/v2/deals/${deal}`, {
      stage_id: stage,
      status: 'won',
    });
    expect(moved.body.data).toMatchObject({ id: deal, stage_id: stage, status: 'won', title: 'Website redesign' });

    const unlinked = await callApi(sandbox, admin, 'PATCH', `/api/v2/deals/${deal}`, { person_id: null });
    expect(unlinked.status).toBe(400);
    expect(sandbox.pipedrive.state.deals.get(deal)?.personId).not.toBeNull();
  });

  it('hides a private deal from users who may not see it', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const privateDeal = demo.deals[2]?.id ?? 0; // Rita's, visible_to 1
    const denied = await callApi(sandbox, sam, 'GET', `/api/v2/deals/${privateDeal}`);
    expect(denied.status).toBe(404);
    expect(denied.body).toMatchObject({ success: false, error: 'Deal not found' });
    expect((await callApi(sandbox, sam, 'PATCH', `/api/v2/deals/${privateDeal}`, { title: 'mine now' })).status).toBe(
      404,
    );
    const samDeals = await callApi<DealV2[]>(sandbox, sam, 'GET', '/api/v2/deals');
    expect(samDeals.body.data.map((deal) => deal.title).sort()).toEqual(['Carter expansion', 'Website redesign']);
    expect((await callApi(sandbox, admin, 'GET', `/api/v2/deals/${privateDeal}`)).status).toBe(200);
  });

  it('filters deals by person, owner, stage and status', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const carter = demo.persons[1]?.id ?? 0;
    const byPerson = await callApi<DealV2[]>(sandbox, admin, 'GET', `/api/v2/deals?person_id=${carter}`);
    expect(byPerson.body.data.map((deal) => deal.title)).toEqual(['Carter expansion']);
    const byOwner = await callApi<DealV2[]>(sandbox, admin, 'GET', `/api/v2/deals?owner_id=${demo.users[2]?.id}`);
    expect(byOwner.body.data.map((deal) => deal.title)).toEqual(['Silva private deal']);
    expect((await callApi<DealV2[]>(sandbox, admin, 'GET', '/api/v2/deals?status=won')).body.data).toEqual([]);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/deals?status=closed')).status).toBe(400);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/deals?sort_by=title')).status).toBe(400);
  });

  it('lists pipelines and the stages of a pipeline', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const pipelines = await callApi<GetPipelinesResponseAllOfDataInner[]>(sandbox, sam, 'GET', '/api/v2/pipelines');
    expect(pipelines.body.data).toEqual([
      expect.objectContaining({
        name: 'Sales pipeline',
        order_nr: 1,
        is_deleted: false,
        is_deal_probability_enabled: false,
      }),
    ]);
    const pipelineId = pipelines.body.data[0]?.id ?? 0;
    const stages = await callApi<StageItem[]>(
      sandbox,
      sam,
      'GET',
      `/api/v2/stages?pipeline_id=${pipelineId}&sort_by=order_nr`,
    );
    expect(stages.body.data.map((stage) => stage.name)).toEqual([
      'Qualified',
      'Contact made',
      'Demo scheduled',
      'Proposal made',
      'Negotiations started',
    ]);
    expect(stages.body.additional_data).toEqual({ next_cursor: null });
    expect((await callApi(sandbox, sam, 'GET', `/api/v2/pipelines/${pipelineId}`)).status).toBe(200);
    expect((await callApi(sandbox, sam, 'GET', `/api/v2/stages/${demo.stages[1]?.id}`)).body.data).toMatchObject({
      name: 'Contact made',
      pipeline_id: pipelineId,
    });
    const globexStage = sandbox.pipedrive.seed.other.stages[0]?.id ?? 0;
    expect((await callApi(sandbox, sam, 'GET', `/api/v2/stages/${globexStage}`)).status).toBe(404);
  });
});
