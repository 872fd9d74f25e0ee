import type { PipedriveContext } from '../emulator.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { paginateByCursor } from './pagination.ts';
import { SCOPES } from './scopes.ts';
import { SEARCH_FIELDS, searchCandidates, type Candidate, type SearchType } from './search-entities.ts';
import { bestScore, normalizer, type MatchOptions } from './search-match.ts';
import { queryBoolean, queryInteger, queryString, type Body } from './validation.ts';

/**
 * The v2 search endpoints (§4.2): `persons/search`, `deals/search`, `leads/search`,
 * `organizations/search`, `itemSearch` and `itemSearch/field`. Each costs a search and falls under
 * the 10 requests / 2 s search limit. `term` needs ≥2 characters (≥1 with an exact match);
 * `exact_match` is a case-insensitive full match, otherwise a substring matches with a score below
 * 1. Phones follow the `phoneSearch` knob (knobs.ts). Results are ordered by score, then id.
 */
export function registerSearchEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;
  const matchOptions = (search: { term: string; exact: boolean }): MatchOptions => ({
    ...search,
    phoneSearch: state.knobs.phoneSearch,
  });

  /** One type's search endpoint: its `fields`, filters and cursor pagination. */
  const typeSearch = (
    type: SearchType,
    url: string,
    scopes: readonly string[],
    filters: Record<string, (candidate: Candidate, value: string) => boolean>,
  ) =>
    endpoint({
      method: 'GET',
      url,
      version: 'v2',
      operation: 'search',
      scopes,
      handler: ({ caller, query }) => {
        const search = readSearch(query, SEARCH_FIELDS[type]);
        const active = Object.entries(filters).flatMap(([key, test]) => {
          const value = key === 'status' ? queryString(query, key) : queryInteger(query, key)?.toString();
          return value === undefined ? [] : [(candidate: Candidate) => test(candidate, value)];
        });
        const candidates = searchCandidates(state, caller.user, type).filter((candidate) =>
          active.every((test) => test(candidate)),
        );
        const { page, nextCursor } = paginateByCursor(rank(candidates, search.fields, matchOptions(search)), query);
        return {
          success: true,
          data: { items: page.map(({ candidate, score }) => ({ result_score: score, item: candidate.item() })) },
          additional_data: { next_cursor: nextCursor },
        };
      },
    });

  const byPerson = (candidate: Candidate, value: string) => String(candidate.personId) === value;
  const byOrganization = (candidate: Candidate, value: string) => String(candidate.orgId) === value;
  typeSearch('person', '/v2/persons/search', SCOPES.personSearch, { organization_id: byOrganization });
  typeSearch('deal', '/v2/deals/search', SCOPES.dealSearch, {
    person_id: byPerson,
    organization_id: byOrganization,
    status: (candidate, value) => {
      if (!['open', 'won', 'lost'].includes(value))
        throw badRequest('Validation failed: status: must be one of open, won, lost');
      return candidate.status === value;
    },
  });
  typeSearch('lead', '/v2/leads/search', SCOPES.leadSearch, { person_id: byPerson, organization_id: byOrganization });
  typeSearch('organization', '/v2/organizations/search', SCOPES.organizationSearch, {});

  endpoint({
    method: 'GET',
    url: '/v2/itemSearch',
    version: 'v2',
    operation: 'search',
    scopes: SCOPES.itemSearch,
    handler: ({ caller, query }) => {
      const types = readItemTypes(query);
      const search = readSearch(query, ITEM_SEARCH_FIELDS);
      // The documented maximum page size of itemSearch is 100, not 500.
      if ((queryInteger(query, 'limit') ?? 0) > 100)
        throw badRequest('Validation failed: limit: must be between 1 and 100');
      const pool = types.flatMap((type) => searchCandidates(state, caller.user, type));
      const ranked = types.flatMap((type) =>
        rank(
          pool.filter((candidate) => candidate.type === type),
          search.fields.filter((name) => SEARCH_FIELDS[type].includes(name)),
          matchOptions(search),
        ),
      );
      ranked.sort((a, b) => b.score - a.score || String(a.candidate.id).localeCompare(String(b.candidate.id)));
      const { page, nextCursor } = paginateByCursor(ranked, query);
      const related =
        queryBoolean(query, 'search_for_related_items', 'strict') === true
          ? relatedItems(
              page.map(({ candidate }) => candidate),
              [
                ...searchCandidates(state, caller.user, 'deal'),
                ...searchCandidates(state, caller.user, 'lead'),
                ...searchCandidates(state, caller.user, 'person'),
              ],
            )
          : [];
      return {
        success: true,
        data: {
          items: page.map(({ candidate, score }) => ({ result_score: score, item: candidate.item() })),
          related_items: related.map((candidate) => ({ item: candidate.item() })),
        },
        additional_data: { next_cursor: nextCursor },
      };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/itemSearch/field',
    version: 'v2',
    operation: 'search',
    scopes: SCOPES.itemSearch,
    handler: ({ caller, query }) => {
      const match = queryString(query, 'match') ?? 'exact';
      if (!['exact', 'beginning', 'middle'].includes(match)) {
        throw badRequest('Validation failed: match: must be one of exact, beginning, middle');
      }
      const term = readTerm(query, match === 'exact');
      const entityType = queryString(query, 'entity_type');
      if (entityType === undefined) throw badRequest('Validation failed: entity_type: required');
      if (!FIELD_SEARCH_TYPES.includes(entityType)) {
        throw badRequest(`Validation failed: entity_type: must be one of ${FIELD_SEARCH_TYPES.join(', ')}`);
      }
      const fieldKey = queryString(query, 'field');
      if (fieldKey === undefined || fieldKey === '') throw badRequest('Validation failed: field: required');
      const candidates = isEmulatedType(entityType) ? searchCandidates(state, caller.user, entityType) : [];
      const found = candidates.filter((candidate) =>
        candidate
          .values(fieldKey)
          .some(({ value, kind }) => fieldMatches(value, kind, term, match, state.knobs.phoneSearch)),
      );
      const { page, nextCursor } = paginateByCursor(found, query);
      return {
        success: true,
        data: page.map((candidate) => ({ id: candidate.id, [candidate.label.key]: candidate.label.value })),
        additional_data: { next_cursor: nextCursor },
      };
    },
  });
}

const ITEM_TYPES = ['deal', 'person', 'organization', 'product', 'lead', 'file', 'mail_attachment', 'project'] as const;
const ITEM_SEARCH_FIELDS = [
  'address',
  'code',
  'custom_fields',
  'email',
  'name',
  'notes',
  'phone',
  'title',
  'description',
];
const FIELD_SEARCH_TYPES = ['deal', 'lead', 'person', 'organization', 'product', 'project'];
const EMULATED_TYPES: readonly SearchType[] = ['deal', 'person', 'organization', 'lead'];

function isEmulatedType(type: string): type is SearchType {
  return (EMULATED_TYPES as readonly string[]).includes(type);
}

/** Products, files, mail attachments and projects are valid types with nothing in the sandbox to find. */
function readItemTypes(query: Body): SearchType[] {
  const list = queryString(query, 'item_types');
  const names = list === undefined ? [...ITEM_TYPES] : list.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(ITEM_TYPES as readonly string[]).includes(name)) {
      throw badRequest(`Validation failed: item_types: must be a comma-separated list of ${ITEM_TYPES.join(', ')}`);
    }
  }
  return names.filter(isEmulatedType);
}

interface Search {
  term: string;
  exact: boolean;
  fields: string[];
}

function readTerm(query: Body, exact: boolean): string {
  const term = queryString(query, 'term')?.trim() ?? '';
  if (term === '') throw badRequest('Validation failed: term: required');
  if (term.length < (exact ? 1 : 2)) throw badRequest('Validation failed: term: must be at least 2 characters');
  return term;
}

function readSearch(query: Body, allowed: readonly string[]): Search {
  const exact = queryBoolean(query, 'exact_match', 'strict') ?? false;
  const term = readTerm(query, exact);
  const fieldList = queryString(query, 'fields');
  const fields = fieldList === undefined ? [...allowed] : fieldList.split(',').map((name) => name.trim());
  for (const name of fields) {
    if (!allowed.includes(name)) {
      throw badRequest(`Validation failed: fields: must be a comma-separated list of ${allowed.join(', ')}`);
    }
  }
  return { term, exact, fields };
}

function rank(candidates: Candidate[], fields: string[], options: MatchOptions) {
  return candidates
    .map((candidate) => ({
      candidate,
      score: bestScore(
        fields.flatMap((name) => candidate.values(name)),
        options,
      ),
    }))
    .filter((result) => result.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score || String(a.candidate.id).localeCompare(String(b.candidate.id), 'en', { numeric: true }),
    );
}

/**
 * `search_for_related_items`: the newest (up to 100 each) deals and leads of each person and
 * organization found, and the persons of each organization found; not repeating found items.
 */
function relatedItems(found: Candidate[], others: Candidate[]): Candidate[] {
  const seen = new Set(found.map((candidate) => `${candidate.type}:${candidate.id}`));
  const related: Candidate[] = [];
  for (const hit of found.filter((candidate) => candidate.type === 'person' || candidate.type === 'organization')) {
    const link = hit.type === 'person' ? 'personId' : 'orgId';
    for (const type of hit.type === 'person' ? (['deal', 'lead'] as const) : (['deal', 'lead', 'person'] as const)) {
      const linked = others
        .filter((candidate) => candidate.type === type && candidate[link] === hit.id)
        .slice(-100)
        .reverse();
      for (const candidate of linked) {
        const key = `${candidate.type}:${candidate.id}`;
        if (!seen.has(key)) related.push(candidate);
        seen.add(key);
      }
    }
  }
  return related;
}

/** `itemSearch/field` is case-sensitive (the API reference says so); phones follow the knob. */
function fieldMatches(
  value: string,
  kind: 'text' | 'phone',
  term: string,
  match: string,
  phoneSearch: MatchOptions['phoneSearch'],
): boolean {
  const normalize = normalizer(kind, phoneSearch, true);
  const stored = normalize(value);
  const wanted = normalize(term);
  if (wanted === '') return false;
  if (match === 'exact') return stored === wanted;
  if (match === 'beginning') return stored.startsWith(wanted);
  return stored.includes(wanted);
}
