import type { AddPersonRequest, UpdatePersonRequest } from 'pipedrive/v2';
import type { PipedriveContext } from '../emulator.ts';
import type { Person, User } from '../state.ts';
import { readCustomFields } from './custom-fields.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { applyListQuery } from './list-query.ts';
import { paginateByCursor } from './pagination.ts';
import { announceCreated, updateRecord } from './record-changes.ts';
import {
  readContactList,
  readOwnerId,
  readRfc3339,
  readVisibleTo,
  requireOrganization,
  splitName,
} from './record-input.ts';
import { SCOPES } from './scopes.ts';
import { serializePersonV2 } from './serializers/v2.ts';
import {
  arrayOf,
  field,
  nullable,
  parse,
  pathId,
  readObjectBody,
  rejectUnknownFields,
  type Body,
} from './validation.ts';
import { isVisibleRecord, requireVisible } from './visibility.ts';

/** Fields of `AddPersonRequest` / `UpdatePersonRequest` (pipedrive@33.7.0), plus the documented first/last name. */
const PERSON_FIELDS = [
  'name',
  'first_name',
  'last_name',
  'owner_id',
  'org_id',
  'add_time',
  'emails',
  'phones',
  'visible_to',
  'label_ids',
  'custom_fields',
  // Contact-sync-only fields: accepted, not stored (the sandbox company has no contact sync).
  'postal_address',
  'notes',
  'im',
  'birthday',
  'job_title',
  'marketing_status',
] as const satisfies readonly (keyof AddPersonRequest | keyof UpdatePersonRequest | 'first_name' | 'last_name')[];

/** API v2 persons: list, get, create, patch. */
export function registerPersonEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;

  endpoint({
    method: 'GET',
    url: '/v2/persons',
    version: 'v2',
    operation: 'list',
    scopes: SCOPES.contactsRead,
    handler: ({ caller, query }) => {
      const persons = [...state.persons.values()].filter((person) => isVisibleRecord(caller.user, person));
      const filtered = applyListQuery(persons, query, {
        owner_id: (person) => person.ownerId,
        org_id: (person) => person.orgId,
      });
      const { page, nextCursor } = paginateByCursor(filtered, query);
      return { success: true, data: page.map(serializePersonV2), additional_data: { next_cursor: nextCursor } };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/persons/:id',
    version: 'v2',
    operation: 'get',
    scopes: SCOPES.contactsRead,
    handler: ({ caller, params }) => {
      const person = requireVisible(caller.user, state.persons.get(pathId(params)), 'Person');
      return { success: true, data: serializePersonV2(person) };
    },
  });

  endpoint({
    method: 'POST',
    url: '/v2/persons',
    version: 'v2',
    operation: 'create',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, PERSON_FIELDS);
      const name = readName(body);
      if (name === undefined) throw badRequest('Validation failed: name: required');
      const now = context.clock.now();
      const person: Person = {
        id: state.nextId('person'),
        companyId: caller.company.id,
        name,
        ...splitName(name),
        ownerId: caller.user.id,
        orgId: null,
        phones: [],
        emails: [],
        visibleTo: 3,
        labelIds: [],
        customFields: {},
        addTime: readRfc3339(body, 'add_time') ?? now,
        updateTime: now,
        isDeleted: false,
      };
      applyPersonInput(context, caller.user, person, body);
      state.persons.set(person.id, person);
      return { success: true, data: serializePersonV2(announceCreated(context, caller, 'person', person)) };
    },
  });

  endpoint({
    method: 'PATCH',
    url: '/v2/persons/:id',
    version: 'v2',
    operation: 'update',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, params, body: rawBody }) => {
      const person = requireVisible(caller.user, state.persons.get(pathId(params)), 'Person');
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, PERSON_FIELDS);
      const name = readName(body);
      const updated = updateRecord(context, caller, 'person', person, (draft) => {
        if (name !== undefined) Object.assign(draft, { name, ...splitName(name) });
        applyPersonInput(context, caller.user, draft, body);
      });
      return { success: true, data: serializePersonV2(updated) };
    },
  });
}

function readName(body: Body): string | undefined {
  const name = field(body, 'name', parse.string, 'strict');
  const first = field(body, 'first_name', parse.string, 'strict');
  const last = field(body, 'last_name', parse.string, 'strict');
  const combined = name ?? [first, last].filter((part) => part !== undefined && part.trim() !== '').join(' ');
  if (name === undefined && first === undefined && last === undefined) return undefined;
  if (combined.trim() === '') throw badRequest('Validation failed: name: must not be empty');
  return combined.trim();
}

/** Validates every field before touching `person` (a 400 leaves the record unchanged). */
function applyPersonInput(context: PipedriveContext, caller: User, person: Person, body: Body): void {
  const ownerId = readOwnerId(context.state, caller, body, 'strict');
  const orgId = field(body, 'org_id', nullable(parse.integer), 'strict');
  requireOrganization(context.state, caller, orgId);
  const phones = readContactList(body, 'phones');
  const emails = readContactList(body, 'emails');
  const visibleTo = readVisibleTo(body, 'strict');
  const labelIds = field(body, 'label_ids', arrayOf(parse.integer), 'strict');
  const customFields = readCustomFields(context.state, caller.companyId, 'person', body);
  if (ownerId !== undefined) person.ownerId = ownerId;
  if (orgId !== undefined) person.orgId = orgId;
  if (phones !== undefined) person.phones = phones;
  if (emails !== undefined) person.emails = emails;
  if (visibleTo !== undefined) person.visibleTo = visibleTo;
  if (labelIds !== undefined) person.labelIds = labelIds;
  if (customFields !== undefined) person.customFields = { ...person.customFields, ...customFields };
}
