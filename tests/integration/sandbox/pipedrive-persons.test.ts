import type { Sandbox } from '../../../sandbox/index.ts';
import type { PersonSearchItemV2, PersonV2 } from '../../../sandbox/pipedrive/api/serializers/v2.ts';
import { callApi, startWithTokens } from './pipedrive-helpers.ts';

type SearchData = { items: { result_score: number; item: PersonSearchItemV2 }[] };
type Cursor = { next_cursor: string | null };

describe('Pipedrive sandbox API v2 persons', () => {
  let sandbox: Sandbox;
  let admin: string;
  let sam: string;
  let rita: string;

  beforeEach(async () => {
    ({ sandbox, admin, sam, rita } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const search = (token: string, query: string) =>
    callApi<SearchData, Cursor>(sandbox, token, 'GET', `/api/v2/persons/search?${query}`);

  it('creates a person with the v2 shape and defaults', async () => {
    const response = await callApi<PersonV2>(sandbox, sam, 'POST', '/api/v2/persons', {
      name: 'Nina Novak',
      phones: [{ value: '+386 40 123 456' }, { value: '+386 1 555 000', label: 'work' }],
      emails: [{ value: 'nina@example.com', primary: true, label: 'home' }],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true });
    expect(response.body.data).toEqual({
      id: expect.any(Number),
      name: 'Nina Novak',
      first_name: 'Nina',
      last_name: 'Novak',
      owner_id: sandbox.pipedrive.seed.demo.users[1]?.id,
      org_id: null,
      add_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      update_time: expect.any(String),
      emails: [{ value: 'nina@example.com', primary: true, label: 'home' }],
      phones: [
        { value: '+386 40 123 456', primary: true, label: 'work' },
        { value: '+386 1 555 000', primary: false, label: 'work' },
      ],
      is_deleted: false,
      visible_to: 3,
      label_ids: [],
      picture_id: null,
      custom_fields: {},
    });
    const fetched = await callApi<PersonV2>(sandbox, sam, 'GET', `/api/v2/persons/${response.body.data.id}`);
    expect(fetched.body.data).toEqual(response.body.data);
  });

  it.each([
    [{}, 'Validation failed: name: required'],
    [{ name: 'X', owner_id: '5' }, 'Validation failed: owner_id: must be an integer'],
    [{ name: 'X', visible_to: 2 }, 'Validation failed: visible_to: must be one of 1, 3, 5, 7'],
    [{ name: 'X', phones: [{ label: 'mobile' }] }, 'Validation failed: phones[0].value: required'],
    [
      { name: 'X', phones: [{ value: '1', primary: 1 }] },
      'Validation failed: primary: must be a boolean (true or false)',
    ],
    [
      {
        name: 'X',
        phones: [
          { value: '1', primary: true },
          { value: '2', primary: true },
        ],
      },
      'Validation failed: phones: only one entry can be primary',
    ],
    [{ name: 'X', org_id: 4242 }, 'Validation failed: org_id: organization not found'],
    [{ name: 'X', phone: '+1 555' }, "Validation failed: phone: Parameter 'phone' is not allowed for this request"],
  ])('validates v2 bodies strictly: %j', async (body, message) => {
    const response = await callApi(sandbox, admin, 'POST', '/api/v2/persons', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, error: message, data: null, additional_data: null });
  });

  it('patches only the given fields and keeps the rest', async () => {
    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
    const response = await callApi<PersonV2>(sandbox, admin, 'PATCH', `/api/v2/persons/${maria}`, {
      name: 'María Gómez López',
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      name: 'María Gómez López',
      first_name: 'María',
      last_name: 'Gómez López',
      phones: [{ value: '+34 600 111 222', label: 'mobile', primary: true }],
    });
    const invalid = await callApi(sandbox, admin, 'PATCH', `/api/v2/persons/${maria}`, { name: 'ok', owner_id: 1 });
    expect(invalid.status).toBe(400);
    expect(sandbox.pipedrive.state.persons.get(maria)?.name).toBe('María Gómez López');
  });

  it('hides a person the user may not see (404 on get, absent from lists and search)', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const lucas = demo.persons[2]?.id ?? 0; // owned by Rita, visible_to 1 (owner only)

    const samGet = await callApi(sandbox, sam, 'GET', `/api/v2/persons/${lucas}`);
    expect(samGet.status).toBe(404);
    expect(samGet.body).toMatchObject({ success: false, error: 'Person not found' });
    expect((await callApi(sandbox, rita, 'GET', `/api/v2/persons/${lucas}`)).status).toBe(200);
    expect((await callApi(sandbox, admin, 'GET', `/api/v2/persons/${lucas}`)).status).toBe(200);

    const samList = await callApi<PersonV2[]>(sandbox, sam, 'GET', '/api/v2/persons');
    expect(samList.body.data.map((person) => person.id)).not.toContain(lucas);
    expect((await search(sam, 'term=Lucas')).body.data.items).toEqual([]);
    expect((await search(rita, 'term=Lucas')).body.data.items.map(({ item }) => item.id)).toEqual([lucas]);
  });

  it('paginates with cursor and limit (max 500)', async () => {
    for (let index = 0; index < 5; index += 1) {
      await callApi(sandbox, admin, 'POST', '/api/v2/persons', { name: `Bulk ${index}` });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? 'limit=3' : `limit=3&cursor=${cursor}`;
      const page = await callApi<PersonV2[], Cursor>(sandbox, admin, 'GET', `/api/v2/persons?${query}`);
      expect(page.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.data.map((person) => person.id ?? 0));
      cursor = page.body.additional_data?.next_cursor ?? null;
    } while (cursor !== null);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);

    expect((await callApi(sandbox, admin, 'GET', '/api/v2/persons?limit=501')).status).toBe(400);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/persons?cursor=garbage')).status).toBe(400);
    const desc = await callApi<PersonV2[]>(sandbox, admin, 'GET', '/api/v2/persons?sort_by=id&sort_direction=desc');
    expect(desc.body.data.map((person) => person.id)).toEqual([...seen].sort((a, b) => b - a));
  });

  it('by default (phoneSearch: literal) matches phones only as stored, exact or partial', async () => {
    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0; // +34 600 111 222
    const asStored = await search(admin, 'term=%2B34%20600%20111%20222&fields=phone&exact_match=true');
    expect(asStored.body.data.items.map(({ item }) => item.id)).toEqual([maria]);
    expect(asStored.body.data.items[0]?.result_score).toBe(1);
    // Another spelling of the same number is another string.
    for (const term of ['%2B34600111222', '34600111222', '%2B34-600-111-222']) {
      expect((await search(admin, `term=${term}&fields=phone&exact_match=true`)).body.data.items).toEqual([]);
      expect((await search(admin, `term=${term}&fields=phone`)).body.data.items).toEqual([]);
    }
    const partial = await search(admin, 'term=600%20111&fields=phone');
    expect(partial.body.data.items.map(({ item }) => item.id)).toEqual([maria]);
    expect(partial.body.data.items[0]?.result_score).toBeLessThan(1);
  });

  it('with phoneSearch: digits, matches phones by their digits, exact or partial', async () => {
    sandbox.pipedrive.setKnobs({ phoneSearch: 'digits' });
    const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0; // +34 600 111 222
    const exact = await search(admin, 'term=%2B34600111222&fields=phone&exact_match=true');
    expect(exact.status).toBe(200);
    expect(exact.body.data.items).toEqual([
      {
        result_score: 1,
        item: {
          id: maria,
          type: 'person',
          name: 'Maria Gomez',
          phones: ['+34 600 111 222'],
          emails: [],
          visible_to: 3,
          owner: { id: sandbox.pipedrive.seed.demo.users[1]?.id },
          organization: null,
          custom_fields: [],
          notes: [],
        },
      },
    ]);
    expect(exact.body.additional_data).toEqual({ next_cursor: null });

    expect((await search(admin, 'term=34-600-111-222&fields=phone&exact_match=true')).body.data.items).toHaveLength(1);
    expect((await search(admin, 'term=600111222&fields=phone&exact_match=true')).body.data.items).toEqual([]);
    const partial = await search(admin, 'term=600111222&fields=phone');
    expect(partial.body.data.items.map(({ item }) => item.id)).toEqual([maria]);
    expect(partial.body.data.items[0]?.result_score).toBeLessThan(1);
    expect((await search(admin, 'term=Maria&fields=phone')).body.data.items).toEqual([]);
  });

  it('searches names case-insensitively and validates the query', async () => {
    expect((await search(admin, 'term=maria%20gomez&exact_match=true')).body.data.items).toHaveLength(1);
    expect((await search(admin, 'term=carter')).body.data.items.map(({ item }) => item.name)).toEqual(['John Carter']);

    expect((await search(admin, '')).body.error).toBe('Validation failed: term: required');
    expect((await search(admin, 'term=a')).status).toBe(400);
    expect((await search(admin, 'term=a&exact_match=true')).status).toBe(200);
    expect((await search(admin, 'term=ab&exact_match=1')).status).toBe(400);
    expect((await search(admin, 'term=ab&fields=address')).status).toBe(400);
  });
});
