import type { Phone, PipedriveState, User, VisibleTo } from '../state.ts';
import { badRequest } from './envelope.ts';
import { field, parse, type Body, type Strictness } from './validation.ts';

/** Checks shared by the record endpoints: referenced ids must exist in the caller's company. */

export function readOwnerId(
  state: PipedriveState,
  caller: User,
  body: Body,
  strictness: Strictness,
): number | undefined {
  const ownerId = field(body, 'owner_id', parse.integer, strictness);
  if (ownerId === undefined) return undefined;
  const owner = state.users.get(ownerId);
  if (!owner || owner.companyId !== caller.companyId || !owner.active) {
    throw badRequest('Validation failed: owner_id: user not found');
  }
  return ownerId;
}

export function readVisibleTo(body: Body, strictness: Strictness): VisibleTo | undefined {
  const value = field(body, 'visible_to', parse.integer, strictness);
  if (value === undefined) return undefined;
  if (![1, 3, 5, 7].includes(value)) throw badRequest('Validation failed: visible_to: must be one of 1, 3, 5, 7');
  return value as VisibleTo;
}

export function requireOrganization(state: PipedriveState, caller: User, orgId: number | null | undefined): void {
  if (orgId === undefined || orgId === null) return;
  const organization = state.organizations.get(orgId);
  if (!organization || organization.companyId !== caller.companyId || organization.isDeleted) {
    throw badRequest('Validation failed: org_id: organization not found');
  }
}

export function requirePerson(state: PipedriveState, caller: User, personId: number | null | undefined): void {
  if (personId === undefined || personId === null) return;
  const person = state.persons.get(personId);
  if (!person || person.companyId !== caller.companyId || person.isDeleted) {
    throw badRequest('Validation failed: person_id: person not found');
  }
}

export function requireDeal(state: PipedriveState, caller: User, dealId: number | null | undefined): void {
  if (dealId === undefined || dealId === null) return;
  const deal = state.deals.get(dealId);
  if (!deal || deal.companyId !== caller.companyId || deal.isDeleted) {
    throw badRequest('Validation failed: deal_id: deal not found');
  }
}

export function requireLead(state: PipedriveState, caller: User, leadId: string | null | undefined): void {
  if (leadId === undefined || leadId === null) return;
  const lead = state.leads.get(leadId);
  if (!lead || lead.companyId !== caller.companyId) throw badRequest('Validation failed: lead_id: lead not found');
}

/**
 * `phones` / `emails` of API v2 persons: `[{ value, label?, primary? }]`. Only `value` is required;
 * `label` defaults to `work`; at most one primary, and the first becomes primary when none is
 * (RD:pipedrive-api-v2-migration-guide).
 */
export function readContactList(body: Body, key: 'phones' | 'emails'): Phone[] | undefined {
  const raw = body[key];
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw badRequest(`Validation failed: ${key}: must be an array`);
  const items = raw.map((item: unknown, index): Phone => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw badRequest(`Validation failed: ${key}[${index}]: must be an object`);
    }
    const entry = item as Body;
    const value = field(entry, 'value', parse.string, 'strict');
    if (value === undefined || value.trim() === '')
      throw badRequest(`Validation failed: ${key}[${index}].value: required`);
    return {
      value,
      label: field(entry, 'label', parse.string, 'strict') ?? 'work',
      primary: field(entry, 'primary', parse.boolean, 'strict') ?? false,
    };
  });
  const primaries = items.filter((item) => item.primary).length;
  if (primaries > 1) throw badRequest(`Validation failed: ${key}: only one entry can be primary`);
  const [first] = items;
  if (primaries === 0 && first) first.primary = true;
  return items;
}

/** v2 `add_time`: RFC 3339. */
export function readRfc3339(body: Body, key: string): Date | undefined {
  const value = field(body, key, parse.string, 'strict');
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw badRequest(`Validation failed: ${key}: must be an RFC 3339 date-time`);
  }
  return new Date(value);
}

/** v1 timestamps: `YYYY-MM-DD HH:MM:SS` (UTC). */
export function readV1Time(body: Body, key: string): Date | undefined {
  const value = field(body, key, parse.string, 'loose');
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) {
    throw badRequest(`Validation failed: ${key}: must be YYYY-MM-DD HH:MM:SS`);
  }
  return new Date(`${value.replace(' ', 'T')}Z`);
}

/** `title` on update: may be omitted, never emptied. */
export function readTitle(body: Body, strictness: Strictness): string | undefined {
  const title = field(body, 'title', parse.string, strictness);
  if (title !== undefined && title.trim() === '') throw badRequest('Validation failed: title: must not be empty');
  return title;
}

export function splitName(name: string): { firstName: string | null; lastName: string | null } {
  const [first = null, ...rest] = name.trim().split(/\s+/);
  return { firstName: first, lastName: rest.length > 0 ? rest.join(' ') : null };
}
