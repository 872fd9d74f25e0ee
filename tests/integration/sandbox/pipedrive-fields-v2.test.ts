import { v2 } from 'pipedrive';
import type { Sandbox } from '../../../sandbox/index.ts';
import { callApi, connect, LOOPBACK_AXIOS_OPTIONS, startWithTokens } from './pipedrive-helpers.ts';

interface FieldV2 {
  field_name: string;
  field_code: string;
  field_type: string;
  is_custom_field: boolean;
  is_optional_response_field: boolean;
  options: { id: number; label: string; color: string | null }[] | null;
}

/** `GET/POST /api/v2/{person,deal,organization}Fields` and `GET …/{field_code}`, as the official client calls them. */
describe('Pipedrive sandbox v2 field endpoints', () => {
  let sandbox: Sandbox;
  let admin: string;

  beforeEach(async () => {
    ({ sandbox, admin } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('adds a custom field with options and lists it with the built-in ones, addressed by field_code', async () => {
    const added = await callApi<FieldV2>(sandbox, admin, 'POST', '/api/v2/dealFields', {
      field_name: 'Source',
      field_type: 'enum',
      options: [{ label: 'WhatsApp' }, { label: 'Web' }],
    });
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({
      field_name: 'Source',
      field_type: 'enum',
      field_code: expect.stringMatching(/^[0-9a-f]{40}$/),
      is_custom_field: true,
      is_optional_response_field: false,
    });
    expect(added.body.data.options?.map((option) => option.label)).toEqual(['WhatsApp', 'Web']);

    const list = await callApi<FieldV2[], { next_cursor: string | null }>(sandbox, admin, 'GET', '/api/v2/dealFields');
    expect(list.status).toBe(200);
    expect(list.body.additional_data?.next_cursor).toBeNull();
    const codes = list.body.data.map((item) => item.field_code);
    expect(codes).toEqual(expect.arrayContaining(['title', 'value', added.body.data.field_code]));
    expect(list.body.data.find((item) => item.field_code === 'title')).toMatchObject({ is_custom_field: false });

    const one = await callApi<FieldV2>(sandbox, admin, 'GET', `/api/v2/dealFields/${added.body.data.field_code}`);
    expect(one.body.data).toEqual(added.body.data);
    // The v1 list shows the same field under its `key`.
    const v1 = await callApi<{ key: string }[]>(sandbox, admin, 'GET', '/api/v1/dealFields');
    expect(v1.body.data.map((item) => item.key)).toContain(added.body.data.field_code);
  });

  it('pages with a cursor and refuses bad limits, include_fields and bodies', async () => {
    const first = await callApi<FieldV2[], { next_cursor: string | null }>(
      sandbox,
      admin,
      'GET',
      '/api/v2/personFields?limit=2',
    );
    expect(first.body.data).toHaveLength(2);
    const cursor = first.body.additional_data?.next_cursor;
    expect(typeof cursor).toBe('string');
    const second = await callApi<FieldV2[]>(sandbox, admin, 'GET', `/api/v2/personFields?limit=2&cursor=${cursor}`);
    expect(second.body.data[0]?.field_code).not.toBe(first.body.data[0]?.field_code);

    expect((await callApi(sandbox, admin, 'GET', '/api/v2/personFields?limit=501')).status).toBe(400);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/personFields?include_fields=secrets')).status).toBe(400);
    expect(
      (await callApi(sandbox, admin, 'GET', '/api/v2/personFields?include_fields=ui_visibility,required_fields'))
        .status,
    ).toBe(200);
    const noType = await callApi(sandbox, admin, 'POST', '/api/v2/personFields', { field_name: 'X' });
    expect(noType.status).toBe(400);
    const badType = await callApi(sandbox, admin, 'POST', '/api/v2/personFields', {
      field_name: 'X',
      field_type: 'hologram',
    });
    expect(badType.status).toBe(400);
    const enumWithout = await callApi(sandbox, admin, 'POST', '/api/v2/organizationFields', {
      field_name: 'Tier',
      field_type: 'enum',
    });
    expect(enumWithout.status).toBe(400);
    expect((await callApi(sandbox, admin, 'GET', '/api/v2/personFields/nope')).status).toBe(404);
  });

  it("never shows one company's fields to another", async () => {
    const added = await callApi<FieldV2>(sandbox, admin, 'POST', '/api/v2/personFields', {
      field_name: 'Acme secret',
      field_type: 'varchar',
    });
    const globex = connect(sandbox, sandbox.pipedrive.seed.other.admin.id).access_token;
    const list = await callApi<FieldV2[]>(sandbox, globex, 'GET', '/api/v2/personFields');
    expect(list.body.data.map((item) => item.field_code)).not.toContain(added.body.data.field_code);
    const one = await callApi(sandbox, globex, 'GET', `/api/v2/personFields/${added.body.data.field_code}`);
    expect(one.status).toBe(404);
  });

  it('works with the official client’s v2 field classes', async () => {
    const tokens = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id);
    const config = new v2.Configuration({ accessToken: tokens.access_token, basePath: `${tokens.api_domain}/api/v2` });
    config.baseOptions = LOOPBACK_AXIOS_OPTIONS;
    const personFields = new v2.PersonFieldsApi(config);
    const added = await personFields.addPersonField({
      AddPersonFieldRequest: { field_name: 'WhatsApp opt-in', field_type: 'set', options: [{ label: 'Yes' }] },
    });
    const code = added.data?.field_code ?? '';
    expect(code).toMatch(/^[0-9a-f]{40}$/);
    const fetched = await personFields.getPersonField({ field_code: code });
    expect(fetched.data?.field_name).toBe('WhatsApp opt-in');
    const all = await personFields.getPersonFields({ limit: 100 });
    expect(all.data?.map((item) => item.field_code)).toContain(code);
    const dealFields = await new v2.DealFieldsApi(config).getDealFields({});
    expect(dealFields.data?.some((item) => item.field_code === 'title')).toBe(true);
    const orgFields = await new v2.OrganizationFieldsApi(config).getOrganizationFields({});
    expect(orgFields.data?.some((item) => item.field_code === 'name')).toBe(true);
  });
});
