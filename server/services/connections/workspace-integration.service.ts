import type { AppConfig } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository, type ConnectionRow } from '../../db/repositories/connections.repository.ts';
import type { MemberRow } from '../../db/repositories/accounts.repository.ts';
import { createForbiddenRoleError } from '../accounts/accounts.errors.ts';
import { actors } from '../audit/actor.ts';
import type { AuditLog, AuditPage } from '../audit/audit-log.ts';
import { nameAuditReferences } from '../audit/audit-names.ts';
import type { ConnectionLifecycle } from './connection-lifecycle.service.ts';
import { createOrgNotConnectedError, createPersonalNotConnectedError } from './connections.errors.ts';

const isAdmin = (member: MemberRow) => member.role === 'owner' || member.role === 'admin';
const auditScope = (workspaceId: string, companyId: number | undefined) => ({
  workspaceId,
  ...(companyId === undefined ? {} : { companyId }),
});
const live = (row: ConnectionRow) => row.state !== 'revoked';

/**
 * The dashboard's `/integrations/pipedrive` and `/audit`, for a member of a workspace: what is
 * connected (the full list of connected users for admins only), the two disconnects, the audit log.
 */
export function createWorkspaceIntegrationService(deps: {
  db: Db;
  config: Pick<AppConfig, 'pipedrive'>;
  lifecycle: ConnectionLifecycle;
  audit: AuditLog;
}) {
  const repository = createConnectionsRepository(deps.db);

  async function connectionsOf(workspaceId: string) {
    const company = await repository.findCompanyByWorkspace(workspaceId);
    return { company, connections: company === undefined ? [] : await repository.listByCompany(company.id) };
  }

  return {
    /** The Pipedrive company connected to the workspace; refused when there is none. */
    async connectedCompanyOf(workspaceId: string) {
      const company = await repository.findCompanyByWorkspace(workspaceId);
      if (company === undefined) throw createOrgNotConnectedError();
      return company;
    },
    async overview(member: MemberRow) {
      const { company, connections } = await connectionsOf(member.workspaceId);
      const org = connections.find((row) => row.isOrgConnection && live(row));
      const mine = connections.find((row) => row.memberId === member.id && live(row));
      return {
        role: member.role,
        company:
          company === undefined
            ? null
            : {
                id: company.id,
                name: company.name,
                status: company.status,
                purgeAfter: company.purgeAfter,
                // Deep link into Pipedrive's settings page of the app (pipedrive-platform.md §1.7).
                appSettingsUrl:
                  company.apiDomain === null
                    ? null
                    : `${company.apiDomain}/settings/marketplace/app/${deps.config.pipedrive.clientId}/app-settings`,
              },
        organization:
          org === undefined
            ? null
            : {
                state: org.state,
                connectedBy: org.pipedriveUserName,
                connectedAt: org.connectedAt,
                pipedriveUserId: org.pipedriveUserId,
              },
        personal:
          mine === undefined || !mine.isPersonalConnection
            ? null
            : { state: mine.state, pipedriveUserName: mine.pipedriveUserName, connectedAt: mine.connectedAt },
        connectedUsers: isAdmin(member)
          ? connections
              .filter((row) => live(row) && row.isPersonalConnection)
              .map((row) => ({
                name: row.pipedriveUserName,
                email: row.pipedriveUserEmail,
                state: row.state,
                isOrgConnection: row.isOrgConnection,
              }))
          : [],
      };
    },

    async disconnectOrganization(member: MemberRow): Promise<number> {
      if (!isAdmin(member)) throw createForbiddenRoleError();
      const company = await repository.findCompanyByWorkspace(member.workspaceId);
      if (company === undefined || company.status !== 'connected') throw createOrgNotConnectedError();
      return deps.lifecycle.disconnectOrganization(company.id, actors.member(member.id));
    },

    async disconnectPersonal(member: MemberRow): Promise<void> {
      const { connections } = await connectionsOf(member.workspaceId);
      const mine = connections.find((row) => row.memberId === member.id && live(row) && row.isPersonalConnection);
      if (mine === undefined)
        throw createPersonalNotConnectedError({ message: 'You have no personal Pipedrive connection to end.' });
      await deps.lifecycle.disconnectPersonal(mine.companyId, mine.pipedriveUserId, actors.member(member.id));
    },

    /**
     * A page of the workspace's audit log, newest first; `nextBefore` fetches the next page. With
     * the names of who and what the entries refer to, and the company's Pipedrive address for links.
     */
    async auditLog(member: MemberRow, query: Omit<AuditPage, 'since' | 'until'> & { since?: string; until?: string }) {
      if (!isAdmin(member)) throw createForbiddenRoleError();
      const company = await repository.findCompanyByWorkspace(member.workspaceId);
      const limit = query.limit ?? 50;
      const { since, until, ...rest } = query;
      const entries = await deps.audit.list(auditScope(member.workspaceId, company?.id), {
        ...rest,
        ...(since === undefined ? {} : { since: new Date(since) }),
        ...(until === undefined ? {} : { until: new Date(until) }),
        limit,
      });
      return {
        entries,
        nextBefore: entries.length === limit ? (entries.at(-1)?.id ?? null) : null,
        names: await nameAuditReferences(deps.db, { workspaceId: member.workspaceId, companyId: company?.id }, entries),
        pipedriveUrl: company?.apiDomain ?? null,
      };
    },

    /** Who appears in the workspace's audit log, named, for the page's "who" filter. */
    async auditActors(member: MemberRow) {
      if (!isAdmin(member)) throw createForbiddenRoleError();
      const company = await repository.findCompanyByWorkspace(member.workspaceId);
      const actors = await deps.audit.actors(auditScope(member.workspaceId, company?.id));
      const asEntries = actors.map((actor) => ({ actor, subjectType: null, subjectId: null, detail: {} }));
      return {
        actors,
        names: await nameAuditReferences(
          deps.db,
          { workspaceId: member.workspaceId, companyId: company?.id },
          asEntries,
        ),
      };
    },
  };
}

export type WorkspaceIntegrationService = ReturnType<typeof createWorkspaceIntegrationService>;
