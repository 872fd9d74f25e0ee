import { and, eq } from 'drizzle-orm';
import { contacts, phonePersonCache, syncEffects, unmatchedChats } from '../../../server/db/schema/index.ts';
import { createIdentityRepository } from '../../../server/db/repositories/identity.repository.ts';
import { createConnectionsRepository } from '../../../server/db/repositories/connections.repository.ts';
import { DEFAULT_SYNC_SETTINGS, type SyncSettings } from '../../../server/services/settings/sync-settings.ts';
import { createChatLinkResolver } from '../../../server/services/sync/chat-link-resolver.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import { startPipedriveSandbox, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import { addSandboxPerson, seedChannel } from '../../helpers/seed-chats.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { createTestLogger } from '../../helpers/test-logger.ts';

// Pipedrive's phone search is undocumented: it may compare digits or the stored text as typed.
describe.each(['literal', 'digits'] as const)('identity resolution and auto-creation (phone search: %s)', (mode) => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let companyId: number;
  let channel: Awaited<ReturnType<typeof seedChannel>>;
  let samMemberId: string;

  // Connecting companies through the real flows takes a while on a loaded machine.
  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    pd.sandbox.pipedrive.setKnobs({ phoneSearch: mode });
    testApp = await createTestApp({ config: pd.config() });
    await connectCompany(testApp, pd.consent([pd.users.sam]));
    companyId = pd.users.ada.companyId;
    const sam = await createConnectionsRepository(testApp.database.db).findByCompanyUser(
      companyId,
      pd.users.sam.userId,
    );
    samMemberId = sam?.memberId ?? '';
    channel = await seedChannel(testApp.database.db, companyId, { ownerMemberId: samMemberId });
  }, 120_000);

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const state = () => pd.sandbox.pipedrive.state;
  const settings = (changes: Partial<SyncSettings>) =>
    testApp.domain.syncSettings.save(companyId, { ...DEFAULT_SYNC_SETTINGS, ...changes }, null);
  const searchCalls = () => state().apiCalls.filter((call) => call.endpoint.includes('/persons/search')).length;
  const personsWithPhone = (e164: string) =>
    [...state().persons.values()].filter(
      (person) => !person.isDeleted && person.phones.some((phone) => phone.value === e164),
    );
  const addPerson = (name: string, phone: string) => addSandboxPerson(pd, name, phone);
  const auditActions = async (chatId: string) =>
    (await testApp.domain.audit.list({ companyId }, { limit: 500 }))
      .filter((entry) => entry.subjectId === chatId)
      .map((entry) => entry.action);

  /** A resolver whose job "dies" once, between Pipedrive's 201 for `kind` and our commit of the remote id. */
  const resolverKilledAfter = (kind: string) => {
    const real = createIdentityRepository(testApp.database.db);
    let killed = false;
    return createChatLinkResolver({
      db: testApp.database.db,
      pipedrive: testApp.domain.pipedrive,
      syncSettings: testApp.domain.syncSettings,
      logger: createTestLogger(),
      repository: {
        ...real,
        async markEffectDone(...args: Parameters<typeof real.markEffectDone>) {
          if (args[2] === kind && !killed) {
            killed = true;
            throw new Error(`killed after the ${kind} 201`);
          }
          return real.markEffectDone(...args);
        },
      },
    });
  };

  beforeEach(() => settings({}));

  it('keeps a stored link without asking Pipedrive', async () => {
    const chatId = await channel.chat({ e164: '+34600999000', personId: 4242 });
    const before = state().apiCalls.length;
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toEqual({
      kind: 'linked',
      personId: 4242,
      dealId: null,
      leadId: null,
    });
    expect(state().apiCalls.length).toBe(before);
  });

  it('links a person pinned by a user before searching', async () => {
    const chatId = await channel.chat({ e164: '+34600999001', pinnedPersonId: 77 });
    const before = searchCalls();
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ kind: 'linked', personId: 77 });
    expect(searchCalls()).toBe(before);
    expect((await channel.chatRow(chatId)).personId).toBe(77);
    expect(await auditActions(chatId)).toContain('sync.person_linked');
  });

  it('finds a person by phone, remembers the link and caches the number for the next chat', async () => {
    const maria = pd.sandbox.pipedrive.seed.demo.persons[0];
    const chatId = await channel.chat({ e164: '+34600111222', profileName: 'María' });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({
      kind: 'linked',
      personId: maria?.id,
    });
    expect((await channel.chatRow(chatId)).personId).toBe(maria?.id);
    const cached = await testApp.database.db
      .select()
      .from(phonePersonCache)
      .where(and(eq(phonePersonCache.companyId, companyId), eq(phonePersonCache.e164, '+34600111222')));
    expect(cached.map((row) => row.personId)).toEqual([maria?.id]);

    // Another chat with the same number (another channel, say) is linked from the cache: no search.
    const before = searchCalls();
    const again = await channel.chat({ waId: '34600111222' });
    await expect(testApp.domain.chatLinks.resolve(again)).resolves.toMatchObject({ personId: maria?.id });
    expect(searchCalls()).toBe(before);
  });

  it.each([
    ['Mexico, WhatsApp id with the old mobile 1', '5215512340001', '+52 55 1234 0001'],
    ['Mexico, stored with the 1', '525512340002', '+52 1 55 1234 0002'],
    ['Brazil, WhatsApp id without the ninth digit', '551187650003', '+55 11 98765-0003'],
    ['Brazil, stored without the ninth digit', '5511987650004', '+55 11 8765-0004'],
    ['Argentina, WhatsApp id with the 9, stored without', '5491112340005', '+54 11 1234-0005'],
    ['Argentina, stored nationally with 15', '5491112340006', '011 15-1234-0006'],
  ])('finds the person across number forms: %s', async (_case, waId, stored) => {
    const person = addPerson(`Person ${waId}`, stored);
    const chatId = await channel.chat({ waId });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({
      kind: 'linked',
      personId: person.id,
    });
  });

  it('queues several matching persons for a human, who chooses once; the choice sticks', async () => {
    const first = addPerson('Twin One', '+34 611 222 333');
    const second = addPerson('Twin Two', '+34611222333');
    const chatId = await channel.chat({ e164: '+34611222333', profileName: 'Twin' });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ kind: 'skipped' });
    expect(await auditActions(chatId)).toContain('sync.unmatched');
    // Still waiting: no second queue entry, no new search.
    const before = searchCalls();
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ kind: 'skipped' });
    expect(searchCalls()).toBe(before);

    const entries = await testApp.domain.chatChoices.listUnmatched(channel.workspaceId);
    const entry = entries.find((candidate) => candidate.chatId === chatId);
    expect(entry?.candidates.map((candidate) => candidate.id).sort()).toEqual([first.id, second.id].sort());
    await testApp.domain.chatChoices.chooseUnmatched({
      workspaceId: channel.workspaceId,
      memberId: samMemberId,
      entryId: entry?.id ?? '',
      choice: { personId: second.id },
    });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ personId: second.id });
    expect((await channel.chatRow(chatId)).pinnedPersonId).toBe(second.id);
    expect(await auditActions(chatId)).toContain('sync.unmatched_resolved');
    await expect(
      testApp.domain.chatChoices.chooseUnmatched({
        workspaceId: channel.workspaceId,
        memberId: samMemberId,
        entryId: entry?.id ?? '',
        choice: { personId: first.id },
      }),
    ).rejects.toMatchObject({ code: 'sync.unmatched_resolved' });
  });

  it('queues a sender known only by a business-scoped id instead of dropping it', async () => {
    const chatId = await channel.chat({ businessScopedId: 'BSUID.123', profileName: 'No Number' });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toEqual({
      kind: 'skipped',
      reason: 'unmatched: no_phone',
    });
    const [entry] = await testApp.database.db.select().from(unmatchedChats).where(eq(unmatchedChats.chatId, chatId));
    expect(entry).toMatchObject({ reason: 'no_phone', status: 'open' });

    // Later the number becomes known (the sender shared it): the search decides, the entry closes.
    const chat = await channel.chatRow(chatId);
    await testApp.database.db.update(contacts).set({ e164: '+14155550101' }).where(eq(contacts.id, chat.contactId));
    const john = pd.sandbox.pipedrive.seed.demo.persons[1];
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ personId: john?.id });
    const [closed] = await testApp.database.db.select().from(unmatchedChats).where(eq(unmatchedChats.chatId, chatId));
    expect(closed).toMatchObject({ status: 'resolved', resolvedBy: 'system' });
  });

  it('creates the person (profile name, E.164 labelled whatsapp, channel owner), then a deal, and never a second open one', async () => {
    const stage = pd.sandbox.pipedrive.seed.demo.stages[2];
    await settings({
      createOnNewChat: 'deal',
      dealPipelineId: stage?.pipelineId ?? null,
      dealStageId: stage?.id ?? null,
      dealTitleTemplate: 'WA {{contact_name}} {{phone}}',
    });
    const chatId = await channel.chat({ waId: '34622000111', profileName: 'Nora New' });
    const result = await testApp.domain.chatLinks.resolve(chatId);
    expect(result).toMatchObject({ kind: 'linked', leadId: null });
    const [person] = personsWithPhone('+34622000111');
    expect(person).toMatchObject({ name: 'Nora New', ownerId: pd.users.sam.userId });
    expect(person?.phones).toEqual([{ value: '+34622000111', label: 'whatsapp', primary: true }]);
    const deal = state().deals.get(result.kind === 'linked' ? (result.dealId ?? 0) : 0);
    expect(deal).toMatchObject({
      title: 'WA Nora New +34622000111',
      personId: person?.id,
      stageId: stage?.id,
      ownerId: pd.users.sam.userId,
      status: 'open',
    });
    expect(await auditActions(chatId)).toEqual(expect.arrayContaining(['sync.person_created', 'sync.deal_created']));

    // The same person writing on another chat: the open deal is used, not a second one.
    const other = await channel.chat({ e164: '+34622000111' });
    await expect(testApp.domain.chatLinks.resolve(other)).resolves.toMatchObject({
      personId: person?.id,
      dealId: deal?.id,
    });
    expect([...state().deals.values()].filter((candidate) => candidate.personId === person?.id)).toHaveLength(1);
  });

  it('creates a lead with its label in lead mode, once', async () => {
    const label = [...state().leadLabels.values()].find(
      (candidate) => candidate.companyId === companyId && candidate.name === 'Hot',
    );
    await settings({ createOnNewChat: 'lead', leadLabelId: label?.id ?? null });
    const chatId = await channel.chat({ waId: '34622000222', profileName: 'Leo Lead' });
    const result = await testApp.domain.chatLinks.resolve(chatId);
    const [person] = personsWithPhone('+34622000222');
    const leads = [...state().leads.values()].filter((lead) => lead.personId === person?.id);
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ title: 'WhatsApp: Leo Lead', labelIds: [label?.id] });
    expect(result).toMatchObject({ kind: 'linked', dealId: null, leadId: leads[0]?.id });
    await testApp.domain.chatLinks.resolve(await channel.chat({ e164: '+34622000222' }));
    expect([...state().leads.values()].filter((lead) => lead.personId === person?.id)).toHaveLength(1);
  });

  it('creates nothing when auto-creation is off, and says why once', async () => {
    await settings({ autoCreatePersons: false });
    const chatId = await channel.chat({ e164: '+34622000333' });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toEqual({
      kind: 'skipped',
      reason: 'no_person_and_auto_create_off',
    });
    await testApp.domain.chatLinks.resolve(chatId);
    expect(personsWithPhone('+34622000333')).toHaveLength(0);
    expect((await auditActions(chatId)).filter((action) => action === 'sync.skipped')).toHaveLength(1);
  });

  it('honours exclusions (numbers and prefixes, twins included) and the group rule', async () => {
    await settings({ exclusions: ['+1800', '+5511987650999'] });
    const tollFree = await channel.chat({ e164: '+18005550100' });
    await expect(testApp.domain.chatLinks.resolve(tollFree)).resolves.toEqual({
      kind: 'skipped',
      reason: 'excluded_number',
    });
    const brazilOld = await channel.chat({ waId: '551187650999' });
    await expect(testApp.domain.chatLinks.resolve(brazilOld)).resolves.toMatchObject({ reason: 'excluded_number' });
    const group = await channel.chat({ waId: '120363000000000001', isGroup: true });
    await expect(testApp.domain.chatLinks.resolve(group)).resolves.toEqual({ kind: 'skipped', reason: 'group_chat' });
    expect(await auditActions(group)).toEqual(['sync.skipped']);
    expect(personsWithPhone('+18005550100')).toHaveLength(0);
  });

  it('creates exactly one person when a job dies after Pipedrive created it (retry looks before creating)', async () => {
    await settings({ createOnNewChat: 'deal' });
    const resolver = resolverKilledAfter('person.create');
    const chatId = await channel.chat({ waId: '34622000444', profileName: 'Kai Killed' });
    await expect(resolver.resolve(chatId)).rejects.toThrow('killed after the person.create 201');
    expect(personsWithPhone('+34622000444')).toHaveLength(1);
    const [pending] = await testApp.database.db
      .select()
      .from(syncEffects)
      .where(and(eq(syncEffects.subjectId, chatId), eq(syncEffects.kind, 'person.create')));
    expect(pending?.state).toBe('pending');

    const result = await resolver.resolve(chatId);
    const persons = personsWithPhone('+34622000444');
    expect(persons).toHaveLength(1);
    expect(result).toMatchObject({ kind: 'linked', personId: persons[0]?.id });
    expect([...state().deals.values()].filter((deal) => deal.personId === persons[0]?.id)).toHaveLength(1);
    // The person found by phone is the one the killed attempt made: its create is settled, not left pending.
    expect(await effect(chatId, 'person.create')).toEqual({ state: 'done', remoteId: String(persons[0]?.id) });
  });

  it('creates exactly one deal when a job dies after the deal was created', async () => {
    await settings({ createOnNewChat: 'deal' });
    const resolver = resolverKilledAfter('deal.create');
    const chatId = await channel.chat({ waId: '34622000555', profileName: 'Dee Deal' });
    await expect(resolver.resolve(chatId)).rejects.toThrow('killed after the deal.create 201');
    const result = await resolver.resolve(chatId);
    const [person] = personsWithPhone('+34622000555');
    const deals = [...state().deals.values()].filter((deal) => deal.personId === person?.id);
    expect(deals).toHaveLength(1);
    expect(result).toMatchObject({ dealId: deals[0]?.id });
    expect(await effect(chatId, 'deal.create')).toEqual({ state: 'done', remoteId: String(deals[0]?.id) });
  });

  async function effect(chatId: string, kind: string) {
    const [row] = await testApp.database.db
      .select({ state: syncEffects.state, remoteId: syncEffects.remoteId })
      .from(syncEffects)
      .where(and(eq(syncEffects.subjectId, chatId), eq(syncEffects.kind, kind)));
    return row;
  }
});
