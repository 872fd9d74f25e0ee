import {
  canSee,
  type Activity,
  type Deal,
  type Lead,
  type Note,
  type Organization,
  type Person,
  type PipedriveState,
  type User,
} from '../state.ts';
import { serializeLeadV1, serializeNoteV1 } from '../api/serializers/v1.ts';
import {
  serializeActivityV2,
  serializeDealV2,
  serializeOrganizationV2,
  serializePersonV2,
} from '../api/serializers/v2.ts';
import { canSeeActivity, canSeeNote } from '../api/visibility.ts';
import type { WebhookDispatcher } from './dispatcher.ts';
import type { ChangeSource, EntityData, WebhookAction } from './payloads.ts';

export interface RecordKinds {
  person: Person;
  deal: Deal;
  lead: Lead;
  note: Note;
  activity: Activity;
  organization: Organization;
}
export type RecordEntity = keyof RecordKinds;

/** The core fields a v2 webhook carries for each object (the API's v2 shape where one exists). */
export function snapshotRecord<E extends RecordEntity>(
  state: PipedriveState,
  entity: E,
  record: RecordKinds[E],
): EntityData {
  switch (entity) {
    case 'person':
      return serializePersonV2(record as Person);
    case 'deal':
      return serializeDealV2(record as Deal);
    case 'activity':
      return serializeActivityV2(record as Activity);
    case 'lead':
      return { ...serializeLeadV1(record as Lead) };
    case 'organization':
      return serializeOrganizationV2(record as Organization);
    default: {
      const { user: _user, ...core } = serializeNoteV1(state, record as Note, null);
      return core;
    }
  }
}

/** Who may see the object, judged on its state at the time of the event (also for deletes). */
export function visibilityOf<E extends RecordEntity>(state: PipedriveState, entity: E, record: RecordKinds[E]) {
  const frozen = { ...record };
  return (user: User): boolean => {
    switch (entity) {
      case 'note':
        return canSeeNote(state, user, { ...(frozen as Note), activeFlag: true });
      case 'activity':
        return canSeeActivity(state, user, { ...(frozen as Activity), isDeleted: false });
      default:
        return canSee(user, frozen as Person | Deal | Lead | Organization);
    }
  };
}

export interface RecordChange<E extends RecordEntity> {
  entity: E;
  action: WebhookAction;
  record: RecordKinds[E];
  /** The snapshot before the change (change and delete). */
  before: EntityData | null;
  userId: number;
  changeSource: ChangeSource;
  mergedToId?: number;
  mergedFromId?: number;
}

/**
 * Emits the webhook event of a change to a record. `change` events carry in `previous` only the
 * fields that changed (and are skipped when nothing did); `delete` events carry the last state.
 */
export function emitRecordChange<E extends RecordEntity>(
  state: PipedriveState,
  dispatcher: WebhookDispatcher,
  change: RecordChange<E>,
): void {
  const current = snapshotRecord(state, change.entity, change.record);
  let previous: EntityData | null = null;
  if (change.action === 'change') {
    previous = changedFields(change.before ?? {}, current);
    if (Object.keys(previous).length === 0) return;
  } else if (change.action === 'delete') {
    previous = change.before ?? current;
  }
  dispatcher.emit(
    {
      companyId: change.record.companyId,
      entity: change.entity,
      action: change.action,
      entityId: change.record.id,
      userId: change.userId,
      changeSource: change.changeSource,
      data: change.action === 'delete' ? null : current,
      previous,
      ...(change.mergedToId === undefined ? {} : { mergedToId: change.mergedToId }),
      ...(change.mergedFromId === undefined ? {} : { mergedFromId: change.mergedFromId }),
    },
    visibilityOf(state, change.entity, change.record),
  );
}

function changedFields(before: EntityData, after: EntityData): EntityData {
  const previous: EntityData = {};
  for (const [key, value] of Object.entries(before)) {
    if (key === 'update_time') continue;
    if (JSON.stringify(value) !== JSON.stringify(after[key])) previous[key] = value;
  }
  return previous;
}
