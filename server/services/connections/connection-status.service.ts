import type { Db } from '../../db/client.ts';
import { createConnectionsRepository, type ConnectionRow } from '../../db/repositories/connections.repository.ts';
import { createTeamRepository } from '../../db/repositories/team.repository.ts';

/** The viewer's state, in the order a panel must explain it (product.md §4.5). */
export type ViewerState = 'org_not_connected' | 'reauth_required' | 'personal_not_connected' | 'connected';

export interface ViewerStatus {
  state: ViewerState;
  company: { id: number; name: string | null };
  organization: {
    connected: boolean;
    state: ConnectionRow['state'] | 'none';
    connectedBy: { pipedriveUserId: number; name: string | null } | null;
    ended: { reason: 'disconnected' | 'uninstalled'; at: string } | null;
  };
  personal: { connected: boolean; state: ConnectionRow['state'] | 'none'; awaitingApprovalSince: string | null };
  viewer: { pipedriveUserId: number; isPipedriveAdmin: boolean | null; isOrgConnector: boolean };
}

/** Answers "what can this Pipedrive user do with Parley right now" from Parley's own records (no Pipedrive call). */
export function createConnectionStatusService(deps: { db: Db }) {
  return {
    async viewerStatus(companyId: number, pipedriveUserId: number): Promise<ViewerStatus> {
      const repository = createConnectionsRepository(deps.db);
      // Independent reads, sent together (every panel request asks this first).
      const [company, orgConnection, mine] = await Promise.all([
        repository.findCompany(companyId),
        repository.findOrgConnection(companyId),
        repository.findByCompanyUser(companyId, pipedriveUserId),
      ]);
      const org = company?.status === 'connected' ? orgConnection : undefined;
      const orgLive = org !== undefined && org.state !== 'revoked';
      const personalLive = mine !== undefined && mine.state !== 'revoked' && mine.isPersonalConnection;

      let state: ViewerState = 'connected';
      if (!orgLive) state = 'org_not_connected';
      else if (org.state === 'reauth_required') state = 'reauth_required';
      else if (!personalLive) state = 'personal_not_connected';
      else if (mine.state === 'reauth_required') state = 'reauth_required';

      // A consent that filed a join request in this company's workspace: approval turns it on.
      const awaiting =
        orgLive && !personalLive && company?.workspaceId != null
          ? await createTeamRepository(deps.db).findPendingJoinRequestOfPipedriveUser(
              company.workspaceId,
              companyId,
              pipedriveUserId,
            )
          : undefined;
      const ended =
        !orgLive && company !== undefined && company.status !== 'connected' && company.disconnectedAt !== null
          ? { reason: company.status, at: company.disconnectedAt.toISOString() }
          : null;

      return {
        state,
        company: { id: companyId, name: company?.name ?? null },
        organization: {
          connected: orgLive,
          state: org?.state ?? 'none',
          connectedBy: orgLive ? { pipedriveUserId: org.pipedriveUserId, name: org.pipedriveUserName } : null,
          ended,
        },
        personal: {
          connected: personalLive,
          state: personalLive ? mine.state : 'none',
          awaitingApprovalSince: awaiting === undefined ? null : awaiting.createdAt.toISOString(),
        },
        viewer: {
          pipedriveUserId,
          isPipedriveAdmin: mine === undefined ? null : mine.isPipedriveAdmin,
          isOrgConnector: orgLive && org.pipedriveUserId === pipedriveUserId,
        },
      };
    },
  };
}

export type ConnectionStatusService = ReturnType<typeof createConnectionStatusService>;
