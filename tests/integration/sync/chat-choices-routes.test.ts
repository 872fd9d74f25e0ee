import type { Browser } from '../../helpers/browser-session.ts';
import { companyApiDomain } from '../../../sandbox/pipedrive/company-domains.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { addSandboxPerson, seedChannel } from '../../helpers/seed-chats.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

/** Two companies on one Parley: Acme (Ada, Sam) and Globex (Gina), each in its own workspace. */
describe('unmatched queue, deal pins and tenant isolation (against the sandbox)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let acmeAdmin: Browser;
  let globexAdmin: Browser;
  let acme: Awaited<ReturnType<typeof seedChannel>>;
  let globex: Awaited<ReturnType<typeof seedChannel>>;

  // Connecting companies through the real flows takes a while on a loaded machine.
  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    ({ admin: acmeAdmin } = await connectCompany(testApp, pd.consent([pd.users.sam])));
    ({ admin: globexAdmin } = await connectCompany(testApp, { ...pd.consent(), admin: pd.users.gina }));
    acme = await seedChannel(testApp.database.db, pd.users.ada.companyId);
    globex = await seedChannel(testApp.database.db, pd.users.gina.companyId);
  }, 120_000);

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const panel = async (user: PipedriveUser, chatId: string, payload: object) =>
    testApp.app.inject({
      method: 'POST',
      url: `/api/panel/chats/${chatId}/pin`,
      headers: bearer(await signPanelToken(user)),
      payload,
    });
  const person = (name: string, phone: string) => addSandboxPerson(pd, name, phone);

  it('lists the unmatched chats of the workspace and remembers the choice made there', async () => {
    const first = person('Double One', '+34 677 000 111');
    const second = person('Double Two', '+34677000111');
    const chatId = await acme.chat({ e164: '+34677000111', profileName: 'Double' });
    await testApp.domain.chatLinks.resolve(chatId);

    const listed = await acmeAdmin.get('/api/dashboard/unmatched');
    expect(listed.statusCode).toBe(200);
    const entries = listed.json<{
      entries: { id: string; chatId: string; reason: string; candidates: { id: number }[] }[];
    }>().entries;
    const entry = entries.find((candidate) => candidate.chatId === chatId);
    expect(entry).toMatchObject({ reason: 'several_matches', phone: '+34677000111', profileName: 'Double' });
    expect(entry?.candidates.map((candidate) => candidate.id).sort()).toEqual([first.id, second.id].sort());

    // Another workspace sees none of it and cannot choose for it.
    expect((await globexAdmin.get('/api/dashboard/unmatched')).json()).toEqual({ entries: [] });
    const foreign = await globexAdmin.post(`/api/dashboard/unmatched/${entry?.id}/choose`, { personId: first.id });
    expect(foreign.statusCode).toBe(404);

    const bad = await acmeAdmin.post(`/api/dashboard/unmatched/${entry?.id}/choose`, { personId: 'first' });
    expect(bad.statusCode).toBe(400);
    const gone = await acmeAdmin.post(`/api/dashboard/unmatched/${entry?.id}/choose`, { personId: 99999999 });
    expect(gone.json()).toMatchObject({ error: { code: 'sync.person_not_found' } });

    const chosen = await acmeAdmin.post(`/api/dashboard/unmatched/${entry?.id}/choose`, { personId: first.id });
    expect(chosen.statusCode).toBe(200);
    expect((await acme.chatRow(chatId)).personId).toBe(first.id);
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ personId: first.id });
    expect(
      (await acmeAdmin.get('/api/dashboard/unmatched')).json<{ entries: { chatId: string }[] }>().entries,
    ).not.toContainEqual(expect.objectContaining({ chatId }));
  });

  it('"create new" makes one new person for the chat', async () => {
    const chatId = await acme.chat({ businessScopedId: 'BSUID.NEW', profileName: 'Fresh Face' });
    await testApp.domain.chatLinks.resolve(chatId);
    const entry = (await testApp.domain.chatChoices.listUnmatched(acme.workspaceId)).find(
      (candidate) => candidate.chatId === chatId,
    );
    const response = await acmeAdmin.post(`/api/dashboard/unmatched/${entry?.id}/choose`, { createNew: true });
    expect(response.statusCode).toBe(200);
    const { personId } = response.json<{ personId: number }>();
    expect(pd.sandbox.pipedrive.state.persons.get(personId)).toMatchObject({ name: 'Fresh Face' });
    expect((await acme.chatRow(chatId)).personId).toBe(personId);
  });

  it('pins a chat to a deal the viewer may read; later resolutions follow the pinned deal', async () => {
    const [website, carter, silvaPrivate] = pd.sandbox.pipedrive.seed.demo.deals;
    const chatId = await acme.chat({ e164: '+34600111222' });
    const pinned = await panel(pd.users.sam, chatId, { dealId: carter?.id });
    expect(pinned.statusCode).toBe(200);
    expect(pinned.json()).toEqual({ chatId, dealId: carter?.id });
    await expect(testApp.domain.chatLinks.resolve(chatId)).resolves.toMatchObject({ dealId: carter?.id, leadId: null });

    // Rita's private deal is invisible to Sam: not found, nothing changes.
    const hidden = await panel(pd.users.sam, chatId, { dealId: silvaPrivate?.id });
    expect(hidden.statusCode).toBe(404);
    expect((await acme.chatRow(chatId)).pinnedDealId).toBe(carter?.id);

    expect((await panel(pd.users.sam, chatId, { dealId: website?.id })).statusCode).toBe(200);
    expect((await acme.chatRow(chatId)).dealId).toBe(website?.id);
    const audit = await testApp.domain.audit.list({ companyId: pd.users.ada.companyId }, { limit: 500 });
    expect(audit.filter((entry) => entry.action === 'chat.pinned_to_deal' && entry.subjectId === chatId)).toHaveLength(
      2,
    );
  });

  it('refuses pins across companies and bad input', async () => {
    const acmeChat = await acme.chat({ e164: '+34600111333' });
    const globexChat = await globex.chat({ e164: '+12125550199' });
    const globexDeal = pd.sandbox.pipedrive.seed.other.deals[0];
    // Gina (Globex) aims at Acme's chat: 404, as if it did not exist.
    expect((await panel(pd.users.gina, acmeChat, { dealId: globexDeal?.id })).statusCode).toBe(404);
    // Sam (Acme) aims at Globex's chat, or at Globex's deal from his own chat.
    expect((await panel(pd.users.sam, globexChat, { dealId: globexDeal?.id })).statusCode).toBe(404);
    expect((await panel(pd.users.sam, acmeChat, { dealId: globexDeal?.id })).statusCode).toBe(404);
    expect((await panel(pd.users.sam, 'not-a-uuid', { dealId: 1 })).statusCode).toBe(400);
    expect((await panel(pd.users.sam, acmeChat, { dealId: 'x' })).statusCode).toBe(400);
    const unsigned = await testApp.app.inject({
      method: 'POST',
      url: `/api/panel/chats/${acmeChat}/pin`,
      payload: { dealId: 1 },
    });
    expect(unsigned.statusCode).toBe(401);
    expect((await globex.chatRow(globexChat)).pinnedDealId).toBeNull();
  });

  it("T3: company A's resolution calls carry only A's token, to A's own Pipedrive address", async () => {
    const state = pd.sandbox.pipedrive.state;
    // The emulator records every API call with the company and user of the token it carried and
    // the Host it came to: A's phase must be A's alone, B's phase B's alone.
    const originOf = (companyId: number) => {
      const company = state.companies.get(companyId);
      if (company === undefined) throw new Error(`seed: no company ${companyId}`);
      return new URL(companyApiDomain(pd.sandbox.url, company)).host;
    };
    const callsBefore = state.apiCalls.length;
    await testApp.domain.syncSettings.save(
      pd.users.ada.companyId,
      { ...(await testApp.domain.syncSettings.get(pd.users.ada.companyId)), createOnNewChat: 'deal' },
      null,
    );
    await testApp.domain.chatLinks.resolve(await acme.chat({ waId: '34699000111', profileName: 'Tee Three' }));
    const boundary = state.apiCalls.length;
    await testApp.domain.chatLinks.resolve(await globex.chat({ waId: '12125550142', profileName: 'Globex Guest' }));
    const acmeCalls = state.apiCalls.slice(callsBefore, boundary);
    const globexCalls = state.apiCalls.slice(boundary);
    expect(acmeCalls.length).toBeGreaterThan(2);
    expect(globexCalls.length).toBeGreaterThan(0);
    for (const call of acmeCalls)
      expect([call.companyId, call.userId, call.host]).toEqual([
        pd.users.ada.companyId,
        pd.users.ada.userId,
        originOf(pd.users.ada.companyId),
      ]);
    for (const call of globexCalls)
      expect([call.companyId, call.userId, call.host]).toEqual([
        pd.users.gina.companyId,
        pd.users.gina.userId,
        originOf(pd.users.gina.companyId),
      ]);
    const person = [...state.persons.values()].find((candidate) => candidate.name === 'Tee Three');
    expect(person?.companyId).toBe(pd.users.ada.companyId);
  });
});
