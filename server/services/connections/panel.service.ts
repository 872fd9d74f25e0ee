import type { AppConfig } from '../../config.ts';
import { createErrorFactory } from '../../errors.ts';
import { actors } from '../audit/actor.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PipedriveApi } from '../pipedrive/pipedrive-api.ts';
import type { SyncSettings } from '../../../contracts/panel.schemas.ts';
import type { SyncSettingsService } from '../settings/sync-settings.ts';
import { mintConnectTicket } from './connect-ticket.ts';
import type { ConnectionLifecycle } from './connection-lifecycle.service.ts';
import type { ConnectionStatusService } from './connection-status.service.ts';
import { createOrgNotConnectedError, createPersonalNotConnectedError } from './connections.errors.ts';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import type { createSendService, OutgoingContent } from '../whatsapp/send.service.ts';
import { createChatNotFoundError } from '../whatsapp/whatsapp.errors.ts';

export const createAdminOnlyError = createErrorFactory({
  code: 'connections.pipedrive_admin_only',
  statusCode: 403,
  message: 'Only a Pipedrive admin who has connected Parley can do this. Ask your Pipedrive admin.',
});

/** A Pipedrive user known from a verified panel token. */
export interface PanelViewer {
  companyId: number;
  userId: number;
}

/**
 * What the panels Pipedrive frames may do, for the viewer of a verified token: their status, the
 * connect ticket, disconnects, and the company's sync settings (Pipedrive admins edit them).
 */
export function createPanelService(deps: {
  db: Db;
  sender: ReturnType<typeof createSendService>;
  config: Pick<AppConfig, 'publicUrl' | 'sessionSecret'>;
  status: ConnectionStatusService;
  lifecycle: ConnectionLifecycle;
  syncSettings: SyncSettingsService;
  pipedrive: PipedriveApi;
  audit: AuditLog;
}) {
  const statusOf = (viewer: PanelViewer) => deps.status.viewerStatus(viewer.companyId, viewer.userId);

  /** The viewer's record says they are a Pipedrive admin (learned from `/users/me` when they connected). */
  async function requirePipedriveAdmin(viewer: PanelViewer) {
    const status = await statusOf(viewer);
    if (status.viewer.isPipedriveAdmin !== true) throw createAdminOnlyError();
    return status;
  }

  return {
    async status(viewer: PanelViewer) {
      return {
        ...(await statusOf(viewer)),
        links: {
          dashboard: `${deps.config.publicUrl}/integrations/pipedrive`,
          install: `${deps.config.publicUrl}/oauth/install`,
        },
      };
    },

    /** The popup URL of "Connect only for me", carrying a 2-minute ticket naming the viewer. */
    async connectTicketUrl(viewer: PanelViewer): Promise<string> {
      const ticket = await mintConnectTicket(deps.config.sessionSecret, viewer);
      return `${deps.config.publicUrl}/oauth/install?purpose=personal&ticket=${encodeURIComponent(ticket)}`;
    },

    disconnectPersonal(viewer: PanelViewer): Promise<boolean> {
      return deps.lifecycle.disconnectPersonal(
        viewer.companyId,
        viewer.userId,
        actors.pipedriveUser(viewer.companyId, viewer.userId),
      );
    },

    async disconnectOrganization(viewer: PanelViewer): Promise<number> {
      const status = await requirePipedriveAdmin(viewer);
      if (!status.organization.connected) throw createOrgNotConnectedError();
      return deps.lifecycle.disconnectOrganization(
        viewer.companyId,
        actors.pipedriveUser(viewer.companyId, viewer.userId),
      );
    },

    async settings(viewer: PanelViewer) {
      const status = await statusOf(viewer);
      if (!status.organization.connected) throw createOrgNotConnectedError();
      return {
        settings: await deps.syncSettings.get(viewer.companyId),
        canEdit: status.viewer.isPipedriveAdmin === true,
      };
    },

    /**
     * Choices for the settings form, read with the viewer's own grant when they have one
     * (Pipedrive's visibility applies), else with the organization's.
     */
    async settingsOptions(viewer: PanelViewer) {
      const status = await requirePipedriveAdmin(viewer);
      const api = status.personal.connected
        ? await deps.pipedrive.forViewer(viewer, 'settings')
        : await deps.pipedrive.forCompany(viewer.companyId, 'settings');
      const [pipelines, leadLabels, users] = await Promise.all([
        api.listPipelinesWithStages(),
        api.listLeadLabels(),
        api.listActiveUsers(),
      ]);
      return { pipelines, leadLabels, users };
    },

    /**
     * Sends from a panel: the viewer must have an active personal connection, and may only reach
     * chats of the workspace their company is linked to (any other chat is simply "not found").
     */
    async sendMessage(viewer: PanelViewer, chatId: string, content: OutgoingContent) {
      const status = await statusOf(viewer);
      if (!status.personal.connected || status.personal.state !== 'active') throw createPersonalNotConnectedError();
      const repository = createConnectionsRepository(deps.db);
      const company = await repository.findCompany(viewer.companyId);
      if (company?.workspaceId == null) throw createChatNotFoundError();
      const connection = await repository.findByCompanyUser(viewer.companyId, viewer.userId);
      return deps.sender.send({
        workspaceId: company.workspaceId,
        companyId: viewer.companyId,
        chatId,
        sender: { pipedriveUserId: viewer.userId, memberId: connection?.memberId ?? null },
        content,
      });
    },

    async saveSettings(viewer: PanelViewer, input: SyncSettings): Promise<SyncSettings> {
      const status = await requirePipedriveAdmin(viewer);
      if (!status.organization.connected) throw createOrgNotConnectedError();
      const settings = await deps.syncSettings.save(viewer.companyId, input, null);
      await deps.audit.record({
        companyId: viewer.companyId,
        actor: actors.pipedriveUser(viewer.companyId, viewer.userId),
        action: 'settings.updated',
        detail: { ...settings },
      });
      return settings;
    },
  };
}

export type PanelService = ReturnType<typeof createPanelService>;
