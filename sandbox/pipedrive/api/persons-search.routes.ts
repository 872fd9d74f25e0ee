import type { PipedriveContext } from '../emulator.ts';
import type { Person } from '../state.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { paginateByCursor } from './pagination.ts';
import { SCOPES } from './scopes.ts';
import { serializePersonSearchItem } from './serializers/v2.ts';
import { queryBoolean, queryInteger, queryString, type Body } from './validation.ts';
import { isVisibleRecord } from './visibility.ts';

const SEARCH_FIELDS = ['name', 'email', 'phone', 'notes', 'custom_fields'] as const;
type SearchField = (typeof SEARCH_FIELDS)[number];

/**
 * `GET /api/v2/persons/search` (§4.2): `term` (≥2 characters, ≥1 with `exact_match`), `fields`,
 * `exact_match` (case-insensitive full match), `organization_id`, cursor pagination. It costs a
 * search and falls under the 10 requests / 2 s search limit.
 *
 * Phone matching (Pipedrive's own normalization is unconfirmed): both the term and each stored
 * number are reduced to their digits, so `+34 600 111 222`, `34600111222` and `+34-600-111-222`
 * are the same number. No country or trunk prefix is inferred: `600111222` or `0034600111222`
 * match `+34 600 111 222` only as a substring (without `exact_match`), never as an exact match.
 * So an app should search the E.164 digits it stores.
 */
export function registerPersonSearchEndpoint(endpoint: DefineEndpoint, { state }: PipedriveContext): void {
  endpoint({
    method: 'GET',
    url: '/v2/persons/search',
    version: 'v2',
    operation: 'search',
    scopes: SCOPES.personSearch,
    handler: ({ caller, query }) => {
      const search = readSearch(query);
      const organizationId = queryInteger(query, 'organization_id');
      const results = [...state.persons.values()]
        .filter((person) => isVisibleRecord(caller.user, person))
        .filter((person) => organizationId === undefined || person.orgId === organizationId)
        .map((person) => ({ person, score: scorePerson(person, search) }))
        .filter((result) => result.score > 0)
        .sort((a, b) => b.score - a.score || a.person.id - b.person.id);
      const { page, nextCursor } = paginateByCursor(results, query);
      return {
        success: true,
        data: {
          items: page.map(({ person, score }) => ({
            result_score: score,
            item: serializePersonSearchItem(state, person),
          })),
        },
        additional_data: { next_cursor: nextCursor },
      };
    },
  });
}

interface Search {
  term: string;
  exact: boolean;
  fields: SearchField[];
}

function readSearch(query: Body): Search {
  const term = queryString(query, 'term')?.trim() ?? '';
  const exact = queryBoolean(query, 'exact_match', 'strict') ?? false;
  if (term === '') throw badRequest('Validation failed: term: required');
  if (term.length < (exact ? 1 : 2)) throw badRequest('Validation failed: term: must be at least 2 characters');
  const fieldList = queryString(query, 'fields');
  const fields = fieldList === undefined ? [...SEARCH_FIELDS] : fieldList.split(',').map((name) => name.trim());
  for (const name of fields) {
    if (!(SEARCH_FIELDS as readonly string[]).includes(name)) {
      throw badRequest(`Validation failed: fields: must be a comma-separated list of ${SEARCH_FIELDS.join(', ')}`);
    }
  }
  return { term, exact, fields: fields as SearchField[] };
}

/** 1 for an exact match on some field, a smaller score for partial matches, 0 for none. */
function scorePerson(person: Person, search: Search): number {
  const scores = search.fields.flatMap((name) => candidates(person, name).map((value) => score(value, name, search)));
  return Math.max(0, ...scores);
}

function candidates(person: Person, name: SearchField): string[] {
  switch (name) {
    case 'name':
      return [person.name];
    case 'email':
      return person.emails.map((email) => email.value);
    case 'phone':
      return person.phones.map((phone) => phone.value);
    case 'custom_fields':
      return Object.values(person.customFields).filter((value): value is string => typeof value === 'string');
    default:
      return [];
  }
}

function score(value: string, name: SearchField, search: Search): number {
  const normalize = name === 'phone' ? digitsOf : (text: string) => text.toLowerCase();
  const stored = normalize(value);
  const term = normalize(search.term);
  if (term === '' || stored === '') return 0;
  if (stored === term) return 1;
  if (search.exact || !stored.includes(term)) return 0;
  return Math.round((term.length / stored.length) * 1000) / 1000;
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
