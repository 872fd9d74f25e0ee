import type { AddLeadRequest, UpdateLeadRequest } from 'pipedrive/v1';
import { randomUUID } from 'node:crypto';
import type { PipedriveContext } from '../emulator.ts';
import type { Lead, User } from '../state.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, notFound } from './envelope.ts';
import { paginateByOffset } from './pagination.ts';
import { announceCreated, updateRecord } from './record-changes.ts';
import { readOwnerId, readTitle, readVisibleTo, requireOrganization, requirePerson } from './record-input.ts';
import { SCOPES } from './scopes.ts';
import { serializeLeadLabelV1, serializeLeadV1 } from './serializers/v1.ts';
import {
  arrayOf,
  field,
  nullable,
  parse,
  queryInteger,
  queryString,
  readObjectBody,
  rejectUnknownFields,
  requiredField,
  type Body,
} from './validation.ts';
import { isVisibleRecord } from './visibility.ts';

/** Fields of `AddLeadRequest` / `UpdateLeadRequest` (pipedrive@33.7.0). */
const LEAD_FIELDS = [
  'title',
  'owner_id',
  'label_ids',
  'person_id',
  'organization_id',
  'value',
  'expected_close_date',
  'visible_to',
  'was_seen',
  'origin_id',
  'channel',
  'channel_id',
  'is_archived',
] as const satisfies readonly (keyof AddLeadRequest | keyof UpdateLeadRequest)[];

/** API v1 leads (create, list, get, patch) and lead labels. Leads have UUID ids. */
export function registerLeadEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;
  const visibleLead = (caller: User, id: string | undefined): Lead => {
    const lead = id === undefined ? undefined : state.leads.get(id);
    if (!lead || !isVisibleRecord(caller, lead)) throw notFound('Lead not found');
    return lead;
  };

  endpoint({
    method: 'POST',
    url: '/v1/leads',
    version: 'v1',
    operation: 'create',
    scopes: SCOPES.leadsFull,
    status: 201,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      rejectUnknownFields(
        body,
        LEAD_FIELDS.filter((name) => name !== 'is_archived'),
      );
      const now = context.clock.now();
      const lead: Lead = {
        id: randomUUID(),
        companyId: caller.company.id,
        title: requiredField(body, 'title', parse.string, 'loose'),
        ownerId: caller.user.id,
        creatorId: caller.user.id,
        personId: null,
        organizationId: null,
        labelIds: [],
        value: null,
        expectedCloseDate: null,
        isArchived: false,
        wasSeen: false,
        visibleTo: 3,
        sourceName: 'API',
        channel: null,
        addTime: now,
        updateTime: now,
      };
      applyLeadInput(context, caller.user, lead, body);
      state.leads.set(lead.id, lead);
      return { success: true, data: serializeLeadV1(announceCreated(context, caller, 'lead', lead)) };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/leads',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.leadsRead,
    handler: ({ caller, query }) => {
      const archived = queryString(query, 'archived_status') ?? 'all';
      if (!['archived', 'not_archived', 'all'].includes(archived)) {
        throw badRequest('Validation failed: archived_status: must be archived, not_archived or all');
      }
      const filters = { owner_id: 'ownerId', person_id: 'personId', organization_id: 'organizationId' } as const;
      const leads = [...state.leads.values()].filter(
        (lead) =>
          isVisibleRecord(caller.user, lead) &&
          (archived === 'all' || lead.isArchived === (archived === 'archived')) &&
          Object.entries(filters).every(([key, property]) => {
            const wanted = queryInteger(query, key);
            return wanted === undefined || lead[property] === wanted;
          }),
      );
      const { page, pagination } = paginateByOffset(leads, query);
      // `GetLeadsResponse` types `additional_data` flat ({ start, limit, more_items_in_collection }).
      const { next_start: _nextStart, ...additional } = pagination;
      return { success: true, data: page.map(serializeLeadV1), additional_data: additional };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/leads/:id',
    version: 'v1',
    operation: 'get',
    scopes: SCOPES.leadsRead,
    handler: ({ caller, params }) => ({ success: true, data: serializeLeadV1(visibleLead(caller.user, params['id'])) }),
  });

  endpoint({
    method: 'PATCH',
    url: '/v1/leads/:id',
    version: 'v1',
    operation: 'update',
    scopes: SCOPES.leadsFull,
    handler: ({ caller, params, body: rawBody }) => {
      const lead = visibleLead(caller.user, params['id']);
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, LEAD_FIELDS);
      const title = readTitle(body, 'loose');
      const updated = updateRecord(context, caller, 'lead', lead, (draft) => {
        if (title !== undefined) draft.title = title;
        applyLeadInput(context, caller.user, draft, body);
      });
      return { success: true, data: serializeLeadV1(updated) };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/leadLabels',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.leadsRead,
    handler: ({ caller }) => ({
      success: true,
      data: [...state.leadLabels.values()]
        .filter((label) => label.companyId === caller.company.id)
        .map(serializeLeadLabelV1),
    }),
  });
}

function applyLeadInput(context: PipedriveContext, caller: User, lead: Lead, body: Body): void {
  const { state } = context;
  const ownerId = readOwnerId(state, caller, body, 'loose');
  const personId = field(body, 'person_id', nullable(parse.integer), 'loose');
  const organizationId = field(body, 'organization_id', nullable(parse.integer), 'loose');
  requirePerson(state, caller, personId);
  requireOrganization(state, caller, organizationId);
  const nextPerson = personId === undefined ? lead.personId : personId;
  const nextOrganization = organizationId === undefined ? lead.organizationId : organizationId;
  if (nextPerson === null && nextOrganization === null) {
    throw badRequest(
      'Validation failed: a lead must be linked to a person or an organization (person_id or organization_id)',
    );
  }
  const labelIds = field(body, 'label_ids', arrayOf(parse.string), 'loose');
  for (const labelId of labelIds ?? []) {
    const label = state.leadLabels.get(labelId);
    if (!label || label.companyId !== caller.companyId)
      throw badRequest(`Validation failed: label_ids: unknown label ${labelId}`);
  }
  const value = field(body, 'value', nullable(readLeadValue), 'loose');
  const expectedCloseDate = field(body, 'expected_close_date', nullable(parse.date), 'loose');
  const visibleTo = readVisibleTo(body, 'loose');
  const wasSeen = field(body, 'was_seen', parse.boolean, 'loose');
  const isArchived = field(body, 'is_archived', parse.boolean, 'loose');
  const channel = field(body, 'channel', nullable(parse.integer), 'loose');
  Object.assign(lead, {
    ...(ownerId === undefined ? {} : { ownerId }),
    personId: nextPerson,
    organizationId: nextOrganization,
    ...(labelIds === undefined ? {} : { labelIds }),
    ...(value === undefined ? {} : { value }),
    ...(expectedCloseDate === undefined ? {} : { expectedCloseDate }),
    ...(visibleTo === undefined ? {} : { visibleTo }),
    ...(wasSeen === undefined ? {} : { wasSeen }),
    ...(isArchived === undefined ? {} : { isArchived }),
    ...(channel === undefined ? {} : { channel }),
  });
}

/** `value: { amount, currency }` (LeadValue). */
function readLeadValue(value: unknown): { amount: number; currency: string } {
  const object = parse.object(value);
  const amount = requiredField(object, 'amount', parse.number, 'loose');
  const currency = requiredField(object, 'currency', parse.string, 'loose');
  return { amount, currency };
}
