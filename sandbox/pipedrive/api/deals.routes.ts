import type { AddDealRequest, UpdateDealRequest } from 'pipedrive/v2';
import type { PipedriveContext } from '../emulator.ts';
import type { Deal, User } from '../state.ts';
import { deleteRecord } from '../record-lifecycle.ts';
import { readCustomFields } from './custom-fields.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { applyListQuery } from './list-query.ts';
import { paginateByCursor } from './pagination.ts';
import { announceCreated, updateRecord } from './record-changes.ts';
import { readOwnerId, readTitle, readVisibleTo, requireOrganization, requirePerson } from './record-input.ts';
import { SCOPES } from './scopes.ts';
import { serializeDealV2 } from './serializers/v2.ts';
import {
  arrayOf,
  field,
  nullable,
  oneOf,
  parse,
  pathId,
  queryString,
  readObjectBody,
  rejectUnknownFields,
  requiredField,
  type Body,
} from './validation.ts';
import { isVisibleRecord, requireVisible } from './visibility.ts';

/** Fields of `AddDealRequest` / `UpdateDealRequest` (pipedrive@33.7.0). */
const DEAL_FIELDS = [
  'title',
  'owner_id',
  'person_id',
  'org_id',
  'pipeline_id',
  'stage_id',
  'value',
  'currency',
  'status',
  'visible_to',
  'expected_close_date',
  'label_ids',
  'custom_fields',
  'lost_reason',
  // Accepted but not kept by the sandbox.
  'is_deleted',
  'is_archived',
  'archive_time',
  'probability',
  'close_time',
  'won_time',
  'lost_time',
] as const satisfies readonly (keyof AddDealRequest | keyof UpdateDealRequest)[];

/** API v2 deals: list, get, create, patch. A deal must be linked to a person or an organization. */
export function registerDealEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;

  endpoint({
    method: 'GET',
    url: '/v2/deals',
    version: 'v2',
    operation: 'list',
    scopes: SCOPES.dealsRead,
    handler: ({ caller, query }) => {
      const status = queryString(query, 'status');
      if (status !== undefined && !['open', 'won', 'lost', 'deleted'].includes(status)) {
        throw badRequest('Validation failed: status: must be one of open, won, lost, deleted');
      }
      const deals = [...state.deals.values()].filter((deal) =>
        status === 'deleted'
          ? deal.isDeleted && isVisibleRecord(caller.user, { ...deal, isDeleted: false })
          : isVisibleRecord(caller.user, deal) && (status === undefined || deal.status === status),
      );
      const filtered = applyListQuery(deals, query, {
        owner_id: (deal) => deal.ownerId,
        person_id: (deal) => deal.personId,
        org_id: (deal) => deal.orgId,
        pipeline_id: (deal) => deal.pipelineId,
        stage_id: (deal) => deal.stageId,
      });
      const { page, nextCursor } = paginateByCursor(filtered, query);
      return { success: true, data: page.map(serializeDealV2), additional_data: { next_cursor: nextCursor } };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/deals/:id',
    version: 'v2',
    operation: 'get',
    scopes: SCOPES.dealsRead,
    handler: ({ caller, params }) => ({
      success: true,
      data: serializeDealV2(requireVisible(caller.user, state.deals.get(pathId(params)), 'Deal')),
    }),
  });

  endpoint({
    method: 'POST',
    url: '/v2/deals',
    version: 'v2',
    operation: 'create',
    scopes: SCOPES.dealsFull,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, DEAL_FIELDS);
      const title = requiredField(body, 'title', parse.string, 'strict');
      const now = context.clock.now();
      const deal: Deal = {
        id: state.nextId('deal'),
        companyId: caller.company.id,
        title,
        ownerId: caller.user.id,
        creatorUserId: caller.user.id,
        personId: null,
        orgId: null,
        pipelineId: 0,
        stageId: 0,
        value: 0,
        currency: caller.company.currency,
        status: 'open',
        visibleTo: 3,
        expectedCloseDate: null,
        labelIds: [],
        customFields: {},
        addTime: now,
        updateTime: now,
        isDeleted: false,
      };
      applyDealInput(context, caller.user, deal, body);
      state.deals.set(deal.id, deal);
      return { success: true, data: serializeDealV2(announceCreated(context, caller, 'deal', deal)) };
    },
  });

  endpoint({
    method: 'PATCH',
    url: '/v2/deals/:id',
    version: 'v2',
    operation: 'update',
    scopes: SCOPES.dealsFull,
    handler: ({ caller, params, body: rawBody }) => {
      const deal = requireVisible(caller.user, state.deals.get(pathId(params)), 'Deal');
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, DEAL_FIELDS);
      const title = readTitle(body, 'strict');
      const updated = updateRecord(context, caller, 'deal', deal, (draft) => {
        if (title !== undefined) draft.title = title;
        applyDealInput(context, caller.user, draft, body);
      });
      return { success: true, data: serializeDealV2(updated) };
    },
  });

  endpoint({
    method: 'DELETE',
    url: '/v2/deals/:id',
    version: 'v2',
    operation: 'delete',
    scopes: SCOPES.dealsFull,
    handler: ({ caller, params }) => {
      const deal = requireVisible(caller.user, state.deals.get(pathId(params)), 'Deal');
      deleteRecord(context, { entity: 'deal', record: deal, userId: caller.user.id, changeSource: 'api' });
      return { success: true, data: { id: deal.id } };
    },
  });
}

/** Validates everything, then writes into `deal` (a draft for PATCH). */
function applyDealInput(context: PipedriveContext, caller: User, deal: Deal, body: Body): void {
  const { state } = context;
  const ownerId = readOwnerId(state, caller, body, 'strict');
  const personId = field(body, 'person_id', nullable(parse.integer), 'strict');
  const orgId = field(body, 'org_id', nullable(parse.integer), 'strict');
  requirePerson(state, caller, personId);
  requireOrganization(state, caller, orgId);
  if (
    (personId === undefined ? deal.personId : personId) === null &&
    (orgId === undefined ? deal.orgId : orgId) === null
  ) {
    throw badRequest('Validation failed: a deal must be linked to a person or an organization (person_id or org_id)');
  }
  const placement = readPlacement(context, caller, body, deal);
  const value = field(body, 'value', parse.number, 'strict');
  const currency = field(body, 'currency', parse.string, 'strict');
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency))
    throw badRequest('Validation failed: currency: must be an ISO 4217 code');
  const status = field(body, 'status', oneOf(['open', 'won', 'lost'] as const, parse.string), 'strict');
  const visibleTo = readVisibleTo(body, 'strict');
  const expectedCloseDate = field(body, 'expected_close_date', nullable(parse.date), 'strict');
  const labelIds = field(body, 'label_ids', arrayOf(parse.integer), 'strict');
  const customFields = readCustomFields(context.state, caller.companyId, 'deal', body);
  const lostReason = field(body, 'lost_reason', nullable(parse.string), 'strict');
  const nextStatus = status ?? deal.status;
  if (lostReason != null && nextStatus !== 'lost') {
    throw badRequest('Validation failed: lost_reason: can only be set on a lost deal');
  }

  Object.assign(deal, closingTimes(context, deal, nextStatus), {
    ...(lostReason === undefined ? {} : { lostReason }),
    ...(placement.stageId !== undefined && deal.stageId !== 0 && placement.stageId !== deal.stageId
      ? { stageChangeTime: context.clock.now() }
      : {}),
  });
  Object.assign(deal, {
    ...(ownerId === undefined ? {} : { ownerId }),
    ...(personId === undefined ? {} : { personId }),
    ...(orgId === undefined ? {} : { orgId }),
    ...placement,
    ...(value === undefined ? {} : { value }),
    ...(currency === undefined ? {} : { currency }),
    ...(status === undefined ? {} : { status }),
    ...(visibleTo === undefined ? {} : { visibleTo }),
    ...(expectedCloseDate === undefined ? {} : { expectedCloseDate }),
    ...(labelIds === undefined ? {} : { labelIds }),
    ...(customFields === undefined ? {} : { customFields: { ...deal.customFields, ...customFields } }),
  });
}

/**
 * Pipedrive's closing times: winning sets `won_time` and `close_time`, losing `lost_time` and
 * `close_time`; reopening clears them and the lost reason. Nothing changes when the status stays.
 */
function closingTimes(context: PipedriveContext, deal: Deal, next: Deal['status']): Partial<Deal> {
  if (next === deal.status) return {};
  const now = context.clock.now();
  if (next === 'won') return { wonTime: now, lostTime: null, closeTime: now, lostReason: null };
  if (next === 'lost') return { wonTime: null, lostTime: now, closeTime: now };
  return { wonTime: null, lostTime: null, closeTime: null, lostReason: null };
}

/** pipeline_id / stage_id: a stage must belong to the pipeline; new deals default to the first stage of the first pipeline. */
function readPlacement(context: PipedriveContext, caller: User, body: Body, deal: Deal) {
  const { state } = context;
  const pipelineId = field(body, 'pipeline_id', parse.integer, 'strict');
  const stageId = field(body, 'stage_id', parse.integer, 'strict');
  if (pipelineId === undefined && stageId === undefined && deal.stageId !== 0) return {};
  const pipelines = [...state.pipelines.values()]
    .filter((pipeline) => pipeline.companyId === caller.companyId && !pipeline.isDeleted)
    .sort((a, b) => a.orderNr - b.orderNr);
  const pipeline = pipelineId === undefined ? undefined : pipelines.find((candidate) => candidate.id === pipelineId);
  if (pipelineId !== undefined && !pipeline) throw badRequest('Validation failed: pipeline_id: pipeline not found');
  const stages = [...state.stages.values()]
    .filter((stage) => stage.companyId === caller.companyId && !stage.isDeleted)
    .sort((a, b) => a.orderNr - b.orderNr);
  const stage =
    stageId === undefined
      ? stages.find((candidate) => candidate.pipelineId === (pipeline ?? pipelines[0])?.id)
      : stages.find((candidate) => candidate.id === stageId);
  if (!stage) throw badRequest('Validation failed: stage_id: stage not found');
  if (pipeline && stage.pipelineId !== pipeline.id) {
    throw badRequest('Validation failed: stage_id: stage does not belong to the pipeline');
  }
  return { pipelineId: stage.pipelineId, stageId: stage.id };
}
