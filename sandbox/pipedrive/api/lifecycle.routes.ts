import type { PipedriveContext } from '../emulator.ts';
import { deleteRecord, mergePersons } from '../record-lifecycle.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, notFound } from './envelope.ts';
import { SCOPES } from './scopes.ts';
import { serializePersonV2 } from './serializers/v2.ts';
import { field, parse, pathId, readObjectBody } from './validation.ts';
import { canSeeActivity, canSeeNote, isVisibleRecord, requireVisible } from './visibility.ts';

/**
 * Deleting records (each with its `delete.<object>` webhook, `change_source: "api"`) and merging
 * persons. v2 deletes answer `{ data: { id } }` (the client's `Delete*Response`); v1 note deletes
 * answer `data: true`, v1 lead deletes `data: { id }`. Deleting a deal or an organization is done
 * in their own route modules.
 */
export function registerLifecycleEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;

  endpoint({
    method: 'DELETE',
    url: '/v2/persons/:id',
    version: 'v2',
    operation: 'delete',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, params }) => {
      const person = requireVisible(caller.user, state.persons.get(pathId(params)), 'Person');
      deleteRecord(context, { entity: 'person', record: person, userId: caller.user.id, changeSource: 'api' });
      return { success: true, data: { id: person.id } };
    },
  });

  endpoint({
    method: 'DELETE',
    url: '/v2/activities/:id',
    version: 'v2',
    operation: 'delete',
    scopes: SCOPES.activitiesFull,
    handler: ({ caller, params }) => {
      const activity = state.activities.get(pathId(params));
      if (!activity || !canSeeActivity(state, caller.user, activity)) throw notFound('Activity not found');
      deleteRecord(context, { entity: 'activity', record: activity, userId: caller.user.id, changeSource: 'api' });
      return { success: true, data: { id: activity.id } };
    },
  });

  endpoint({
    method: 'DELETE',
    url: '/v1/leads/:id',
    version: 'v1',
    operation: 'delete',
    scopes: SCOPES.leadsFull,
    handler: ({ caller, params }) => {
      const lead = state.leads.get(params['id'] ?? '');
      if (!lead || !isVisibleRecord(caller.user, lead)) throw notFound('Lead not found');
      deleteRecord(context, { entity: 'lead', record: lead, userId: caller.user.id, changeSource: 'api' });
      return { success: true, data: { id: lead.id } };
    },
  });

  endpoint({
    method: 'DELETE',
    url: '/v1/notes/:id',
    version: 'v1',
    operation: 'delete',
    scopes: SCOPES.notesFull,
    handler: ({ caller, params }) => {
      const note = state.notes.get(pathId(params));
      if (!note || !canSeeNote(state, caller.user, note)) throw notFound('Note not found');
      deleteRecord(context, { entity: 'note', record: note, userId: caller.user.id, changeSource: 'api' });
      return { success: true, data: true };
    },
  });

  /**
   * `PUT /v1/persons/{id}/merge` with `merge_with_id`: person `id` is merged into `merge_with_id`,
   * whose data wins (the API reference: "the person that will not be overwritten"). The answer is
   * the survivor (the sandbox sends its v2 shape plus `merge_what_id`; Pipedrive's v1 person has
   * more fields).
   */
  endpoint({
    method: 'PUT',
    url: '/v1/persons/:id/merge',
    version: 'v1',
    operation: 'update',
    scopes: SCOPES.contactsFull,
    handler: ({ caller, params, body: rawBody }) => {
      const from = requireVisible(caller.user, state.persons.get(pathId(params)), 'Person');
      const body = readObjectBody(rawBody);
      const intoId = field(body, 'merge_with_id', parse.integer, 'loose');
      if (intoId === undefined) throw badRequest('Validation failed: merge_with_id: required');
      if (intoId === from.id) throw badRequest('Validation failed: merge_with_id: cannot merge a person with itself');
      const into = state.persons.get(intoId);
      if (!into || !isVisibleRecord(caller.user, into))
        throw badRequest('Validation failed: merge_with_id: person not found');
      mergePersons(context, { from, into, userId: caller.user.id, changeSource: 'api' });
      return { success: true, data: { ...serializePersonV2(into), merge_what_id: from.id } };
    },
  });
}
