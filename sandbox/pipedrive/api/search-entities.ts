import type { PipedriveState, User } from '../state.ts';
import type {
  DealSearchItemV2,
  LeadSearchItemV2,
  OrganizationSearchItemV2,
  PersonSearchItemV2,
} from './serializers/v2.ts';
import { isVisibleRecord } from './visibility.ts';

/**
 * What the search endpoints can find: every record the viewer may see, as a candidate that knows
 * its values per searchable field (phones flagged, so the `phoneSearch` knob applies) and its item
 * as search results show it (shapes of the `pipedrive@33.7.0` v2 search models).
 */
export type SearchType = 'person' | 'deal' | 'lead' | 'organization';
export interface SearchValue {
  value: string;
  kind: 'text' | 'phone';
}

export interface Candidate {
  type: SearchType;
  id: number | string;
  /** `name` or `title`, what `itemSearch/field` results carry. */
  label: { key: 'name' | 'title'; value: string };
  /** Links used for `search_for_related_items`. */
  personId: number | null;
  orgId: number | null;
  /** Deals' status (the `status` filter of `deals/search`); null for other types. */
  status: string | null;
  /** Values of a `fields` name (`notes`, `custom_fields`, `phone`…) or of a field key (`itemSearch/field`). */
  values(field: string): SearchValue[];
  item(): PersonSearchItemV2 | DealSearchItemV2 | LeadSearchItemV2 | OrganizationSearchItemV2;
}

/** The `fields` each search endpoint accepts for a type (the client's request models). */
export const SEARCH_FIELDS: Record<SearchType, readonly string[]> = {
  person: ['name', 'email', 'phone', 'notes', 'custom_fields'],
  deal: ['title', 'notes', 'custom_fields'],
  lead: ['title', 'notes', 'custom_fields'],
  organization: ['name', 'address', 'notes', 'custom_fields'],
};

export function searchCandidates(state: PipedriveState, viewer: User, type: SearchType): Candidate[] {
  const notesOf = (matches: (note: NoteLinks) => boolean) => noteValues(state, viewer, matches);
  const named = (id: number | null, map: Map<number, { id: number; name: string }>) => {
    const record = id === null ? undefined : map.get(id);
    return record ? { id: record.id, name: record.name } : null;
  };
  switch (type) {
    case 'person':
      return [...state.persons.values()]
        .filter((record) => isVisibleRecord(viewer, record))
        .map((record) => ({
          type,
          id: record.id,
          label: { key: 'name', value: record.name },
          personId: record.id,
          orgId: record.orgId,
          status: null,
          values: (field) =>
            pick(field, record.customFields, {
              name: text(record.name),
              email: record.emails.map(({ value }) => ({ value, kind: 'text' as const })),
              phone: record.phones.map(({ value }) => ({ value, kind: 'phone' as const })),
              notes: () => notesOf((note) => note.personId === record.id),
            }),
          item: () =>
            ({
              id: record.id,
              type,
              name: record.name,
              phones: record.phones.map((phone) => phone.value),
              emails: record.emails.map((email) => email.value),
              visible_to: record.visibleTo,
              owner: { id: record.ownerId },
              organization: named(record.orgId, state.organizations),
              custom_fields: [],
              notes: [],
            }) satisfies PersonSearchItemV2,
        }));
    case 'deal':
      return [...state.deals.values()]
        .filter((record) => isVisibleRecord(viewer, record))
        .map((record) => ({
          type,
          id: record.id,
          label: { key: 'title', value: record.title },
          personId: record.personId,
          orgId: record.orgId,
          status: record.status,
          values: (field) =>
            pick(field, record.customFields, {
              title: text(record.title),
              notes: () => notesOf((note) => note.dealId === record.id),
            }),
          item: () => {
            const stage = state.stages.get(record.stageId);
            return {
              id: record.id,
              type,
              title: record.title,
              value: record.value,
              currency: record.currency,
              status: record.status,
              visible_to: record.visibleTo,
              owner: { id: record.ownerId },
              stage: stage ? { id: stage.id, name: stage.name } : null,
              person: named(record.personId, state.persons),
              organization: named(record.orgId, state.organizations),
              custom_fields: [],
              notes: [],
              is_archived: false,
            } satisfies DealSearchItemV2;
          },
        }));
    case 'lead':
      return [...state.leads.values()]
        .filter((record) => isVisibleRecord(viewer, record))
        .map((record) => ({
          type,
          id: record.id,
          label: { key: 'title', value: record.title },
          personId: record.personId,
          orgId: record.organizationId,
          status: null,
          values: (field) =>
            pick(field, {}, { title: text(record.title), notes: () => notesOf((note) => note.leadId === record.id) }),
          item: () => {
            const person = record.personId === null ? undefined : state.persons.get(record.personId);
            return {
              id: record.id,
              type,
              title: record.title,
              owner: { id: record.ownerId },
              person: named(record.personId, state.persons),
              organization: named(record.organizationId, state.organizations),
              phones: person?.phones.map((phone) => phone.value) ?? [],
              emails: person?.emails.map((email) => email.value) ?? [],
              custom_fields: [],
              notes: [],
              value: record.value?.amount ?? null,
              currency: record.value?.currency ?? null,
              visible_to: record.visibleTo,
              is_archived: record.isArchived,
            } satisfies LeadSearchItemV2;
          },
        }));
    case 'organization':
      return [...state.organizations.values()]
        .filter((record) => isVisibleRecord(viewer, record))
        .map((record) => ({
          type,
          id: record.id,
          label: { key: 'name', value: record.name },
          personId: null,
          orgId: record.id,
          status: null,
          values: (field) =>
            pick(field, record.customFields, {
              name: text(record.name),
              address: text(record.address),
              notes: () => notesOf((note) => note.orgId === record.id),
            }),
          item: () =>
            ({
              id: record.id,
              type,
              name: record.name,
              address: record.address,
              visible_to: record.visibleTo,
              owner: { id: record.ownerId },
              custom_fields: [],
              notes: [],
            }) satisfies OrganizationSearchItemV2,
        }));
  }
}

interface NoteLinks {
  dealId: number | null;
  personId: number | null;
  orgId: number | null;
  leadId: string | null;
}

function text(value: string | null): SearchValue[] {
  return value ? [{ value, kind: 'text' }] : [];
}

/**
 * A field's values: a built-in field, every custom value (`custom_fields`: only text and numbers
 * are searchable, as Pipedrive documents), or one custom field by its key (`itemSearch/field`).
 */
function pick(
  field: string,
  customFields: Record<string, unknown>,
  builtIn: Record<string, SearchValue[] | (() => SearchValue[])>,
): SearchValue[] {
  const own = builtIn[field];
  if (own !== undefined) return typeof own === 'function' ? own() : own;
  const searchable = (value: unknown): SearchValue[] =>
    typeof value === 'string' || typeof value === 'number' ? [{ value: String(value), kind: 'text' }] : [];
  if (field === 'custom_fields') return Object.values(customFields).flatMap(searchable);
  return Object.hasOwn(customFields, field) ? searchable(customFields[field]) : [];
}

/** Notes are searched by their text without markup, and only those the viewer may see. */
function noteValues(state: PipedriveState, viewer: User, matches: (note: NoteLinks) => boolean): SearchValue[] {
  return [...state.notes.values()]
    .filter((note) => note.companyId === viewer.companyId && note.activeFlag && matches(note))
    .map((note) => ({
      value: note.content
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
      kind: 'text',
    }));
}
