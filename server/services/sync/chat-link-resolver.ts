import type { AuditAction } from '../../../contracts/audit-actions.ts';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { createIdentityRepository, type IdentityRepository } from '../../db/repositories/identity.repository.ts';
import { auditLog } from '../../db/schema/index.ts';
import type { Logger } from '../../logger.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { PipedriveApi } from '../pipedrive/pipedrive-api.ts';
import type { SyncSettings, SyncSettingsService } from '../settings/sync-settings.ts';
import type { ChatLinkResolution, ChatLinkResolver } from './chat-links.ts';
import { createIdentityRecords, type IdentityRecords, type OpenRecord } from './identity-records.ts';
import { ownerFor } from './owner-rule.ts';
import { normalizePhone, phoneTwin } from './phone-numbers.ts';
import { searchByPhone } from './phone-search.ts';
import { createOnce, settleIfPending } from './remote-effects.ts';

/** The budget meter's name for identity resolution and auto-creation calls. */
export const IDENTITY_FEATURE = 'sync.identity';

type ChatContext = NonNullable<Awaited<ReturnType<IdentityRepository['findChatContext']>>>;

interface Scope {
  companyId: number;
  workspaceId: string;
  chatId: string;
}

export interface ChatLinkResolverDeps {
  db: Db;
  pipedrive: PipedriveApi;
  syncSettings: SyncSettingsService;
  logger: Logger;
  /** Tests substitute a repository that fails at a chosen step (a job killed mid-way). */
  repository?: IdentityRepository;
}

/**
 * Identity resolution and auto-creation (product.md §4.1, §4.2): which Pipedrive person, and
 * which deal or lead, a chat belongs to. Every decision is written to the audit log; every
 * Pipedrive call runs on the company's org connection (`forCompany`).
 */
export function createChatLinkResolver(deps: ChatLinkResolverDeps) {
  const repository = deps.repository ?? createIdentityRepository(deps.db);
  const audit = createAuditLog(deps.db);

  const record = (scope: Scope, action: AuditAction, detail: Record<string, unknown>) =>
    audit.record({
      workspaceId: scope.workspaceId,
      companyId: scope.companyId,
      actor: 'system',
      action,
      subjectType: 'chat',
      subjectId: scope.chatId,
      detail,
    });

  /** A skip is audited once per reason, not on every message of a skipped chat. */
  async function skip(scope: Scope, reason: string, detail: Record<string, unknown> = {}): Promise<ChatLinkResolution> {
    const [last] = await deps.db
      .select({ action: auditLog.action, detail: auditLog.detail })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.companyId, scope.companyId),
          eq(auditLog.subjectType, 'chat'),
          eq(auditLog.subjectId, scope.chatId),
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(1);
    if (last?.action !== 'sync.skipped' || last.detail['reason'] !== reason)
      await record(scope, 'sync.skipped', { reason, ...detail });
    return { kind: 'skipped', reason };
  }

  async function linkPerson(scope: Scope, personId: number, e164: string | null, via: string): Promise<void> {
    await repository.updateChatLinks(scope.chatId, { personId });
    if (e164 !== null) await repository.cachePerson(scope.companyId, e164, personId);
    await record(scope, 'sync.person_linked', { personId, via });
  }

  async function resolvePerson(
    context: ChatContext,
    scope: Scope,
    settings: SyncSettings,
    records: () => Promise<IdentityRecords>,
    e164: string | null,
  ): Promise<number | ChatLinkResolution> {
    const { chat, contact } = context;
    if (chat.personId !== null) return chat.personId;
    if (chat.pinnedPersonId !== null) {
      await linkPerson(scope, chat.pinnedPersonId, null, 'pinned');
      return chat.pinnedPersonId;
    }
    if (e164 === null) {
      const reason = contact.isGroup ? 'group' : 'no_phone';
      const queued = await repository.queueUnmatched({ ...scope, reason, candidates: [] });
      if (queued)
        await record(scope, 'sync.unmatched', {
          reason,
          ...(contact.businessScopedId === null ? {} : { businessScopedId: contact.businessScopedId }),
        });
      return { kind: 'skipped', reason: `unmatched: ${reason}` };
    }
    const waiting = await repository.openUnmatched(scope.companyId, scope.chatId);
    if (waiting?.reason === 'several_matches') return { kind: 'skipped', reason: 'unmatched: awaiting a choice' };
    // Queued for want of a number, which is now known: the search below decides.
    if (waiting !== undefined)
      await repository.resolveUnmatched(waiting.id, { chosenPersonId: null, resolvedBy: 'system' });

    const twin = phoneTwin(e164);
    const cached = await repository.cachedPerson(scope.companyId, twin === null ? [e164] : [e164, twin]);
    if (cached !== undefined) {
      await linkPerson(scope, cached, null, 'cache');
      return cached;
    }
    const api = await records();
    const holders = await searchByPhone(api, e164);
    const [only] = holders;
    if (holders.length === 1 && only !== undefined) {
      await settleIfPending(repository, { ...scope, kind: 'person.create' }, only.id);
      await linkPerson(scope, only.id, e164, 'phone_search');
      return only.id;
    }
    if (holders.length > 1) {
      const candidates = holders.map((person) => ({ id: person.id, name: person.name, phones: person.phones }));
      if (await repository.queueUnmatched({ ...scope, reason: 'several_matches', candidates }))
        await record(scope, 'sync.unmatched', { reason: 'several_matches', personIds: holders.map((p) => p.id) });
      return { kind: 'skipped', reason: 'unmatched: several persons have this number' };
    }
    if (!settings.autoCreatePersons) return skip(scope, 'no_person_and_auto_create_off', { e164 });
    return createPersonFor(context, scope, settings, api, e164);
  }

  async function createPersonFor(
    context: ChatContext,
    scope: Scope,
    settings: SyncSettings,
    api: IdentityRecords,
    e164: string | null,
  ): Promise<number> {
    const ownerId = await ownerFor(repository, {
      companyId: scope.companyId,
      chatId: scope.chatId,
      channelOwnerMemberId: context.channel.ownerMemberId,
      settings,
    });
    const name =
      context.contact.profileName?.trim() || e164 || `WhatsApp user ${context.contact.businessScopedId ?? ''}`.trim();
    const { id, created } = await createOnce(
      repository,
      { companyId: scope.companyId, chatId: scope.chatId, kind: 'person.create' },
      {
        lookup: async () => (e164 === null ? undefined : (await searchByPhone(api, e164))[0]?.id),
        create: () => api.createPerson({ name, e164, ownerId }),
        parse: Number,
      },
    );
    await repository.updateChatLinks(scope.chatId, { personId: id });
    if (e164 !== null) await repository.cachePerson(scope.companyId, e164, id);
    await record(scope, created ? 'sync.person_created' : 'sync.person_linked', {
      personId: id,
      ...(created ? { ownerId, name } : { via: 'earlier_attempt' }),
    });
    return id;
  }

  async function resolveDealOrLead(
    context: ChatContext,
    scope: Scope,
    settings: SyncSettings,
    personId: number,
    records: () => Promise<IdentityRecords>,
    e164: string | null,
  ): Promise<{ dealId: number | null; leadId: string | null }> {
    const { chat } = context;
    if (chat.pinnedDealId !== null) return { dealId: chat.pinnedDealId, leadId: null };
    if (chat.dealId !== null || chat.leadId !== null) return { dealId: chat.dealId, leadId: chat.leadId };
    if (settings.createOnNewChat === 'nothing') return { dealId: null, leadId: null };
    const api = await records();
    const ownerId = await ownerFor(repository, {
      companyId: scope.companyId,
      chatId: scope.chatId,
      channelOwnerMemberId: context.channel.ownerMemberId,
      settings,
    });
    const title = (template: string) =>
      template
        .replaceAll('{{contact_name}}', context.contact.profileName?.trim() || e164 || 'WhatsApp contact')
        .replaceAll('{{phone}}', e164 ?? '')
        .slice(0, 255);

    /**
     * Never a second open one for the person: an open deal or lead (also one an earlier, killed
     * attempt made) is linked; otherwise one is created, once.
     */
    async function openOrCreate<Id extends number | string>(
      kind: 'deal' | 'lead',
      listOpen: () => Promise<OpenRecord<Id>[]>,
      create: () => Promise<Id>,
      parse: (remoteId: string) => Id,
    ): Promise<Id> {
      const [open] = await listOpen();
      if (open !== undefined) await settleIfPending(repository, { ...scope, kind: `${kind}.create` }, open.id);
      const { id, created }: { id: Id; created: boolean } =
        open !== undefined
          ? { id: open.id, created: false }
          : await createOnce<Id>(
              repository,
              { companyId: scope.companyId, chatId: scope.chatId, kind: `${kind}.create` },
              { lookup: async () => (await listOpen())[0]?.id, create, parse },
            );
      await record(scope, `sync.${kind}_${created ? 'created' : 'linked'}`, { [`${kind}Id`]: id, personId });
      return id;
    }

    if (settings.createOnNewChat === 'deal') {
      const dealId = await openOrCreate(
        'deal',
        () => api.listOpenDeals(personId),
        () =>
          api.createDeal({
            title: title(settings.dealTitleTemplate),
            personId,
            ownerId,
            pipelineId: settings.dealPipelineId,
            stageId: settings.dealStageId,
          }),
        Number,
      );
      await repository.updateChatLinks(scope.chatId, { dealId });
      return { dealId, leadId: null };
    }
    const leadId = await openOrCreate(
      'lead',
      () => api.listOpenLeads(personId),
      () =>
        api.createLead({ title: title(settings.leadTitleTemplate), personId, ownerId, labelId: settings.leadLabelId }),
      String,
    );
    await repository.updateChatLinks(scope.chatId, { leadId });
    return { dealId: null, leadId };
  }

  const resolver: ChatLinkResolver & {
    /** Creates the person for a chat now (the unmatched queue's "create new"), idempotently. */
    createPersonForChat(chatId: string): Promise<number>;
  } = {
    async resolve(chatId) {
      const context = await repository.findChatContext(chatId);
      if (context === undefined) return { kind: 'skipped', reason: 'chat not found' };
      const { chat, contact, company } = context;
      if (company === null || company.status !== 'connected')
        return { kind: 'skipped', reason: 'the workspace has no Pipedrive connection' };
      const scope = { companyId: company.id, workspaceId: chat.workspaceId, chatId };
      const settings = await deps.syncSettings.get(company.id);
      if (contact.isGroup && settings.skipGroups) return skip(scope, 'group_chat');
      const e164 = contact.isGroup
        ? null
        : (contact.e164 ?? (contact.waId === null ? null : normalizePhone(contact.waId)));
      if (e164 !== null && isExcluded(e164, settings.exclusions)) return skip(scope, 'excluded_number', { e164 });

      let records: IdentityRecords | undefined;
      const lazyRecords = async () =>
        (records ??= createIdentityRecords(await deps.pipedrive.forCompany(company.id, IDENTITY_FEATURE)));
      const person = await resolvePerson(context, scope, settings, lazyRecords, e164);
      if (typeof person !== 'number') return person;
      const target = await resolveDealOrLead(context, scope, settings, person, lazyRecords, e164);
      return { kind: 'linked', personId: person, ...target };
    },

    async createPersonForChat(chatId) {
      const context = await repository.findChatContext(chatId);
      if (context?.company == null) throw new Error(`chat ${chatId} has no Pipedrive company`);
      const { chat, contact, company } = context;
      const e164 = contact.e164 ?? (contact.waId === null ? null : normalizePhone(contact.waId));
      const scope = { companyId: company.id, workspaceId: chat.workspaceId, chatId };
      const settings = await deps.syncSettings.get(company.id);
      const api = createIdentityRecords(await deps.pipedrive.forCompany(company.id, IDENTITY_FEATURE));
      return createPersonFor(context, scope, settings, api, e164);
    },
  };
  return resolver;
}

export type ChatLinkResolverService = ReturnType<typeof createChatLinkResolver>;

/** Exclusions are E.164 numbers or prefixes (`+1800`); a twin form is excluded with its number. */
export function isExcluded(e164: string, exclusions: readonly string[]): boolean {
  const twin = phoneTwin(e164);
  return exclusions.some((entry) => e164.startsWith(entry) || (twin !== null && twin.startsWith(entry)));
}
