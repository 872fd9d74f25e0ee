import type { AuditAction } from '../../../contracts/audit-actions.ts';
import type { IdentityRepository } from '../../db/repositories/identity.repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { normalizePhone } from './phone-numbers.ts';

/** The parts of a v2 webhook body Parley reads. */
export interface PipedriveWebhookEvent {
  meta: {
    id: string;
    action: string;
    entity: string;
    entity_id: string;
    company_id?: string;
    merged_to_id?: string;
  };
  data: Record<string, unknown> | null;
  previous: Record<string, unknown> | null;
}

/** Reads a webhook body; undefined when it is not a v2 event Parley can use. */
export function readWebhookEvent(body: unknown): PipedriveWebhookEvent | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { meta, data, previous } = body as Record<string, unknown>;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const fields = meta as Record<string, unknown>;
  const text = (key: string) =>
    typeof fields[key] === 'string' || typeof fields[key] === 'number' ? String(fields[key]) : undefined;
  const id = text('id');
  const action = text('action');
  const entity = text('entity');
  const entityId = text('entity_id');
  if (id === undefined || id.length > 200 || action === undefined || entity === undefined || entityId === undefined)
    return undefined;
  const object = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const companyId = text('company_id');
  const mergedToId = text('merged_to_id');
  return {
    meta: {
      id,
      action,
      entity,
      entity_id: entityId,
      ...(companyId === undefined ? {} : { company_id: companyId }),
      ...(mergedToId === undefined ? {} : { merged_to_id: mergedToId }),
    },
    data: object(data),
    previous: object(previous),
  };
}

/**
 * Applies a Pipedrive event to what Parley keeps: a deleted person unlinks its chats (a merged one
 * relinks them, and its cached numbers, to the survivor); a person's changed phones replace its
 * cache entries; a deleted deal or lead unlinks its chats so a new one may be created per
 * settings; a deal marked won or lost releases the chats Parley linked to it (not those a user
 * pinned), so the next message of a returning customer finds or creates an open one. Records
 * Parley created and that are now gone or closed are forgotten as effects too.
 */
export async function applyWebhookEvent(
  deps: { identity: IdentityRepository; audit: AuditLog },
  scope: { companyId: number; workspaceId: string },
  event: PipedriveWebhookEvent,
): Promise<void> {
  const { identity, audit } = deps;
  const { companyId, workspaceId } = scope;
  const entityId = event.meta.entity_id;
  const record = (action: AuditAction, detail: Record<string, unknown>) =>
    audit.record({
      workspaceId,
      companyId,
      actor: 'pipedrive',
      action,
      subjectType: event.meta.entity,
      subjectId: entityId,
      detail,
    });

  if (event.meta.entity === 'person') {
    const personId = Number(entityId);
    if (!Number.isSafeInteger(personId)) return;
    if (event.meta.action === 'delete') {
      const mergedTo = event.meta.merged_to_id === undefined ? undefined : Number(event.meta.merged_to_id);
      const chats = await identity.chatsOfPerson(workspaceId, personId);
      for (const chat of chats) {
        await identity.updateChatLinks(chat.id, {
          personId: chat.personId === personId ? (mergedTo ?? null) : chat.personId,
          pinnedPersonId: chat.pinnedPersonId === personId ? (mergedTo ?? null) : chat.pinnedPersonId,
        });
      }
      if (mergedTo === undefined) await identity.forgetPerson(companyId, personId);
      else
        for (const e164 of await identity.cachedNumbersOf(companyId, personId))
          await identity.cachePerson(companyId, e164, mergedTo);
      await identity.forgetEffectsOf(companyId, 'person.create', String(personId));
      await record(mergedTo === undefined ? 'sync.person_unlinked' : 'sync.person_relinked', {
        chats: chats.length,
        ...(mergedTo === undefined ? {} : { mergedTo }),
      });
      return;
    }
    if (
      event.meta.action === 'change' &&
      event.data !== null &&
      event.previous !== null &&
      'phones' in event.previous
    ) {
      const phones = Array.isArray(event.data['phones']) ? (event.data['phones'] as unknown[]) : [];
      const numbers = phones
        .map((phone) => (typeof phone === 'object' && phone !== null ? (phone as { value?: unknown }).value : phone))
        .filter((value): value is string => typeof value === 'string')
        .map((value) => normalizePhone(value))
        .filter((value): value is string => value !== null);
      await identity.forgetPerson(companyId, personId);
      for (const e164 of numbers) await identity.cachePerson(companyId, e164, personId);
      await record('sync.phone_cache_updated', { personId, numbers: numbers.length });
    }
    return;
  }
  if (event.meta.entity === 'deal' && event.meta.action === 'change') {
    const dealId = Number(entityId);
    const status = event.data?.['status'];
    const closed = (status === 'won' || status === 'lost') && event.previous !== null && 'status' in event.previous;
    if (!Number.isSafeInteger(dealId) || !closed) return;
    const chats = (await identity.chatsOfDeal(workspaceId, dealId)).filter((chat) => chat.dealId === dealId);
    for (const chat of chats) await identity.updateChatLinks(chat.id, { dealId: null });
    await identity.forgetEffectsOf(companyId, 'deal.create', String(dealId));
    await record('sync.deal_closed', { status, chats: chats.length });
    return;
  }
  if (event.meta.action !== 'delete') return;
  if (event.meta.entity === 'deal') {
    const dealId = Number(entityId);
    if (!Number.isSafeInteger(dealId)) return;
    const chats = await identity.chatsOfDeal(workspaceId, dealId);
    for (const chat of chats) {
      await identity.updateChatLinks(chat.id, {
        dealId: chat.dealId === dealId ? null : chat.dealId,
        pinnedDealId: chat.pinnedDealId === dealId ? null : chat.pinnedDealId,
      });
    }
    await identity.forgetEffectsOf(companyId, 'deal.create', String(dealId));
    await record('sync.deal_unlinked', { chats: chats.length });
  } else if (event.meta.entity === 'lead') {
    const chats = await identity.chatsOfLead(workspaceId, entityId);
    for (const chat of chats) await identity.updateChatLinks(chat.id, { leadId: null });
    await identity.forgetEffectsOf(companyId, 'lead.create', entityId);
    await record('sync.lead_unlinked', { chats: chats.length });
  }
}
