import type { ContextQuery, PanelContextResponse, TemplateFill } from '../../../contracts/panel-chat.ts';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { isAppError } from '../../errors.ts';
import { createErrorFactory } from '../../errors.ts';
import { settledValue } from '../../settled.ts';
import type { ConnectionStatusService } from '../connections/connection-status.service.ts';
import type { PipedriveApi } from '../pipedrive/pipedrive-api.ts';
import type { PanelChatService } from './panel-chat.service.ts';
import { createPanelEventsReader } from './panel-events.ts';

export const createRecordNotVisibleError = createErrorFactory({
  code: 'chats.record_not_visible',
  statusCode: 404,
  message: 'This record is not visible to you in Pipedrive, so Parley does not show its chats.',
});

const BLOCKED_MESSAGES = {
  org_not_connected: 'Parley is not connected to your Pipedrive company yet. A Pipedrive admin must connect it.',
  personal_not_connected: 'Connect your own Pipedrive user to chat on WhatsApp from Pipedrive.',
  reauth_required: 'Pipedrive no longer accepts the connection. Reconnect to continue.',
} as const;

const firstWord = (name: string | null | undefined) => name?.trim().split(/\s+/)[0] ?? null;

/**
 * The panel context: who the viewer is allowed to be (their connection state decides the answer),
 * then the record read with the viewer's own token, so Pipedrive's visibility applies, and the
 * person's chats, the workspace's channels and templates with Pipedrive values for the variables.
 */
export function createPanelContextService(deps: {
  db: Db;
  status: ConnectionStatusService;
  pipedrive: PipedriveApi;
  chats: PanelChatService;
  publicUrl: string;
}) {
  const connections = createConnectionsRepository(deps.db);
  const events = createPanelEventsReader(deps.db);
  const links = {
    install: `${deps.publicUrl}/oauth/install`,
    dashboard: `${deps.publicUrl}/integrations/pipedrive`,
  };

  return {
    async context(viewer: { companyId: number; userId: number }, query: ContextQuery): Promise<PanelContextResponse> {
      // Read together: the status decides what the others are used for (a blocked viewer gets only the state).
      const [status, workspace, viewerApi] = await Promise.allSettled([
        deps.status.viewerStatus(viewer.companyId, viewer.userId),
        deps.chats.workspaceOf(viewer.companyId).then(async (workspaceId) => ({
          workspaceId,
          // Before the chats and messages are read: the live stream replays whatever comes after.
          liveFrom: await events.latestSeq(workspaceId),
          channels: await deps.chats.activeChannels(workspaceId),
        })),
        deps.pipedrive.forViewer(viewer, 'live-chat'),
      ]);
      const { state } = settledValue(status);
      if (state !== 'connected') return { state, message: BLOCKED_MESSAGES[state], links };
      const { workspaceId, liveFrom, channels } = settledValue(workspace);
      if (channels.length === 0)
        return {
          state: 'no_channel',
          message: 'No WhatsApp number is connected to Parley yet. Connect one in the Parley dashboard.',
          links,
        };

      const api = settledValue(viewerApi);
      const read = async <T>(load: () => Promise<T>): Promise<T> => {
        try {
          return await load();
        } catch (error) {
          if (isAppError(error) && (error.code === 'pipedrive.not_found' || error.code === 'pipedrive.forbidden'))
            throw createRecordNotVisibleError();
          throw error;
        }
      };
      const readOwner = async (ownerId: number | undefined) =>
        ownerId === undefined ? undefined : api.getUser(ownerId).catch(() => undefined);
      const deal = query.resource === 'deal' ? await read(() => api.getDeal(query.id)) : undefined;
      if (query.resource === 'deal' && deal?.id === undefined) throw createRecordNotVisibleError();
      const personId = query.resource === 'person' ? query.id : (deal?.person_id ?? null);
      const dealOwnerId = deal?.owner_id ?? undefined;
      // Each Pipedrive read is a round trip: the deal's owner is read alongside its person.
      const [person, dealOwner, mine, templates] = await Promise.all([
        personId === null ? undefined : read(() => api.getPerson(personId)),
        readOwner(dealOwnerId),
        connections.findByCompanyUser(viewer.companyId, viewer.userId),
        deps.chats.templates(channels.map((channel) => channel.id)),
      ]);
      if (query.resource === 'person' && person?.id === undefined) throw createRecordNotVisibleError();

      const [owner, chats] = await Promise.all([
        dealOwnerId === undefined ? readOwner(person?.owner_id) : dealOwner,
        deps.chats.chatsOfRecord(workspaceId, {
          personId: person?.id ?? null,
          dealId: deal?.id ?? null,
        }),
      ]);
      const first = chats[0];
      const firstPage =
        query.firstMessages === undefined || first === undefined
          ? undefined
          : await deps.chats.messages(viewer.companyId, workspaceId, first.id, { limit: query.firstMessages });
      const fill: TemplateFill = {
        personName: person?.name ?? null,
        firstName: person?.first_name ?? firstWord(person?.name),
        dealTitle: deal?.title ?? null,
        dealValue:
          deal?.value === undefined || deal.value === null ? null : `${deal.value} ${deal.currency ?? ''}`.trim(),
        ownerName: owner?.name ?? null,
        viewerName: mine?.pipedriveUserName ?? null,
      };
      return {
        state: 'ready',
        person: person?.id === undefined ? null : { id: person.id, name: person.name ?? '' },
        deal: deal?.id === undefined ? null : { id: deal.id, title: deal.title ?? '' },
        chats,
        channels,
        templates,
        fill,
        ...(firstPage === undefined ? {} : { firstPage }),
        liveFrom,
      };
    },
  };
}
