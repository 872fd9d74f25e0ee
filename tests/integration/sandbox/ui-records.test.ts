import { randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import type { Lead, User } from '../../../sandbox/pipedrive/state.ts';
import { fetchPage, textOf } from '../../helpers/sandbox-pages.ts';

describe('sandbox record pages', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  const cookieFor = (user: User) => sandbox.pipedrive.ui.signIn(user.id).cookie;

  it('a deal page shows title, person, stage and owner', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const deal = demo.deals[0];
    if (deal === undefined) throw new Error('no seeded deal');
    const page = await fetchPage(`${sandbox.url}/deal/${deal.id}`, { cookie: cookieFor(demo.admin) });
    expect(page.status).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain(deal.title);
    expect(text).toContain(demo.persons.find((person) => person.id === deal.personId)?.name ?? 'missing');
    expect(text).toContain(sandbox.pipedrive.state.stages.get(deal.stageId)?.name ?? 'missing');
    expect(text).toContain(sandbox.pipedrive.state.users.get(deal.ownerId)?.name ?? 'missing');
  });

  it('gives Pipedrive’s no-permission page to a user who may not see the deal', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const privateDeal = demo.deals.find((deal) => deal.visibleTo === 1);
    const owner = demo.users.find((user) => user.id === privateDeal?.ownerId);
    const outsider = demo.users.find((user) => !user.isAdmin && user.id !== owner?.id);
    if (privateDeal === undefined || owner === undefined || outsider === undefined) throw new Error('seed changed');

    const denied = await fetchPage(`${sandbox.url}/deal/${privateDeal.id}`, { cookie: cookieFor(outsider) });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('data-no-permission');
    expect(textOf(denied.body)).not.toContain(privateDeal.title);

    for (const viewer of [owner, demo.admin]) {
      const allowed = await fetchPage(`${sandbox.url}/deal/${privateDeal.id}`, { cookie: cookieFor(viewer) });
      expect(allowed.status).toBe(200);
    }

    const list = await fetchPage(`${sandbox.url}/deals`, { cookie: cookieFor(outsider) });
    expect(textOf(list.body)).not.toContain(privateDeal.title);
  });

  it('keeps companies apart: another company’s deal is not found', async () => {
    const { demo, other } = sandbox.pipedrive.seed;
    const page = await fetchPage(`${sandbox.url}/deal/${other.deals[0]?.id}`, { cookie: cookieFor(demo.admin) });
    expect(page.status).toBe(404);
    expect(textOf(page.body)).not.toContain(other.deals[0]?.title ?? 'missing');
  });

  it('a person page shows the person’s phone, and respects visibility', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const person = demo.persons[0];
    if (person === undefined) throw new Error('no seeded person');
    const page = await fetchPage(`${sandbox.url}/person/${person.id}`, { cookie: cookieFor(demo.admin) });
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain(person.phones[0]?.value ?? 'missing');

    const hidden = demo.persons.find((candidate) => candidate.visibleTo === 1);
    const outsider = demo.users.find((user) => !user.isAdmin && user.id !== hidden?.ownerId);
    if (hidden === undefined || outsider === undefined) throw new Error('seed changed');
    const denied = await fetchPage(`${sandbox.url}/person/${hidden.id}`, { cookie: cookieFor(outsider) });
    expect(denied.status).toBe(403);
  });

  it('a lead page shows the lead, with its notes in the history', async () => {
    const { demo } = sandbox.pipedrive.seed;
    const state = sandbox.pipedrive.state;
    const now = state.clock.now();
    const owner = demo.users[1] as User;
    const lead: Lead = {
      id: randomUUID(),
      companyId: demo.company.id,
      title: 'Inbound WhatsApp lead',
      ownerId: owner.id,
      creatorId: owner.id,
      personId: demo.persons[0]?.id ?? null,
      organizationId: null,
      labelIds: [],
      value: null,
      expectedCloseDate: null,
      isArchived: false,
      wasSeen: false,
      visibleTo: 1,
      sourceName: 'API',
      channel: null,
      addTime: now,
      updateTime: now,
    };
    state.leads.set(lead.id, lead);
    const noteId = state.nextId('note');
    state.notes.set(noteId, {
      id: noteId,
      companyId: demo.company.id,
      userId: owner.id,
      content: 'WhatsApp: <b>hello</b>',
      dealId: null,
      personId: null,
      orgId: null,
      leadId: lead.id,
      pinnedToDeal: false,
      pinnedToPerson: false,
      pinnedToOrganization: false,
      pinnedToLead: false,
      addTime: now,
      updateTime: now,
      activeFlag: true,
    });

    const page = await fetchPage(`${sandbox.url}/leads/inbox/${lead.id}`, { cookie: cookieFor(owner) });
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Inbound WhatsApp lead');
    // Note HTML is shown as text, never injected into the page.
    expect(page.body).toContain('WhatsApp: &lt;b&gt;hello&lt;/b&gt;');

    const outsider = demo.users[2] as User;
    expect((await fetchPage(`${sandbox.url}/leads/inbox/${lead.id}`, { cookie: cookieFor(outsider) })).status).toBe(
      403,
    );
  });
});
