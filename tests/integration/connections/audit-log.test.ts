import { eq } from 'drizzle-orm';
import { AUDIT_ACTIONS } from '../../../contracts/audit-actions.ts';
import type { AuditActorsReply, AuditReply, SessionInfo } from '../../../contracts/dashboard.schemas.ts';
import { companies } from '../../../server/db/schema/index.ts';
import { actors } from '../../../server/services/audit/actor.ts';
import { createBrowser, type Browser } from '../../helpers/browser-session.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import { startSandboxedTestApp, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** `/api/audit` behind the dashboard's audit page: names, links, filters, and nothing of another workspace. */
describe('the audit log API', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let closeAll: () => Promise<void>;
  let admin: Browser;
  let gina: Browser;
  let sessionA: SessionInfo;
  let sessionB: SessionInfo;

  beforeAll(async () => {
    ({ pd, testApp, close: closeAll } = await startSandboxedTestApp());
    ({ admin } = await connectCompany(testApp, pd.consent([pd.users.sam])));
    sessionA = (await admin.get('/api/session')).json<SessionInfo>();
    // Company B (Globex), installed by Gina: its own workspace and log.
    gina = createBrowser(testApp.app);
    await gina.get(`/oauth/callback?code=${pd.authorize(pd.users.gina)}`);
    await gina.refreshCsrf();
    sessionB = (await gina.get('/api/session')).json<SessionInfo>();
  });

  afterAll(async () => {
    await closeAll();
  });

  const page = async (query = '') => {
    const response = await admin.get(`/api/audit${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<AuditReply>();
  };

  it('names who and what the entries refer to, and gives the company’s Pipedrive address for links', async () => {
    const reply = await page();
    const actions = reply.entries.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'organization.connected',
        'invitation.created',
        'invitation.accepted',
        'personal.connected',
      ]),
    );
    for (const action of actions) expect(Object.hasOwn(AUDIT_ACTIONS, action)).toBe(true);
    const namesOfActors = reply.entries.map((entry) => reply.names[entry.actor]);
    expect(namesOfActors).toContain(pd.users.ada.name);
    expect(namesOfActors).toContain(pd.users.sam.name);
    const [company] = await testApp.database.db
      .select()
      .from(companies)
      .where(eq(companies.id, pd.users.ada.companyId));
    expect(reply.pipedriveUrl).toBe(company?.apiDomain);
    expect(reply.pipedriveUrl).toMatch(/^http/);
  });

  it('filters by what (group), who (actor) and when (since inclusive, until exclusive)', async () => {
    const team = await page('?group=team');
    expect(team.entries.length).toBeGreaterThan(0);
    for (const entry of team.entries) expect(AUDIT_ACTIONS[entry.action as keyof typeof AUDIT_ACTIONS]).toBe('team');

    const samActor = Object.entries((await page()).names).find(([, name]) => name === pd.users.sam.name)?.[0];
    expect(samActor).toMatch(/^member:/);
    const bySam = await page(`?actor=${encodeURIComponent(samActor ?? '')}`);
    expect(bySam.entries.length).toBeGreaterThan(0);
    for (const entry of bySam.entries) expect(entry.actor).toBe(samActor);

    const all = await page();
    const newest = all.entries[0];
    if (newest === undefined) throw new Error('no entries');
    const at = new Date(newest.at).toISOString();
    expect((await page(`?since=${encodeURIComponent(at)}`)).entries.map((entry) => entry.id)).toContain(newest.id);
    expect((await page(`?until=${encodeURIComponent(at)}`)).entries.map((entry) => entry.id)).not.toContain(newest.id);
    expect((await page(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).entries).toEqual(
      [],
    );
  });

  it('refuses filters it does not understand with a clear 400', async () => {
    for (const query of ['?group=everything', '?since=yesterday', '?until=2026-13-45', '?limit=0']) {
      const response = await admin.get(`/api/audit${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message).not.toBe('');
    }
  });

  it('lists the workspace’s actors for the "who" filter, named', async () => {
    const reply = (await admin.get('/api/audit/actors')).json<AuditActorsReply>();
    expect(reply.actors).toContain(`member:${sessionA.workspace?.memberId}`);
    expect(Object.values(reply.names)).toEqual(expect.arrayContaining([pd.users.ada.name, pd.users.sam.name]));
  });

  it('shows nothing of another workspace: no entries, no actors, no names, even when asked by id', async () => {
    const memberB = `member:${sessionB.workspace?.memberId}`;
    // An entry of A's that mentions B's member and B's Pipedrive user must not name them.
    await testApp.domain.audit.record({
      workspaceId: sessionA.workspace?.id ?? null,
      companyId: pd.users.ada.companyId,
      actor: actors.pipedriveUser(pd.users.gina.companyId, pd.users.gina.userId),
      action: 'member.removed',
      detail: { memberId: sessionB.workspace?.memberId, pipedriveUserId: pd.users.gina.userId },
    });
    const reply = await page();
    const text = JSON.stringify(reply);
    expect(text).not.toContain(pd.users.gina.name);
    expect(text).not.toContain('Globex');
    expect((await page(`?actor=${encodeURIComponent(memberB)}`)).entries).toEqual([]);
    const actorsOfA = (await admin.get('/api/audit/actors')).json<AuditActorsReply>();
    expect(actorsOfA.actors).not.toContain(memberB);
    expect(JSON.stringify(actorsOfA)).not.toContain(pd.users.gina.name);
    // And B's admin sees B's log only.
    const ofB = (await gina.get('/api/audit')).json<AuditReply>();
    expect(ofB.entries.length).toBeGreaterThan(0);
    expect(JSON.stringify(ofB)).not.toContain(pd.users.sam.name);
  });
});
