import { v1, v2 } from 'pipedrive';
import type { Sandbox } from '../../../sandbox/index.ts';
import { connect, LOOPBACK_AXIOS_OPTIONS, startPipedrive } from './pipedrive-helpers.ts';

/** The official `pipedrive` client (33.7.0) against the sandbox: basePath = the company's api_domain + /api/v2 (v1 for v1 classes). */
describe('Pipedrive sandbox with the official pipedrive client', () => {
  let sandbox: Sandbox;
  let v2Config: v2.Configuration;
  let v1Config: v1.Configuration;

  beforeEach(async () => {
    sandbox = await startPipedrive();
    const tokens = connect(sandbox, sandbox.pipedrive.seed.demo.users[1]?.id ?? 0);
    v2Config = new v2.Configuration({ accessToken: tokens.access_token, basePath: `${tokens.api_domain}/api/v2` });
    v1Config = new v1.Configuration({ accessToken: tokens.access_token, basePath: `${tokens.api_domain}/api/v1` });
    // The constructors drop `baseOptions`; every call reads the property (openapi-generator's hook for axios options).
    v2Config.baseOptions = LOOPBACK_AXIOS_OPTIONS;
    v1Config.baseOptions = LOOPBACK_AXIOS_OPTIONS;
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

  it('writes a note on a person and a deal together with v1.NotesApi, and reads, updates, lists and deletes it', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const notes = new v1.NotesApi(v1Config);
    const maria = demo.persons[0]?.id ?? 0;
    const deal = demo.deals[0]?.id ?? 0;
    const added = await notes.addNote({
      AddNoteRequest: { content: '<p>WhatsApp chat</p>', person_id: maria, deal_id: deal, pinned_to_deal_flag: 1 },
    });
    expect(added.data).toMatchObject({ person_id: maria, deal_id: deal, pinned_to_deal_flag: true });
    const id = added.data?.id ?? 0;
    const updated = await notes.updateNote({ id, NoteRequest: { content: '<p>edited</p>' } });
    expect(updated.data).toMatchObject({ content: '<p>edited</p>', person_id: maria, deal_id: deal });
    expect((await notes.getNote({ id })).data?.id).toBe(id);
    expect((await notes.getNotes({ person_id: maria, pinned_to_deal_flag: 1 })).data?.map((note) => note.id)).toEqual([
      id,
    ]);
    expect((await notes.deleteNote({ id })).success).toBe(true);
    await expect(notes.getNote({ id })).rejects.toMatchObject({ success: false, error: 'Note not found' });
  });

  it('searches with every v2 search class and v1 users/find', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const deals = await new v2.DealsApi(v2Config).searchDeals({ term: 'Website', exact_match: false });
    expect(deals.data?.items?.map((entry) => entry.item?.id)).toEqual([demo.deals[0]?.id]);
    const organization = await new v2.OrganizationsApi(v2Config).addOrganization({
      AddOrganizationRequest: { name: 'Client Org', address: { value: 'Madrid' } },
    });
    const organizations = await new v2.OrganizationsApi(v2Config).searchOrganization({ term: 'Client Org' });
    expect(organizations.data?.items?.map((entry) => entry.item?.id)).toEqual([organization.data?.id]);
    await new v1.LeadsApi(v1Config).addLead({
      AddLeadRequest: { title: 'Searchable lead', person_id: demo.persons[0]?.id ?? 0 },
    });
    const leads = await new v2.LeadsApi(v2Config).searchLeads({ term: 'Searchable' });
    expect(leads.data?.items?.map((entry) => entry.item?.title)).toEqual(['Searchable lead']);
    const items = new v2.ItemSearchApi(v2Config);
    const found = await items.searchItem({ term: '+34 600 111 222', fields: 'phone', exact_match: true });
    expect(found.data?.items?.map((entry) => (entry.item as { id: number }).id)).toEqual([demo.persons[0]?.id]);
    const byField = await items.searchItemByField({
      term: 'Maria Gomez',
      entity_type: 'person',
      field: 'name',
      match: 'exact',
    });
    expect(byField.data).toEqual([{ id: demo.persons[0]?.id, name: 'Maria Gomez' }]);
    const users = await new v1.UsersApi(v1Config).findUsersByName({ term: demo.admin.name });
    expect(users.data?.map((user) => user.id)).toEqual([demo.admin.id]);
  });

  it('runs the records’ lifecycle with the client: gets, lists, updates, deletes and merges', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const persons = new v2.PersonsApi(v2Config);
    const duplicate = await persons.addPerson({
      AddPersonRequest: { name: 'Dup', phones: [{ value: '+34 600 000 001' }] },
    });
    const duplicateId = duplicate.data?.id ?? 0;
    expect((await persons.getPerson({ id: duplicateId })).data?.name).toBe('Dup');
    const merged = await new v1.PersonsApi(v1Config).mergePersons({
      id: duplicateId,
      MergePersonsRequest: { merge_with_id: demo.persons[0]?.id ?? 0 },
    });
    expect(merged.data?.id).toBe(demo.persons[0]?.id);
    await expect(persons.getPerson({ id: duplicateId })).rejects.toMatchObject({ error: 'Person not found' });

    const deals = new v2.DealsApi(v2Config);
    const deal = await deals.addDeal({ AddDealRequest: { title: 'Lifecycle', person_id: demo.persons[0]?.id ?? 0 } });
    const dealId = deal.data?.id ?? 0;
    const won = await deals.updateDeal({ id: dealId, UpdateDealRequest: { status: 'won' } });
    expect(won.data?.won_time).toEqual(expect.any(String));
    expect((await deals.getDeals({ limit: 500 })).data?.map((item) => item.id)).toContain(dealId);
    expect((await deals.deleteDeal({ id: dealId })).data?.id).toBe(dealId);

    const activities = new v2.ActivitiesApi(v2Config);
    const activity = await activities.addActivity({
      AddActivityRequest: { subject: 'Call', type: 'call', deal_id: demo.deals[0]?.id ?? 0 },
    });
    const activityId = activity.data?.id ?? 0;
    expect((await activities.updateActivity({ id: activityId, AddActivityRequest: { done: true } })).data?.done).toBe(
      true,
    );
    expect((await activities.getActivity({ id: activityId })).data?.id).toBe(activityId);
    expect((await activities.deleteActivity({ id: activityId })).data?.id).toBe(activityId);

    const organizations = new v2.OrganizationsApi(v2Config);
    const organization = await organizations.addOrganization({ AddOrganizationRequest: { name: 'Gone Org' } });
    const organizationId = organization.data?.id ?? 0;
    await organizations.updateOrganization({ id: organizationId, UpdateOrganizationRequest: { name: 'Gone Org 2' } });
    expect((await organizations.getOrganization({ id: organizationId })).data?.name).toBe('Gone Org 2');
    expect((await organizations.getOrganizations({})).data?.map((item) => item.id)).toContain(organizationId);
    expect((await organizations.deleteOrganization({ id: organizationId })).data?.id).toBe(organizationId);

    const leads = new v1.LeadsApi(v1Config);
    const lead = await leads.addLead({ AddLeadRequest: { title: 'Gone lead', person_id: demo.persons[0]?.id ?? 0 } });
    const leadId = lead.data?.id ?? '';
    await leads.updateLead({ id: leadId, UpdateLeadRequest: { title: 'Gone lead 2' } });
    expect((await leads.getLead({ id: leadId })).data?.title).toBe('Gone lead 2');
    expect((await leads.deleteLead({ id: leadId })).success).toBe(true);
  });

  it('reads users, webhooks and metadata with the v1 classes', async () => {
    const users = new v1.UsersApi(v1Config);
    expect((await users.getCurrentUser()).data?.id).toBe(sandbox.pipedrive.seed.demo.users[1]?.id);
    expect((await users.getUsers()).data?.length).toBe(3);
    expect((await users.getUser({ id: sandbox.pipedrive.seed.demo.admin.id })).data?.name).toBe(
      sandbox.pipedrive.seed.demo.admin.name,
    );
    const webhooks = new v1.WebhooksApi(v1Config);
    const webhook = await webhooks.addWebhook({
      AddWebhookRequest: {
        name: 'client',
        subscription_url: 'https://parley.example/pd',
        event_action: '*',
        event_object: '*',
      },
    });
    expect((await webhooks.getWebhooks()).data?.map((item) => item.id)).toContain(webhook.data?.id);
    expect((await webhooks.deleteWebhook({ id: webhook.data?.id ?? 0 })).success).toBe(true);
    expect((await new v1.ActivityTypesApi(v1Config).getActivityTypes()).data?.map((type) => type.key_string)).toContain(
      'call',
    );
    expect((await new v1.LeadLabelsApi(v1Config).getLeadLabels()).success).toBe(true);
    expect((await new v1.PersonFieldsApi(v1Config).getPersonFields({})).data?.map((field) => field.key)).toContain(
      'phone',
    );
  });
});
