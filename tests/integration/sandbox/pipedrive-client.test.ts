import { v1, v2 } from 'pipedrive';
import type { Sandbox } from '../../../sandbox/index.ts';
import { connect, startPipedrive } from './pipedrive-helpers.ts';

/** The official `pipedrive` client (33.7.0) against the sandbox: basePath = sandbox URL + /api/v2 (v1 for v1 classes). */
describe('Pipedrive sandbox with the official pipedrive client', () => {
  let sandbox: Sandbox;
  let v2Config: v2.Configuration;
  let v1Config: v1.Configuration;

  beforeEach(async () => {
    sandbox = await startPipedrive();
    const tokens = connect(sandbox, sandbox.pipedrive.seed.demo.users[1]?.id ?? 0);
    v2Config = new v2.Configuration({ accessToken: tokens.access_token, basePath: `${tokens.api_domain}/api/v2` });
    v1Config = new v1.Configuration({ accessToken: tokens.access_token, basePath: `${tokens.api_domain}/api/v1` });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('adds, updates, lists and searches persons with v2.PersonsApi', async () => {
    const persons = new v2.PersonsApi(v2Config);
    const added = await persons.addPerson({
      AddPersonRequest: {
        name: 'Client Person',
        phones: [{ value: '+44 7700 900123', primary: true, label: 'mobile' }],
      },
    });
    expect(added.success).toBe(true);
    const id = added.data?.id ?? 0;

    const updated = await persons.updatePerson({ id, UpdatePersonRequest: { name: 'Client Person Renamed' } });
    expect(updated.data?.name).toBe('Client Person Renamed');

    const page = await persons.getPersons({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.additional_data?.next_cursor).toEqual(expect.any(String));

    const found = await persons.searchPersons({ term: '+44 7700 900123', fields: 'phone', exact_match: true });
    expect(found.data?.items?.map((entry) => entry.item?.id)).toEqual([id]);
  });

  it('creates a deal, an activity, a lead and a note through the client classes', async () => {
    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
    const deal = await new v2.DealsApi(v2Config).addDeal({
      AddDealRequest: { title: 'Client deal', person_id: maria },
    });
    expect(deal.data?.person_id).toBe(maria);

    const activity = await new v2.ActivitiesApi(v2Config).addActivity({
      AddActivityRequest: { subject: 'Call Maria', type: 'call', person_id: maria, deal_id: deal.data?.id ?? 0 },
    });
    expect(activity.data?.type).toBe('call');

    const lead = await new v1.LeadsApi(v1Config).addLead({
      AddLeadRequest: { title: 'Client lead', person_id: maria },
    });
    expect(lead.data?.person_id).toBe(maria);

    const note = await new v1.NotesApi(v1Config).addNote({
      AddNoteRequest: { content: '<p>hello</p>', lead_id: lead.data?.id ?? '' },
    });
    expect(note.data?.lead_id).toBe(lead.data?.id);

    const stages = await new v2.StagesApi(v2Config).getStages({ pipeline_id: deal.data?.pipeline_id ?? 0 });
    expect(stages.data?.map((stage) => stage.id)).toContain(deal.data?.stage_id);
  });

  it('rejects with Pipedrive’s error body, as the client does for real errors', async () => {
    const persons = new v2.PersonsApi(v2Config);
    await expect(persons.getPerson({ id: 987654 })).rejects.toMatchObject({
      success: false,
      error: 'Person not found',
    });
    await expect(persons.addPerson({ AddPersonRequest: {} })).rejects.toMatchObject({
      success: false,
      error: 'Validation failed: name: required',
    });
  });
});
