import { and, eq } from 'drizzle-orm';
import type { InviteReply } from '../../contracts/dashboard.schemas.ts';
import type { ConnectTicketReply, PanelStatus } from '../../contracts/panel.schemas.ts';
import { accounts, connections, joinRequests } from '../../server/db/schema/index.ts';
import { createBrowser, stateFromRedirect, type Browser } from './browser-session.ts';
import { bearer, signPanelToken } from './panel-token.ts';
import { startSandboxedTestApp, type PipedriveSandbox, type PipedriveUser } from './pipedrive-sandbox.ts';
import type { TestApp } from './test-app.ts';

/**
 * Parley with the Pipedrive sandbox for each test of a describe block, and the steps of joining a
 * workspace from Pipedrive (issue 11): Ada installs, invites, salespeople consent from their panels.
 * Read `pd` and `testApp` inside tests (set by the `beforeEach` hook).
 */
export function useJoiningWorld() {
  const world = {} as { pd: PipedriveSandbox; testApp: TestApp };
  let closeAll: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const started = await startSandboxedTestApp();
    Object.assign(world, { pd: started.pd, testApp: started.testApp });
    closeAll = started.close;
  });
  afterEach(async () => {
    await closeAll?.();
  });

  const db = () => world.testApp.database.db;
  const panelToken = (user: PipedriveUser) => signPanelToken({ companyId: user.companyId, userId: user.userId });

  return {
    world,
    db,

    /** Ada installs from the Marketplace: the organization is connected and she owns the workspace. */
    async installAsAda(): Promise<Browser> {
      const admin = createBrowser(world.testApp.app);
      const callback = await admin.get(`/oauth/callback?code=${world.pd.authorize(world.pd.users.ada)}`);
      expect(callback.headers.location).toBe('/onboarding?new=1');
      await admin.refreshCsrf();
      return admin;
    },

    async invite(admin: Browser, email: string, role: 'member' | 'admin' = 'member'): Promise<string> {
      const created = await admin.post('/api/team/invitations', { email, role });
      expect(created.statusCode).toBe(201);
      return created.json<InviteReply>().link;
    },

    async panelStatus(user: PipedriveUser): Promise<PanelStatus> {
      const response = await world.testApp.app.inject({
        method: 'GET',
        url: '/api/panel/status',
        headers: bearer(await panelToken(user)),
      });
      expect(response.statusCode).toBe(200);
      return response.json<PanelStatus>();
    },

    /**
     * "Connect only for me" in `viewer`'s panel, with `consenting` allowing at Pipedrive (normally
     * the same person), in a fresh popup window with no Parley session.
     */
    async consentFromPanel(viewer: PipedriveUser, consenting: PipedriveUser = viewer) {
      const ticket = await world.testApp.app.inject({
        method: 'POST',
        url: '/api/panel/connect-ticket',
        headers: bearer(await panelToken(viewer)),
      });
      const url = new URL(ticket.json<ConnectTicketReply>().url);
      const popup = createBrowser(world.testApp.app);
      const start = await popup.get(`${url.pathname}${url.search}`);
      const callback = await popup.get(
        `/oauth/callback?code=${world.pd.authorize(consenting)}&state=${encodeURIComponent(stateFromRedirect(start))}`,
      );
      return { popup, callback };
    },

    connectionOf: async (user: PipedriveUser) =>
      (
        await db()
          .select()
          .from(connections)
          .where(and(eq(connections.companyId, user.companyId), eq(connections.pipedriveUserId, user.userId)))
      )[0],

    accountOf: async (email: string) => (await db().select().from(accounts).where(eq(accounts.email, email)))[0],

    pendingRequests: () => db().select().from(joinRequests).where(eq(joinRequests.status, 'pending')),
  };
}
