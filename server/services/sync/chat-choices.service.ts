import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { createIdentityRepository } from '../../db/repositories/identity.repository.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { syncChatQueue } from '../../jobs/queues.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { createOrgNotConnectedError } from '../connections/connections.errors.ts';
import type { PipedriveApi } from '../pipedrive/pipedrive-api.ts';
import { IDENTITY_FEATURE, type ChatLinkResolverService } from './chat-link-resolver.ts';
import { createIdentityRecords } from './identity-records.ts';
import {
  createChatNotFoundError,
  createDealNotFoundError,
  createPersonNotFoundError,
  createUnmatchedNotFoundError,
  createUnmatchedResolvedError,
} from './sync.errors.ts';

export type UnmatchedChoice = { personId: number } | { createNew: true };

/**
 * What people decide about a chat's links: choosing the person of a chat in the unmatched queue
 * (dashboard) and pinning a chat to a deal (panel). Each choice is kept on the chat, audited, and
 * followed by a sync of the chat so waiting messages reach Pipedrive.
 */
export function createChatChoicesService(deps: {
  db: Db;
  jobs: JobQueue;
  pipedrive: PipedriveApi;
  resolver: ChatLinkResolverService;
}) {
  const repository = createIdentityRepository(deps.db);
  const audit = createAuditLog(deps.db);

  async function companyOfWorkspace(workspaceId: string) {
    const company = await createConnectionsRepository(deps.db).findCompanyByWorkspace(workspaceId);
    if (company === undefined || company.status !== 'connected') throw createOrgNotConnectedError();
    return company;
  }

  return {
    async listUnmatched(workspaceId: string) {
      const company = await createConnectionsRepository(deps.db).findCompanyByWorkspace(workspaceId);
      if (company === undefined) return [];
      const rows = await repository.listUnmatched(workspaceId, company.id);
      return rows.map(({ entry, contact }) => ({
        id: entry.id,
        chatId: entry.chatId,
        reason: entry.reason,
        candidates: entry.candidates,
        phone: contact.e164,
        profileName: contact.profileName,
        queuedAt: entry.createdAt,
      }));
    },

    /** A member chooses the chat's person once (or asks for a new one); the chat keeps it. */
    async chooseUnmatched(input: { workspaceId: string; memberId: string; entryId: string; choice: UnmatchedChoice }) {
      const entry = await repository.findUnmatched(input.workspaceId, input.entryId);
      if (entry === undefined) throw createUnmatchedNotFoundError();
      if (entry.status !== 'open') throw createUnmatchedResolvedError();
      const company = await companyOfWorkspace(input.workspaceId);
      if (company.id !== entry.companyId) throw createUnmatchedNotFoundError();
      let personId: number;
      if ('personId' in input.choice) {
        const api = createIdentityRecords(await deps.pipedrive.forCompany(company.id, IDENTITY_FEATURE));
        const person = await api.getPerson(input.choice.personId);
        if (person === undefined) throw createPersonNotFoundError();
        personId = person.id;
        // Pinned: a later phone search never overrides a human's choice.
        await repository.updateChatLinks(entry.chatId, { personId, pinnedPersonId: personId });
      } else {
        personId = await deps.resolver.createPersonForChat(entry.chatId);
        await repository.updateChatLinks(entry.chatId, { pinnedPersonId: personId });
      }
      const actor = `member:${input.memberId}`;
      await repository.resolveUnmatched(entry.id, { chosenPersonId: personId, resolvedBy: actor });
      await audit.record({
        workspaceId: input.workspaceId,
        companyId: company.id,
        actor,
        action: 'sync.unmatched_resolved',
        subjectType: 'chat',
        subjectId: entry.chatId,
        detail: { personId, reason: entry.reason, createdNew: !('personId' in input.choice) },
      });
      await deps.jobs.send(syncChatQueue, { chatId: entry.chatId });
      return { chatId: entry.chatId, personId };
    },

    /**
     * Pins a chat to a deal from the panel: the deal must be one the viewer may read with their
     * own grant, and the chat one of the viewer's company. Later messages follow that deal.
     */
    async pinDeal(viewer: { companyId: number; userId: number }, chatId: string, dealId: number) {
      const company = await createConnectionsRepository(deps.db).findCompany(viewer.companyId);
      const chat = await repository.findChat(chatId);
      if (chat === undefined || company?.workspaceId == null || chat.workspaceId !== company.workspaceId)
        throw createChatNotFoundError();
      const api = createIdentityRecords(await deps.pipedrive.forViewer(viewer, 'panel.pin'));
      const deal = await api.getDeal(dealId);
      if (deal === undefined) throw createDealNotFoundError();
      await repository.updateChatLinks(chatId, {
        pinnedDealId: deal.id,
        dealId: deal.id,
        leadId: null,
        ...(chat.personId === null && deal.personId !== null ? { personId: deal.personId } : {}),
      });
      await audit.record({
        workspaceId: chat.workspaceId,
        companyId: viewer.companyId,
        actor: `pipedrive_user:${viewer.companyId}:${viewer.userId}`,
        action: 'chat.pinned_to_deal',
        subjectType: 'chat',
        subjectId: chatId,
        detail: { dealId: deal.id, previousDealId: chat.dealId },
      });
      await deps.jobs.send(syncChatQueue, { chatId });
      return { chatId, dealId: deal.id };
    },
  };
}

export type ChatChoicesService = ReturnType<typeof createChatChoicesService>;
