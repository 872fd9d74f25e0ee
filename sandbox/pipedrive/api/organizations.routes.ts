import type { AddOrganizationRequest, UpdateOrganizationRequest } from 'pipedrive/v2';
import type { PipedriveContext } from '../emulator.ts';
import { deleteRecord } from '../record-lifecycle.ts';
import type { Organization, User } from '../state.ts';
import { readCustomFields } from './custom-fields.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { applyListQuery } from './list-query.ts';
import { paginateByCursor } from './pagination.ts';
import { announceCreated, updateRecord } from './record-changes.ts';
import { readOwnerId, readRfc3339, readVisibleTo } from './record-input.ts';
import { SCOPES } from './scopes.ts';
import { serializeOrganizationV2 } from './serializers/v2.ts';
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

/** Fields of `AddOrganizationRequest` / `UpdateOrganizationRequest` (pipedrive@33.7.0). */
const ORGANIZATION_FIELDS = [
  'name',
  'owner_id',
  'add_time',
  'visible_to',
  'label_ids',
  'address',
  'custom_fields',
  // Accepted but not kept by the sandbox.
  'website',
  'linkedin',
  'industry',
  'annual_revenue',
  'employee_count',
] as const satisfies readonly (keyof AddOrganizationRequest | keyof UpdateOrganizationRequest)[];

/** API v2 organizations: list, get, create, patch, delete (scopes of the contacts). */
export function registerOrganizationEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;

  endpoint({
    method: 'GET',
    url: '/v2/organizations',
    version: 'v2',
    operation: 'list',
    scopes: SCOPES.contactsRead,
    handler: ({ caller, query }) => {
      const visible = [...state.organizations.values()].filter((record) => isVisibleRecord(caller.user, record));
      const filtered = applyListQuery(visible, query, { owner_id: (record) => record.ownerId });
      const { page, nextCursor } = paginateByCursor(filtered, query);
      return { success: true, data: page.map(serializeOrganizationV2), additional_data: { next_cursor: nextCursor } };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/organizations/:id',
    version: 'v2',
    operation: 'get',
    scopes: SCOPES.contactsRead,
    handler: ({ caller, params }) => ({
      success: true,
      data: serializeOrganizationV2(
        requireVisible(caller.user, state.organizations.get(pathId(params)), 'Organization'),
      ),
    }),
  });

  endpoint({
    method: 'POST',
    url: '/v2/organizations',
    version: 'v2',
    operation: 'create',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, ORGANIZATION_FIELDS);
      const name = field(body, 'name', parse.string, 'strict');
      if (name === undefined || name.trim() === '') throw badRequest('Validation failed: name: required');
      const now = context.clock.now();
      const organization: Organization = {
        id: state.nextId('organization'),
        companyId: caller.company.id,
        name: name.trim(),
        ownerId: caller.user.id,
        address: null,
        visibleTo: 3,
        labelIds: [],
        customFields: {},
        addTime: readRfc3339(body, 'add_time') ?? now,
        updateTime: now,
        isDeleted: false,
      };
      applyOrganizationInput(context, caller.user, organization, body);
      state.organizations.set(organization.id, organization);
      return {
        success: true,
        data: serializeOrganizationV2(announceCreated(context, caller, 'organization', organization)),
      };
    },
  });

  endpoint({
    method: 'PATCH',
    url: '/v2/organizations/:id',
    version: 'v2',
    operation: 'update',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, params, body: rawBody }) => {
      const organization = requireVisible(caller.user, state.organizations.get(pathId(params)), 'Organization');
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, ORGANIZATION_FIELDS);
      const name = field(body, 'name', parse.string, 'strict');
      if (name !== undefined && name.trim() === '') throw badRequest('Validation failed: name: must not be empty');
      const updated = updateRecord(context, caller, 'organization', organization, (draft) => {
        if (name !== undefined) draft.name = name.trim();
        applyOrganizationInput(context, caller.user, draft, body);
      });
      return { success: true, data: serializeOrganizationV2(updated) };
    },
  });

  endpoint({
    method: 'DELETE',
    url: '/v2/organizations/:id',
    version: 'v2',
    operation: 'delete',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, params }) => {
      const organization = requireVisible(caller.user, state.organizations.get(pathId(params)), 'Organization');
      deleteRecord(context, {
        entity: 'organization',
        record: organization,
        userId: caller.user.id,
        changeSource: 'api',
      });
      return { success: true, data: { id: organization.id } };
    },
  });
}

/** Validates every field before touching `organization` (a 400 leaves it unchanged). */
function applyOrganizationInput(context: PipedriveContext, caller: User, organization: Organization, body: Body) {
  const ownerId = readOwnerId(context.state, caller, body, 'strict');
  const visibleTo = readVisibleTo(body, 'strict');
  const labelIds = field(body, 'label_ids', arrayOf(parse.integer), 'strict');
  const address = field(body, 'address', nullable(parse.object), 'strict');
  if (address && typeof address['value'] !== 'string') {
    throw badRequest('Validation failed: address.value: must be a string');
  }
  const customFields = readCustomFields(context.state, caller.companyId, 'organization', body);
  if (ownerId !== undefined) organization.ownerId = ownerId;
  if (visibleTo !== undefined) organization.visibleTo = visibleTo;
  if (labelIds !== undefined) organization.labelIds = labelIds;
  if (address !== undefined) organization.address = address === null ? null : (address['value'] as string);
  if (customFields !== undefined) organization.customFields = { ...organization.customFields, ...customFields };
}
