import type { AddActivityRequest } from 'pipedrive/v2';
import type { PipedriveContext } from '../emulator.ts';
import type { Activity, User } from '../state.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, notFound } from './envelope.ts';
import { applyListQuery } from './list-query.ts';
import { paginateByCursor } from './pagination.ts';
import { announceCreated, updateRecord } from './record-changes.ts';
import { readOwnerId, requireDeal, requireLead, requireOrganization, requirePerson } from './record-input.ts';
import { SCOPES } from './scopes.ts';
import { serializeActivityV2 } from './serializers/v2.ts';
import {
  arrayOf,
  field,
  nullable,
  parse,
  pathId,
  queryBoolean,
  readObjectBody,
  rejectUnknownFields,
  type Body,
} from './validation.ts';
import { canSeeActivity, canSeeLinks } from './visibility.ts';

/** Fields of `AddActivityRequest` / `UpdateActivityRequest` (pipedrive@33.7.0). */
const ACTIVITY_FIELDS = [
  'subject',
  'type',
  'owner_id',
  'deal_id',
  'lead_id',
  'person_id',
  'org_id',
  'project_id',
  'due_date',
  'due_time',
  'duration',
  'busy',
  'done',
  'location',
  'participants',
  'attendees',
  'public_description',
  'priority',
  'outcome',
  'note',
] as const satisfies readonly (keyof AddActivityRequest)[];

/** API v2 activities: list, get, create, patch. */
export function registerActivityEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;
  const visibleActivity = (caller: User, id: number): Activity => {
    const activity = state.activities.get(id);
    if (!activity || !canSeeActivity(state, caller, activity)) throw notFound('Activity not found');
    return activity;
  };

  endpoint({
    method: 'GET',
    url: '/v2/activities',
    version: 'v2',
    operation: 'list',
    scopes: SCOPES.activitiesRead,
    handler: ({ caller, query }) => {
      const done = queryBoolean(query, 'done', 'strict');
      const activities = [...state.activities.values()].filter(
        (activity) => canSeeActivity(state, caller.user, activity) && (done === undefined || activity.done === done),
      );
      const filtered = applyListQuery(
        activities,
        query,
        {
          owner_id: (activity) => activity.ownerId,
          deal_id: (activity) => activity.dealId,
          lead_id: (activity) => activity.leadId,
          person_id: (activity) => activity.personId,
          org_id: (activity) => activity.orgId,
        },
        { due_date: (activity) => `${activity.dueDate ?? ''} ${activity.dueTime ?? ''}` },
      );
      const { page, nextCursor } = paginateByCursor(filtered, query);
      return { success: true, data: page.map(serializeActivityV2), additional_data: { next_cursor: nextCursor } };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v2/activities/:id',
    version: 'v2',
    operation: 'get',
    scopes: SCOPES.activitiesRead,
    handler: ({ caller, params }) => ({
      success: true,
      data: serializeActivityV2(visibleActivity(caller.user, pathId(params))),
    }),
  });

  endpoint({
    method: 'POST',
    url: '/v2/activities',
    version: 'v2',
    operation: 'create',
    scopes: SCOPES.activitiesFull,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, ACTIVITY_FIELDS);
      const now = context.clock.now();
      const activity: Activity = {
        id: state.nextId('activity'),
        companyId: caller.company.id,
        subject: '',
        type: 'task',
        ownerId: caller.user.id,
        creatorUserId: caller.user.id,
        dealId: null,
        leadId: null,
        personId: null,
        orgId: null,
        dueDate: null,
        dueTime: null,
        duration: null,
        done: false,
        note: null,
        addTime: now,
        updateTime: now,
        markedAsDoneTime: null,
        isDeleted: false,
      };
      applyActivityInput(context, caller.user, activity, body);
      state.activities.set(activity.id, activity);
      return { success: true, data: serializeActivityV2(announceCreated(context, caller, 'activity', activity)) };
    },
  });

  endpoint({
    method: 'PATCH',
    url: '/v2/activities/:id',
    version: 'v2',
    operation: 'update',
    scopes: SCOPES.activitiesFull,
    handler: ({ caller, params, body: rawBody }) => {
      const activity = visibleActivity(caller.user, pathId(params));
      const body = readObjectBody(rawBody);
      rejectUnknownFields(body, ACTIVITY_FIELDS);
      const updated = updateRecord(context, caller, 'activity', activity, (draft) =>
        applyActivityInput(context, caller.user, draft, body),
      );
      return { success: true, data: serializeActivityV2(updated) };
    },
  });
}

function applyActivityInput(context: PipedriveContext, caller: User, activity: Activity, body: Body): void {
  const { state } = context;
  const type = field(body, 'type', parse.string, 'strict');
  const activityType =
    type === undefined
      ? undefined
      : [...state.activityTypes.values()].find(
          (candidate) => candidate.companyId === caller.companyId && candidate.active && candidate.keyString === type,
        );
  if (type !== undefined && !activityType) throw badRequest(`Validation failed: type: unknown activity type ${type}`);
  if (body['project_id'] !== undefined && body['project_id'] !== null) {
    throw badRequest('Validation failed: project_id: not supported by the sandbox');
  }
  const links = {
    dealId: field(body, 'deal_id', nullable(parse.integer), 'strict'),
    leadId: field(body, 'lead_id', nullable(parse.string), 'strict'),
    personId: field(body, 'person_id', nullable(parse.integer), 'strict') ?? primaryParticipant(body),
    orgId: field(body, 'org_id', nullable(parse.integer), 'strict'),
  };
  requireDeal(state, caller, links.dealId);
  requireLead(state, caller, links.leadId);
  requirePerson(state, caller, links.personId);
  requireOrganization(state, caller, links.orgId);
  const merged = {
    dealId: links.dealId === undefined ? activity.dealId : links.dealId,
    leadId: links.leadId === undefined ? activity.leadId : links.leadId,
    personId: links.personId === undefined ? activity.personId : links.personId,
    orgId: links.orgId === undefined ? activity.orgId : links.orgId,
  };
  if (!canSeeLinks(state, caller, merged)) throw badRequest('Validation failed: linked item not found');
  const ownerId = readOwnerId(state, caller, body, 'strict');
  const subject = field(body, 'subject', parse.string, 'strict');
  const done = field(body, 'done', parse.boolean, 'strict');
  Object.assign(activity, merged, {
    ...(activityType ? { type: activityType.keyString } : {}),
    ...(ownerId === undefined ? {} : { ownerId }),
    ...(subject === undefined ? {} : { subject }),
    ...optional('dueDate', field(body, 'due_date', nullable(parse.date), 'strict')),
    ...optional('dueTime', field(body, 'due_time', nullable(parse.time), 'strict')),
    ...optional('duration', field(body, 'duration', nullable(parse.time), 'strict')),
    ...optional('note', field(body, 'note', nullable(parse.string), 'strict')),
    ...(done === undefined ? {} : { done, markedAsDoneTime: done ? context.clock.now() : null }),
  });
  field(body, 'busy', parse.boolean, 'strict');
  if (activity.subject.trim() === '') {
    // Pipedrive names an activity after its type when no subject is given.
    const named = [...state.activityTypes.values()].find(
      (candidate) => candidate.companyId === caller.companyId && candidate.keyString === activity.type,
    );
    activity.subject = named?.name ?? 'Task';
  }
}

function primaryParticipant(body: Body): number | undefined {
  const participants = field(body, 'participants', arrayOf(parse.object), 'strict');
  const primary = participants?.find((participant) => participant['primary'] === true) ?? participants?.[0];
  return primary === undefined ? undefined : field(primary, 'person_id', parse.integer, 'strict');
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
