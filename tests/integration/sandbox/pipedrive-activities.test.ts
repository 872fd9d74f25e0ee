import type { GetField } from 'pipedrive/v1';
import type { Sandbox } from '../../../sandbox/index.ts';
import type { ActivityTypeV1 } from '../../../sandbox/pipedrive/api/serializers/v1.ts';
import type { ActivityV2 } from '../../../sandbox/pipedrive/api/serializers/v2.ts';
import { callApi, startWithTokens } from './pipedrive-helpers.ts';

describe('Pipedrive sandbox API activities, activity types and person fields', () => {
  let sandbox: Sandbox;
  let admin: string;
  let sam: string;

  beforeEach(async () => {
    ({ sandbox, admin, sam } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('adds a custom "WhatsApp chat" activity type and logs an activity of that type', async () => {
    const created = await callApi<ActivityTypeV1>(sandbox, admin, 'POST', '/api/v1/activityTypes', {
      name: 'WhatsApp chat',
      icon_key: 'bubble',
      color: '25D366',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: 'WhatsApp chat',
      key_string: 'whatsapp_chat',
      icon_key: 'bubble',
      color: '25D366',
      is_custom_flag: true,
      active_flag: true,
      order_nr: 7,
    });
    const types = await callApi<ActivityTypeV1[]>(sandbox, sam, 'GET', '/api/v1/activityTypes');
    expect(types.body.data.map((type) => type.key_string)).toEqual([
      'call',
      'meeting',
      'task',
      'deadline',
      'email',
      'lunch',
      'whatsapp_chat',
    ]);
    const again = await callApi<ActivityTypeV1>(sandbox, admin, 'POST', '/api/v1/activityTypes', {
      name: 'WhatsApp chat',
      icon_key: 'bubble',
    });
    expect(again.body.data.key_string).toBe('whatsapp_chat_2');
    expect(
      (await callApi(sandbox, admin, 'POST', '/api/v1/activityTypes', { name: 'X', icon_key: 'unicorn' })).status,
    ).toBe(400);

    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
    const deal = sandbox.pipedrive.seed.demo.deals[0]?.id ?? 0;
    const activity = await callApi<ActivityV2>(sandbox, sam, 'POST', '/api/v2/activities', {
      subject: 'WhatsApp conversation',
      type: 'whatsapp_chat',
      person_id: maria,
      deal_id: deal,
      done: true,
      due_date: '2030-01-02',
      due_time: '09:30',
      note: '<p>transcript</p>',
    });
    expect(activity.status).toBe(200);
    expect(activity.body.data).toMatchObject({
      subject: 'WhatsApp conversation',
      type: 'whatsapp_chat',
      person_id: maria,
      deal_id: deal,
      done: true,
      marked_as_done_time: expect.any(String),
      due_date: '2030-01-02',
      due_time: '09:30',
      participants: [{ person_id: maria, primary: true }],
      owner_id: sandbox.pipedrive.seed.demo.users[1]?.id,
      is_deleted: false,
    });
  });

  it('validates activities strictly (v2)', async () => {
    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
    const cases: [object, string][] = [
      [{ type: 'telepathy' }, 'Validation failed: type: unknown activity type telepathy'],
      [{ done: 1 }, 'Validation failed: done: must be a boolean (true or false)'],
      [{ due_date: '02/01/2030' }, 'Validation failed: due_date: must be a date in YYYY-MM-DD format'],
      [{ due_time: '9:30' }, 'Validation failed: due_time: must be HH:MM'],
      [{ person_id: String(maria) }, 'Validation failed: person_id: must be an integer'],
      [{ deal_id: 987654 }, 'Validation failed: deal_id: deal not found'],
    ];
    for (const [body, message] of cases) {
      const response = await callApi(sandbox, admin, 'POST', '/api/v2/activities', body);
      expect({ body, status: response.status, error: response.body.error }).toEqual({
        body,
        status: 400,
        error: message,
      });
    }
    const untitled = await callApi<ActivityV2>(sandbox, admin, 'POST', '/api/v2/activities', { type: 'call' });
    expect(untitled.body.data).toMatchObject({ subject: 'Call', type: 'call', done: false });
  });

  it('patches activities and lists them by person and done state', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const maria = demo.persons[0]?.id ?? 0;
    const carter = demo.persons[1]?.id ?? 0;
    const first = await callApi<ActivityV2>(sandbox, admin, 'POST', '/api/v2/activities', {
      subject: 'A',
      person_id: maria,
    });
    await callApi(sandbox, admin, 'POST', '/api/v2/activities', { subject: 'B', person_id: carter });
    const patched = await callApi<ActivityV2>(sandbox, admin, 'PATCH', `/api/v2/activities/${first.body.data.id}`, {
      done: true,
    });
    expect(patched.body.data).toMatchObject({ subject: 'A', done: true });

    const forMaria = await callApi<ActivityV2[]>(sandbox, admin, 'GET', `/api/v2/activities?person_id=${maria}`);
    expect(forMaria.body.data.map((activity) => activity.subject)).toEqual(['A']);
    const open = await callApi<ActivityV2[]>(sandbox, admin, 'GET', '/api/v2/activities?done=false');
    expect(open.body.data.map((activity) => activity.subject)).toEqual(['B']);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/activities?done=0')).status).toBe(400);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/activities/1')).status).toBe(404);
  });

  it('hides activities linked to records the user may not see', async () => {
    const lucas = sandbox.pipedrive.seed.demo.persons[2]?.id ?? 0;
    const hidden = await callApi<ActivityV2>(sandbox, admin, 'POST', '/api/v2/activities', { person_id: lucas });
    expect((await callApi(sandbox, sam, 'GET', `/api/v2/activities/${hidden.body.data.id}`)).status).toBe(404);
    expect((await callApi<ActivityV2[]>(sandbox, sam, 'GET', '/api/v2/activities')).body.data).toEqual([]);
  });

  it('lists person fields with offset pagination', async () => {
    const fields = await callApi<GetField[], { pagination: object }>(sandbox, sam, 'GET', '/api/v1/personFields');
    expect(fields.status).toBe(200);
    expect(fields.body.data.map((field) => [field.key, field.field_type])).toEqual([
      ['name', 'varchar'],
      ['phone', 'phone'],
      ['email', 'varchar'],
      ['owner_id', 'user'],
      ['org_id', 'org'],
    ]);
    expect(fields.body.additional_data).toEqual({
      pagination: { start: 0, limit: 100, more_items_in_collection: false },
    });
  });
});
