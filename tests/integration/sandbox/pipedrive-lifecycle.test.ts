import type { Sandbox } from '../../../sandbox/index.ts';
import type { DealV2, OrganizationV2, PersonV2 } from '../../../sandbox/pipedrive/api/serializers/v2.ts';
import { callApi, startReceiver, startWithTokens, subscribeWebhook } from './pipedrive-helpers.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('Pipedrive sandbox record lifecycle', () => {
  let sandbox: Sandbox;
  let admin: string;
  let sam: string;
  let receiver: Receiver;

  beforeEach(async () => {
    ({ sandbox, admin, sam } = await startWithTokens());
    receiver = await startReceiver();
    await subscribeWebhook(sandbox, admin, receiver.url);
  });
  afterEach(async () => {
    await receiver.close();
    await sandbox.close();
  });

  const events = () =>
    receiver.received.map(({ body }) => `${body.meta.action}.${body.meta.entity}:${body.meta.entity_id}`);

  it('creates, reads, patches, lists and deletes organizations (v2)', async () => {
    const created = await callApi<OrganizationV2>(sandbox, sam, 'POST', '/api/v2/organizations', {
      name: 'Acme Flowers',
      address: { value: 'Calle Mayor 1, Madrid' },
      visible_to: 3,
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      name: 'Acme Flowers',
      address: { value: 'Calle Mayor 1, Madrid' },
      owner_id: sandbox.pipedrive.seed.demo.users[1]?.id,
      is_deleted: false,
      custom_fields: {},
    });
    const id = created.body.data.id ?? 0;
    expect((await callApi(sandbox, sam, 'POST', '/api/v2/organizations', { name: 'X', color: 'red' })).status).toBe(
      400,
    );
    expect((await callApi(sandbox, sam, 'POST', '/api/v2/organizations', {})).status).toBe(400);

    const patched = await callApi<OrganizationV2>(sandbox, sam, 'PATCH', `/api/v2/organizations/${id}`, {
      name: 'Acme Flowers SL',
    });
    expect(patched.body.data.name).toBe('Acme Flowers SL');
    const listed = await callApi<OrganizationV2[]>(sandbox, sam, 'GET', '/api/v2/organizations');
    expect(listed.body.data.map((organization) => organization.id)).toEqual([id]);
    // A person can now be linked to it.
    const person = await callApi<PersonV2>(sandbox, sam, 'POST', '/api/v2/persons', { name: 'Org Member', org_id: id });
    expect(person.body.data.org_id).toBe(id);

    const deleted = await callApi(sandbox, sam, 'DELETE', `/api/v2/organizations/${id}`);
    expect(deleted.body).toEqual({ success: true, data: { id } });
    expect((await callApi(sandbox, sam, 'GET', `/api/v2/organizations/${id}`)).status).toBe(404);
    await receiver.waitFor(4);
    expect(events()).toEqual([
      `create.organization:${id}`,
      `change.organization:${id}`,
      `create.person:${person.body.data.id}`,
      `delete.organization:${id}`,
    ]);
    const deletion = receiver.received.find(
      ({ body }) => body.meta.action === 'delete' && body.meta.entity === 'organization',
    );
    expect(deletion?.body.data).toBeNull();
    expect(deletion?.body.previous).toMatchObject({ id, name: 'Acme Flowers SL' });
  });

  it('deletes persons, deals, leads, notes and activities with their delete webhooks', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const person = await callApi<PersonV2>(sandbox, admin, 'POST', '/api/v2/persons', { name: 'Short Lived' });
    const personId = person.body.data.id ?? 0;
    const deal = await callApi<DealV2>(sandbox, admin, 'POST', '/api/v2/deals', {
      title: 'Brief',
      person_id: personId,
    });
    const dealId = deal.body.data.id ?? 0;
    const lead = await callApi<{ id: string }>(sandbox, admin, 'POST', '/api/v1/leads', {
      title: 'Lead',
      person_id: personId,
    });
    const note = await callApi<{ id: number }>(sandbox, admin, 'POST', '/api/v1/notes', {
      content: 'n',
      deal_id: dealId,
    });
    const activity = await callApi<{ id: number }>(sandbox, admin, 'POST', '/api/v2/activities', {
      subject: 'Call',
      type: 'call',
      person_id: demo.persons[0]?.id,
    });
    await receiver.waitFor(5);

    expect((await callApi(sandbox, admin, 'DELETE', `/api/v1/notes/${note.body.data.id}`)).body).toEqual({
      success: true,
      data: true,
    });
    expect((await callApi(sandbox, admin, 'DELETE', `/api/v1/leads/${lead.body.data.id}`)).body.data).toEqual({
      id: lead.body.data.id,
    });
    expect((await callApi(sandbox, admin, 'DELETE', `/api/v2/activities/${activity.body.data.id}`)).body.data).toEqual({
      id: activity.body.data.id,
    });
    expect((await callApi(sandbox, admin, 'DELETE', `/api/v2/deals/${dealId}`)).body.data).toEqual({ id: dealId });
    expect((await callApi(sandbox, admin, 'DELETE', `/api/v2/persons/${personId}`)).body.data).toEqual({
      id: personId,
    });
    await receiver.waitFor(10);
    expect(events().slice(5)).toEqual([
      `delete.note:${note.body.data.id}`,
      `delete.lead:${lead.body.data.id}`,
      `delete.activity:${activity.body.data.id}`,
      `delete.deal:${dealId}`,
      `delete.person:${personId}`,
    ]);
    for (const path of [
      `/api/v2/persons/${personId}`,
      `/api/v2/deals/${dealId}`,
      `/api/v1/notes/${note.body.data.id}`,
    ]) {
      expect((await callApi(sandbox, admin, 'GET', path)).status).toBe(404);
    }
    // Deleting twice, or something another user may not see, is a 404.
    expect((await callApi(sandbox, admin, 'DELETE', `/api/v2/persons/${personId}`)).status).toBe(404);
    expect((await callApi(sandbox, sam, 'DELETE', `/api/v2/deals/${demo.deals[2]?.id}`)).status).toBe(404);
  });

  it('merges persons with PUT /v1/persons/{id}/merge: survivor keeps its data, gains phones and deals', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const maria = demo.persons[0]?.id ?? 0;
    const duplicate = await callApi<PersonV2>(sandbox, admin, 'POST', '/api/v2/persons', {
      name: 'María (WhatsApp)',
      phones: [{ value: '+34 600 999 888' }],
    });
    const duplicateId = duplicate.body.data.id ?? 0;
    const deal = await callApi<DealV2>(sandbox, admin, 'POST', '/api/v2/deals', {
      title: 'Dup deal',
      person_id: duplicateId,
    });
    await receiver.waitFor(2);

    const merged = await callApi<PersonV2 & { merge_what_id: number }>(
      sandbox,
      admin,
      'PUT',
      `/api/v1/persons/${duplicateId}/merge`,
      {
        merge_with_id: maria,
      },
    );
    expect(merged.status).toBe(200);
    expect(merged.body.data).toMatchObject({ id: maria, name: 'Maria Gomez', merge_what_id: duplicateId });
    expect(merged.body.data.phones?.map((phone) => phone.value)).toEqual(['+34 600 111 222', '+34 600 999 888']);
    expect(
      (await callApi<DealV2>(sandbox, admin, 'GET', `/api/v2/deals/${deal.body.data.id}`)).body.data.person_id,
    ).toBe(maria);
    await receiver.waitFor(4);
    const mergeEvents = receiver.received.slice(2).filter(({ body }) => body.meta.entity === 'person');
    expect(
      mergeEvents.map(({ body }) => [
        body.meta.action,
        body.meta.entity_id,
        body.meta['merged_to_id'],
        body.meta['merged_from_id'],
      ]),
    ).toEqual([
      ['delete', String(duplicateId), String(maria), undefined],
      ['change', String(maria), undefined, String(duplicateId)],
    ]);
    expect(
      (await callApi(sandbox, admin, 'PUT', `/api/v1/persons/${maria}/merge`, { merge_with_id: maria })).status,
    ).toBe(400);
    expect((await callApi(sandbox, admin, 'PUT', `/api/v1/persons/${maria}/merge`, {})).status).toBe(400);
  });

  it('sets won, lost, close and stage change times and the lost reason like Pipedrive', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const deal = await callApi<DealV2>(sandbox, admin, 'POST', '/api/v2/deals', {
      title: 'Timed',
      person_id: demo.persons[0]?.id,
    });
    const id = deal.body.data.id ?? 0;
    expect(deal.body.data).toMatchObject({
      won_time: null,
      lost_time: null,
      close_time: null,
      stage_change_time: null,
      lost_reason: null,
    });
    const patch = (body: object) => callApi<DealV2>(sandbox, admin, 'PATCH', `/api/v2/deals/${id}`, body);

    const stages = sandbox.pipedrive.seed.demo.stages;
    const moved = await patch({ stage_id: stages[1]?.id });
    expect(moved.body.data.stage_change_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect((await patch({ lost_reason: 'Too expensive' })).status).toBe(400);

    const lost = await patch({ status: 'lost', lost_reason: 'Too expensive' });
    expect(lost.body.data).toMatchObject({ status: 'lost', lost_reason: 'Too expensive', won_time: null });
    expect(lost.body.data.lost_time).toBe(lost.body.data.close_time);
    expect(lost.body.data.lost_time).not.toBeNull();

    const won = await patch({ status: 'won' });
    expect(won.body.data).toMatchObject({ status: 'won', lost_time: null, lost_reason: null });
    expect(won.body.data.won_time).toBe(won.body.data.close_time);

    const reopened = await patch({ status: 'open' });
    expect(reopened.body.data).toMatchObject({ won_time: null, lost_time: null, close_time: null });
  });

  it('accepts only the documented RFC 3339 form in updated_since', async () => {
    const list = (since: string) =>
      callApi(sandbox, admin, 'GET', `/api/v2/persons?updated_since=${encodeURIComponent(since)}`);
    expect((await list('2020-01-01T00:00:00Z')).status).toBe(200);
    expect((await list('2020-01-01T00:00:00+02:00')).status).toBe(200);
    for (const bad of ['2020-01-01', '2020-01-01T00:00', '2020-01-01 00:00:00', '1577836800']) {
      expect((await list(bad)).body.error).toBe('Validation failed: updated_since: must be an RFC 3339 date-time');
    }
  });
});
