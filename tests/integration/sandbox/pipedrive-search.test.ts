import type { Sandbox } from '../../../sandbox/index.ts';
import type { Organization } from '../../../sandbox/pipedrive/state.ts';
import { callApi, connect, startWithTokens, testApp } from './pipedrive-helpers.ts';

type Item = { id: number | string; type: string; [key: string]: unknown };
type SearchData = { items: { result_score: number; item: Item }[]; related_items?: { item: Item }[] };
type Cursor = { next_cursor: string | null };

/** The v2 search endpoints (and v1 users/find): none collides with a `/:id` route. */
describe('Pipedrive sandbox search endpoints', () => {
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

  const get = <D = SearchData>(token: string, path: string) => callApi<D, Cursor>(sandbox, token, 'GET', path);
  const ids = (body: { data: SearchData }) => body.data.items.map(({ item }) => item.id);

  function addOrganization(name: string, address: string | null): Organization {
    const { demo } = sandbox.pipedrive.seed;
    const now = sandbox.clock.now();
    const organization: Organization = {
      id: sandbox.pipedrive.state.nextId('organization'),
      companyId: demo.company.id,
      name,
      ownerId: demo.admin.id,
      address,
      visibleTo: 3,
      labelIds: [],
      customFields: {},
      addTime: now,
      updateTime: now,
      isDeleted: false,
    };
    sandbox.pipedrive.state.organizations.set(organization.id, organization);
    return organization;
  }

  it('searches deals by title with person, organization and status filters', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const website = demo.deals[0];
    const found = await get(admin, '/api/v2/deals/search?term=website');
    expect(found.status).toBe(200);
    expect(found.body.data.items).toEqual([
      {
        result_score: expect.any(Number),
        item: {
          id: website?.id,
          type: 'deal',
          title: 'Website redesign',
          value: 1000,
          currency: 'USD',
          status: 'open',
          visible_to: 3,
          owner: { id: website?.ownerId },
          stage: { id: website?.stageId, name: expect.any(String) },
          person: { id: demo.persons[0]?.id, name: 'Maria Gomez' },
          organization: null,
          custom_fields: [],
          notes: [],
          is_archived: false,
        },
      },
    ]);
    expect(found.body.additional_data).toEqual({ next_cursor: null });
    expect(ids((await get(admin, '/api/v2/deals/search?term=Website%20redesign&exact_match=true')).body)).toEqual([
      website?.id,
    ]);
    expect(ids((await get(admin, `/api/v2/deals/search?term=website&person_id=${demo.persons[1]?.id}`)).body)).toEqual(
      [],
    );
    expect(ids((await get(admin, '/api/v2/deals/search?term=website&status=won')).body)).toEqual([]);
    expect((await get(admin, '/api/v2/deals/search?term=website&status=closed')).status).toBe(400);
    // Rita's private deal is invisible to Sam, found by Rita.
    expect(ids((await get(sam, '/api/v2/deals/search?term=Silva')).body)).toEqual([]);
    expect(ids((await get(rita, '/api/v2/deals/search?term=Silva')).body)).toEqual([demo.deals[2]?.id]);
  });

  it('searches deals and persons by the text of their notes', async () => {
    const { demo } = sandbox.pipedrive.seed;
    await callApi(sandbox, admin, 'POST', '/api/v1/notes', {
      content: '<p>Asked about <b>sunflowers</b></p>',
      deal_id: demo.deals[0]?.id,
      person_id: demo.persons[0]?.id,
    });
    expect(ids((await get(admin, '/api/v2/deals/search?term=sunflowers&fields=notes')).body)).toEqual([
      demo.deals[0]?.id,
    ]);
    expect(ids((await get(admin, '/api/v2/persons/search?term=sunflowers&fields=notes')).body)).toEqual([
      demo.persons[0]?.id,
    ]);
    expect(ids((await get(admin, '/api/v2/deals/search?term=sunflowers&fields=title')).body)).toEqual([]);
    expect((await get(admin, '/api/v2/deals/search?term=sunflowers&fields=phone')).status).toBe(400);
  });

  it('searches leads and organizations', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const lead = await callApi<{ id: string }>(sandbox, admin, 'POST', '/api/v1/leads', {
      title: 'Sunflower wholesale',
      person_id: demo.persons[0]?.id,
    });
    const leads = await get(admin, '/api/v2/leads/search?term=sunflower');
    expect(leads.body.data.items).toEqual([
      {
        result_score: expect.any(Number),
        item: expect.objectContaining({
          id: lead.body.data.id,
          type: 'lead',
          title: 'Sunflower wholesale',
          person: { id: demo.persons[0]?.id, name: 'Maria Gomez' },
          organization: null,
          phones: ['+34 600 111 222'],
          is_archived: false,
        }),
      },
    ]);
    expect(
      ids((await get(admin, `/api/v2/leads/search?term=sunflower&person_id=${demo.persons[1]?.id}`)).body),
    ).toEqual([]);

    const acme = addOrganization('Acme Flowers', 'Calle Mayor 1, Madrid');
    const byName = await get(admin, '/api/v2/organizations/search?term=acme');
    expect(byName.body.data.items).toEqual([
      {
        result_score: expect.any(Number),
        item: {
          id: acme.id,
          type: 'organization',
          name: 'Acme Flowers',
          address: 'Calle Mayor 1, Madrid',
          visible_to: 3,
          owner: { id: demo.admin.id },
          custom_fields: [],
          notes: [],
        },
      },
    ]);
    expect(ids((await get(admin, '/api/v2/organizations/search?term=madrid&fields=address')).body)).toEqual([acme.id]);
    expect(ids((await get(admin, '/api/v2/organizations/search?term=madrid&fields=name')).body)).toEqual([]);
  });

  it('searches every type with itemSearch, phones following the phoneSearch knob', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const maria = demo.persons[0]?.id;
    const phoneSearch = (term: string, exact = true) =>
      get(admin, `/api/v2/itemSearch?term=${encodeURIComponent(term)}&fields=phone&exact_match=${exact}`);

    // Default knob (literal): only the stored spelling matches.
    expect(ids((await phoneSearch('+34 600 111 222')).body)).toEqual([maria]);
    expect(ids((await phoneSearch('+34600111222')).body)).toEqual([]);
    expect(ids((await phoneSearch('34600111222', false)).body)).toEqual([]);

    sandbox.pipedrive.setKnobs({ phoneSearch: 'digits' });
    sandbox.clock.advance(2_001); // a fresh search window (10 per 2 s)
    expect(ids((await phoneSearch('+34600111222')).body)).toEqual([maria]);
    expect(ids((await phoneSearch('34-600-111-222')).body)).toEqual([maria]);
    expect(ids((await phoneSearch('0034600111222')).body)).toEqual([]);

    const mixed = await get(admin, '/api/v2/itemSearch?term=carter');
    expect(mixed.body.data.items.map(({ item }) => `${item.type}:${item.id}`).sort()).toEqual(
      [`deal:${demo.deals[1]?.id}`, `person:${demo.persons[1]?.id}`].sort(),
    );
    expect(mixed.body.data.related_items).toEqual([]);
    const onlyDeals = await get(admin, '/api/v2/itemSearch?term=carter&item_types=deal,product');
    expect(onlyDeals.body.data.items.map(({ item }) => item.type)).toEqual(['deal']);
    const related = await get(admin, '/api/v2/itemSearch?term=Maria&item_types=person&search_for_related_items=true');
    expect(related.body.data.related_items?.map(({ item }) => `${item.type}:${item.id}`)).toEqual([
      `deal:${demo.deals[0]?.id}`,
    ]);

    sandbox.clock.advance(2_001);
    for (const bad of ['item_types=users', 'fields=color', 'limit=101', 'search_for_related_items=1']) {
      expect((await get(admin, `/api/v2/itemSearch?term=carter&${bad}`)).status).toBe(400);
    }
  });

  it('searches one field with itemSearch/field, case-sensitively', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const field = (query: string) =>
      get<{ id: number; name?: string; title?: string }[]>(admin, `/api/v2/itemSearch/field?${query}`);
    const exact = await field('term=Maria%20Gomez&entity_type=person&field=name');
    expect(exact.status).toBe(200);
    expect(exact.body.data).toEqual([{ id: demo.persons[0]?.id, name: 'Maria Gomez' }]);
    expect((await field('term=maria%20gomez&entity_type=person&field=name')).body.data).toEqual([]);
    expect((await field('term=Mar&entity_type=person&field=name&match=beginning')).body.data).toHaveLength(1);
    expect((await field('term=Gom&entity_type=person&field=name&match=middle')).body.data).toHaveLength(1);
    expect((await field('term=Website&entity_type=deal&field=title&match=beginning')).body.data).toEqual([
      { id: demo.deals[0]?.id, title: 'Website redesign' },
    ]);
    expect((await field('term=%2B34%20600%20111%20222&entity_type=person&field=phone')).body.data).toHaveLength(1);
    expect((await field('term=Mar&entity_type=person&field=name&match=fuzzy')).status).toBe(400);
    expect((await field('term=Mar&field=name')).status).toBe(400);
    expect((await field('term=Mar&entity_type=person')).status).toBe(400);
  });

  it('finds users by name or email with v1 users/find (data null when none)', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const found = await get<{ id: number; name: string }[] | null>(
      admin,
      `/api/v1/users/find?term=${encodeURIComponent(demo.admin.name.slice(0, 3))}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.data?.map((user) => user.id)).toContain(demo.admin.id);
    const byEmail = await get<{ id: number }[] | null>(
      admin,
      `/api/v1/users/find?term=${encodeURIComponent(demo.admin.email)}&search_by_email=1`,
    );
    expect(byEmail.body.data?.map((user) => user.id)).toEqual([demo.admin.id]);
    expect((await get(admin, '/api/v1/users/find?term=nobody-here')).body.data).toBeNull();
    expect((await get(admin, '/api/v1/users/find')).status).toBe(400);
    // Another company's users are never found.
    const globex = connect(sandbox, sandbox.pipedrive.seed.other.admin.id).access_token;
    expect(
      (await get(globex, `/api/v1/users/find?term=${encodeURIComponent(demo.admin.email)}&search_by_email=1`)).body
        .data,
    ).toBeNull();
  });

  it.each([
    '/api/v2/deals/search?term=website',
    '/api/v2/leads/search?term=website',
    '/api/v2/organizations/search?term=acme',
    '/api/v2/itemSearch?term=website',
    '/api/v2/itemSearch/field?term=Website&entity_type=deal&field=title',
    '/api/v1/users/find?term=ada',
  ])('%s charges the search burst limit (10 per 2 s)', async (path) => {
    const responses = await Promise.all(Array.from({ length: 11 }, () => get(admin, path)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(10);
    expect(responses.filter((response) => response.status === 429)).toHaveLength(1);
    expect(responses[0]?.headers.get('x-ratelimit-limit')).toBe('10');
  });

  it('needs search:read or the type’s read scope', async () => {
    sandbox.pipedrive.registerApp(testApp({ clientId: 'persons-only', scopes: ['contacts:read'] }));
    const narrow = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id, 'persons-only').access_token;
    expect((await get(narrow, '/api/v2/persons/search?term=Maria')).status).toBe(200);
    expect((await get(narrow, '/api/v2/organizations/search?term=acme')).status).toBe(200);
    expect((await get(narrow, '/api/v2/deals/search?term=website')).status).toBe(403);
    expect((await get(narrow, '/api/v2/itemSearch?term=website')).status).toBe(403);
  });
});
