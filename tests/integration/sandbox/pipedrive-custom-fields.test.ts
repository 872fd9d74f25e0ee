import type { Sandbox } from '../../../sandbox/index.ts';
import type { DealV2, PersonV2 } from '../../../sandbox/pipedrive/api/serializers/v2.ts';
import { callApi, startWithTokens } from './pipedrive-helpers.ts';

interface FieldV1 {
  id: number;
  key: string;
  name: string;
  field_type: string;
  options: { id: number; label: string }[] | null;
}

describe('Pipedrive sandbox custom fields (strict)', () => {
  let sandbox: Sandbox;
  let admin: string;

  beforeEach(async () => {
    ({ sandbox, admin } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const addField = (path: string, body: object) => callApi<FieldV1>(sandbox, admin, 'POST', `/api/v1/${path}`, body);

  it('defines custom fields with 40-character keys and options, listed with the built-in ones', async () => {
    const channel = await addField('personFields', { name: 'WhatsApp id', field_type: 'varchar' });
    expect(channel.status).toBe(201);
    expect(channel.body.data).toMatchObject({
      name: 'WhatsApp id',
      field_type: 'varchar',
      key: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const source = await addField('dealFields', {
      name: 'Source',
      field_type: 'enum',
      options: [{ label: 'WhatsApp' }, { label: 'Web' }],
    });
    expect(source.body.data.options?.map((option) => option.label)).toEqual(['WhatsApp', 'Web']);
    const deals = await callApi<FieldV1[]>(sandbox, admin, 'GET', '/api/v1/dealFields');
    expect(deals.body.data.map((item) => item.key)).toEqual(
      expect.arrayContaining(['title', 'value', source.body.data.key]),
    );
    const organizations = await callApi<FieldV1[]>(sandbox, admin, 'GET', '/api/v1/organizationFields');
    expect(organizations.body.data.map((item) => item.key)).toEqual(expect.arrayContaining(['name', 'address']));
    expect((await addField('personFields', { name: 'Bad', field_type: 'rainbow' })).status).toBe(400);
    expect((await addField('dealFields', { name: 'No options', field_type: 'set' })).status).toBe(400);
  });

  it('writes known custom fields in v2 and refuses unknown keys and wrong types with Pipedrive’s schema error', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const waId = (await addField('personFields', { name: 'WhatsApp id', field_type: 'varchar' })).body.data.key;
    const source = (
      await addField('dealFields', { name: 'Source', field_type: 'enum', options: [{ label: 'WhatsApp' }] })
    ).body.data;
    const person = await callApi<PersonV2>(sandbox, admin, 'POST', '/api/v2/persons', {
      name: 'Custom',
      custom_fields: { [waId]: '34600111222' },
    });
    expect(person.status).toBe(200);
    expect(person.body.data.custom_fields).toEqual({ [waId]: '34600111222' });

    const unknownKey = 'a'.repeat(40);
    const refused = await callApi(sandbox, admin, 'PATCH', `/api/v2/persons/${person.body.data.id}`, {
      custom_fields: { [unknownKey]: 'x' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      success: false,
      error: `Validation failed: custom_fields.${unknownKey}: Parameter '${unknownKey}' is not allowed for this request`,
      code: 'ERR_SCHEMA_VALIDATION_FAILED',
    });
    // A person field is unknown on deals; a wrong option id is refused; a right one is kept.
    const dealBody = { title: 'With source', person_id: demo.persons[0]?.id };
    expect(
      (await callApi(sandbox, admin, 'POST', '/api/v2/deals', { ...dealBody, custom_fields: { [waId]: 'x' } })).status,
    ).toBe(400);
    const wrongOption = await callApi(sandbox, admin, 'POST', '/api/v2/deals', {
      ...dealBody,
      custom_fields: { [source.key]: 999 },
    });
    expect(wrongOption.body.error).toMatch(/must be one of the option ids/);
    const deal = await callApi<DealV2>(sandbox, admin, 'POST', '/api/v2/deals', {
      ...dealBody,
      custom_fields: { [source.key]: source.options?.[0]?.id },
    });
    expect(deal.body.data.custom_fields).toEqual({ [source.key]: source.options?.[0]?.id });
    // A person's field is not an organization's.
    expect(
      (await callApi(sandbox, admin, 'POST', '/api/v2/organizations', { name: 'Org', custom_fields: { [waId]: 'x' } }))
        .body.code,
    ).toBe('ERR_SCHEMA_VALIDATION_FAILED');
  });

  it('refuses unknown top-level v2 parameters with the same code', async () => {
    const refused = await callApi(sandbox, admin, 'POST', '/api/v2/persons', { name: 'X', colour: 'red', size: 2 });
    expect(refused.body).toMatchObject({
      error:
        "Validation failed: colour: Parameter 'colour' is not allowed for this request; size: Parameter 'size' is not allowed for this request",
      code: 'ERR_SCHEMA_VALIDATION_FAILED',
    });
  });
});
