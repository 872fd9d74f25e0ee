import type { PipedriveContext } from '../emulator.ts';
import type { PipedriveKnobs } from '../knobs.ts';
import type { Person } from '../state.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { paginateByCursor } from './pagination.ts';
import { bestScore } from './search-match.ts';
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
 * Phone matching follows the `phoneSearch` knob (knobs.ts; Pipedrive's own normalization is
 * unconfirmed): `literal` compares the text as stored, `digits` reduces both sides to digits. No
 * country or trunk prefix is ever inferred, so `0034600111222` never exactly matches `+34 600 111 222`.
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
        .map((person) => ({ person, score: scorePerson(person, search, state.knobs.phoneSearch) }))
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

function scorePerson(person: Person, search: Search, phoneSearch: PipedriveKnobs['phoneSearch']): number {
  const values = search.fields.flatMap((name) =>
    candidates(person, name).map((value) => ({
      value,
      kind: name === 'phone' ? ('phone' as const) : ('text' as const),
    })),
  );
  return bestScore(values, { term: search.term, exact: search.exact, phoneSearch });
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
