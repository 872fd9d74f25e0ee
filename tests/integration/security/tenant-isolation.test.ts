import type { RouteOptions } from 'fastify';
import { eq } from 'drizzle-orm';
import { companies, connections, invitations, joinRequests, members } from '../../../server/db/schema/index.ts';
import { signUpConfirmed } from '../../helpers/mail-outbox.ts';
import { createBrowser } from '../../helpers/browser-session.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Catalogue T1: for every dashboard and panel API route (enumerated as the app adds them, so a new
 * route cannot slip through), company/workspace A's credentials with B's ids in the path, the
 * query and the body get a refusal or A's own data — never anything of B's — and B is unchanged.
 */
describe('tenant isolation over every API route (T1)', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  const routes: RouteOptions[] = [];

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config(), onRoute: (route) => routes.push(route) });
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const db = () => testApp.database.db;

  /** Company B (Globex): installed by Gina, with a pending invitation and a pending join request. */
  async function seedCompanyB() {
    const { gina } = pd.users;
    const admin = createBrowser(testApp.app);
    const installed = await admin.get(`/oauth/callback?code=${pd.authorize(gina)}`);
    expect(installed.headers.location).toBe('/onboarding?new=1');
    await admin.refreshCsrf();
    const session = (await admin.get('/api/session')).json<{ workspace: { id: string; memberId: string } }>();
    expect((await admin.post('/api/team/invitations', { email: 'otto@globex.test', role: 'admin' })).statusCode).toBe(
      201,
    );
    const drifter = await signUpConfirmed(testApp, {
      email: 'drifter@example.com',
      name: 'Drifter',
      workspaceName: 'Drifting',
    });
    expect((await drifter.post(`/api/team/join/${session.workspace.id}`)).statusCode).toBe(200);
    const [invitation] = await db().select().from(invitations).where(eq(invitations.workspaceId, session.workspace.id));
    const [request] = await db().select().from(joinRequests).where(eq(joinRequests.workspaceId, session.workspace.id));
    if (invitation === undefined || request === undefined) throw new Error('B was not seeded');
    return {
      workspaceId: session.workspace.id,
      memberId: session.workspace.memberId,
      invitationId: invitation.id,
      joinRequestId: request.id,
      companyId: gina.companyId,
      userId: gina.userId,
    };
  }

  async function snapshotOfB(workspaceId: string, companyId: number) {
    return {
      members: await db().select().from(members).where(eq(members.workspaceId, workspaceId)),
      invitations: await db().select().from(invitations).where(eq(invitations.workspaceId, workspaceId)),
      joinRequests: await db().select().from(joinRequests).where(eq(joinRequests.workspaceId, workspaceId)),
      company: await db().select().from(companies).where(eq(companies.id, companyId)),
      connections: (await db().select().from(connections).where(eq(connections.companyId, companyId))).map((row) => ({
        ...row,
        updatedAt: null,
      })),
    };
  }

  it('T1: A with B’s ids in path, query and body gets 403/404 or only its own data, and B is untouched', async () => {
    const { admin: adminA } = await connectCompany(testApp, pd.consent());
    const b = await seedCompanyB();
    const before = await snapshotOfB(b.workspaceId, b.companyId);
    const panelTokenA = await signPanelToken(pd.users.ada);
    /** What must never appear in an answer to A. */
    const secretsOfB = [
      b.workspaceId,
      b.memberId,
      b.invitationId,
      b.joinRequestId,
      'Globex',
      'gina@globex.test',
      'otto@globex.test',
      'drifter@example.com',
    ];

    const api = routes.filter((route) => route.url.startsWith('/api/'));
    const methods = (route: RouteOptions) => [route.method].flat().filter((method) => method !== 'HEAD');
    // Routes that end A's own session or connections go last, so the rest run signed in and connected.
    const endsOwnAccess = (route: RouteOptions) => /logout|disconnect/.test(route.url);
    const ordered = [...api.filter((route) => !endsOwnAccess(route)), ...api.filter(endsOwnAccess)];
    expect(ordered.length).toBeGreaterThanOrEqual(20);

    // Path parameters: every id of B's for `:id` and `:token`; `:decision` is not an id.
    const pathsFor = (url: string): string[] => {
      if (!url.includes(':')) return [url];
      const ids = [b.workspaceId, b.memberId, b.invitationId, b.joinRequestId];
      return ids.map((id) => url.replace(/:decision\b/, 'approve').replace(/:[A-Za-z]+/g, id));
    };
    const query = `companyId=${b.companyId}&userId=${b.userId}&workspaceId=${b.workspaceId}&memberId=${b.memberId}`;
    const body = {
      workspaceId: b.workspaceId,
      companyId: b.companyId,
      company_id: b.companyId,
      userId: b.userId,
      user_id: b.userId,
      memberId: b.memberId,
      id: b.memberId,
      role: 'member',
    };
    // A join link is addressed to another workspace by design: it asks B's admins, who decide.
    const byDesign = new Set(['POST /api/team/join/:id']);

    const problems: string[] = [];
    let calls = 0;
    for (const route of ordered) {
      for (const method of methods(route)) {
        for (const path of pathsFor(route.url)) {
          const url = `${path}?${query}`;
          const payload = method === 'GET' || method === 'DELETE' ? undefined : body;
          const request = { method: method as 'GET', url, ...(payload === undefined ? {} : { payload }) };
          const response = route.url.startsWith('/api/panel/')
            ? await testApp.app.inject({ ...request, headers: bearer(panelTokenA) })
            : await adminA.request(request);
          calls += 1;
          const label = `${method} ${url} → ${response.statusCode}`;
          const leaked = secretsOfB.filter((secret) => response.body.includes(secret));
          if (leaked.length > 0) problems.push(`${label} shows B's ${leaked.join(', ')}`);
          if (response.statusCode >= 500) problems.push(`${label}: ${response.body.slice(0, 200)}`);
          const idInPath = route.url.includes(':') && !byDesign.has(`${method} ${route.url}`);
          // 410: an invitation link that is not (or no longer) valid.
          if (idInPath && ![400, 403, 404, 410].includes(response.statusCode))
            problems.push(`${label} accepted B's id`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(30);
    // Nothing of B's changed, apart from what the join link is for: A's own pending request to join,
    // which B's admins decide on.
    const after = await snapshotOfB(b.workspaceId, b.companyId);
    const [askedByA, ...others] = after.joinRequests.filter((row) => row.email === pd.users.ada.email);
    expect(askedByA?.status).toBe('pending');
    expect(others).toEqual([]);
    expect({ ...after, joinRequests: after.joinRequests.filter((row) => row !== askedByA) }).toEqual(before);
  });
});
