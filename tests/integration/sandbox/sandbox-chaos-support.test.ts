import type { Sandbox } from '../../../sandbox/index.ts';
import { callApi, connect, startWithTokens } from './pipedrive-helpers.ts';

/** What the chaos run needs from the sandbox: Pipedrive 5xx fault knobs and more tenants than the seed. */
describe('sandbox support for the chaos run', () => {
  let sandbox: Sandbox;
  let sam: string;

  beforeEach(async () => {
    ({ sandbox, sam } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  const personsNamed = (name: string) => [...sandbox.pipedrive.state.persons.values()].filter((p) => p.name === name);

  it('serverErrorRate: the call is answered 503 and nothing is written', async () => {
    sandbox.pipedrive.setKnobs({ serverErrorRate: 1 });
    const response = await callApi(sandbox, sam, 'POST', '/api/v2/persons', { name: 'Olga Outage' });
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ success: false, error: 'Service Unavailable' });
    expect(personsNamed('Olga Outage')).toHaveLength(0);
  });

  it('serverErrorAfterWriteRate: the write happens, the answer is a 502; reads are not affected', async () => {
    sandbox.pipedrive.setKnobs({ serverErrorAfterWriteRate: 1 });
    const response = await callApi(sandbox, sam, 'POST', '/api/v2/persons', { name: 'Lars Lost' });
    expect(response.status).toBe(502);
    expect(personsNamed('Lars Lost')).toHaveLength(1);
    expect((await callApi(sandbox, sam, 'GET', '/api/v2/persons')).status).toBe(200);
  });

  it('refuses fault shares outside 0–1', () => {
    expect(() => sandbox.pipedrive.setKnobs({ serverErrorRate: 2 })).toThrow(
      'serverErrorRate must be a number from 0 to 1',
    );
  });

  it('adds a third company and a third WhatsApp business, each reachable only with its own credentials', async () => {
    const third = sandbox.pipedrive.addCompany({
      name: 'Initech',
      domain: 'initech',
      plan: 'growth',
      users: [{ name: 'Ivy Initech', email: 'ivy@initech.test', isAdmin: true }],
      persons: [],
      deals: [],
    });
    const ivy = connect(sandbox, third.admin.id).access_token;
    const created = await callApi<{ id: number }>(sandbox, ivy, 'POST', '/api/v2/persons', { name: 'Ian Initech' });
    expect(created.status).toBe(200);
    expect(sandbox.pipedrive.state.persons.get(created.body.data.id)?.companyId).toBe(third.company.id);

    const number = sandbox.whatsapp.addBusinessNumber({ name: 'Initech Help', displayPhoneNumber: '15550144870' });
    expect(sandbox.whatsapp.numbers).toContain(number);
    const own = await fetch(`${sandbox.url}/v23.0/${number.phoneNumberId}`, {
      headers: { authorization: `Bearer ${number.accessToken}` },
    });
    expect(own.status).toBe(200);
    const other = await fetch(`${sandbox.url}/v23.0/${number.phoneNumberId}`, {
      headers: { authorization: `Bearer ${sandbox.whatsapp.numbers[0]?.accessToken ?? ''}` },
    });
    expect(other.status).toBe(400);
  });
});
