import type { SandboxClock } from '../../clock.ts';
import { splitName } from '../api/record-input.ts';
import type { Person, Phone, PipedriveState, VisibleTo } from '../state.ts';
import { deleteRecord, mergePersons } from '../record-lifecycle.ts';
import type { WebhookDispatcher } from './dispatcher.ts';
import { emitRecordChange, snapshotRecord, type RecordEntity, type RecordKinds } from './entity-events.ts';

/**
 * A change made by a person in Pipedrive's web app (not through the API): the record changes in
 * state and webhooks fire with `change_source: "app"`. Sync tests use it to edit, delete or merge
 * persons behind the app's back. `values` use the record shapes of records.ts (camelCase).
 */
export type SimulatedChange =
  | {
      entity: 'person';
      action: 'create';
      userId: number;
      values: { name: string; phones?: (string | Phone)[]; ownerId?: number; visibleTo?: VisibleTo };
    }
  | {
      [E in RecordEntity]: {
        entity: E;
        action: 'change';
        userId: number;
        id: RecordKinds[E]['id'];
        values: Partial<RecordKinds[E]>;
      };
    }[RecordEntity]
  | { [E in RecordEntity]: { entity: E; action: 'delete'; userId: number; id: RecordKinds[E]['id'] } }[RecordEntity]
  /** Merges person `id` into `mergeIntoId`: `id` is deleted (`merged_to_id`), the survivor changes. */
  | { entity: 'person'; action: 'merge'; userId: number; id: number; mergeIntoId: number };

export function simulateChange(
  state: PipedriveState,
  clock: SandboxClock,
  webhooks: WebhookDispatcher,
  change: SimulatedChange,
): RecordKinds[RecordEntity] {
  const user = state.users.get(change.userId);
  if (!user) throw new Error(`unknown user ${change.userId}`);
  const now = clock.now();
  const emit = <E extends RecordEntity>(
    entity: E,
    action: 'create' | 'change' | 'delete',
    record: RecordKinds[E],
    before: Record<string, unknown> | null,
    merge: { mergedToId?: number; mergedFromId?: number } = {},
  ) =>
    emitRecordChange(state, webhooks, {
      entity,
      action,
      record,
      before,
      userId: user.id,
      changeSource: 'app',
      ...merge,
    });

  if (change.action === 'create') {
    const person: Person = {
      id: state.nextId('person'),
      companyId: user.companyId,
      name: change.values.name,
      ...splitName(change.values.name),
      ownerId: change.values.ownerId ?? user.id,
      orgId: null,
      phones: (change.values.phones ?? []).map((phone, index) =>
        typeof phone === 'string' ? { value: phone, label: 'mobile', primary: index === 0 } : phone,
      ),
      emails: [],
      visibleTo: change.values.visibleTo ?? 3,
      labelIds: [],
      customFields: {},
      addTime: now,
      updateTime: now,
      isDeleted: false,
    };
    state.persons.set(person.id, person);
    emit('person', 'create', person, null);
    return person;
  }

  if (change.action === 'merge') {
    return mergePersons(
      { state, clock, webhooks },
      {
        from: requirePerson(state, change.id),
        into: requirePerson(state, change.mergeIntoId),
        userId: user.id,
        changeSource: 'app',
      },
    );
  }

  const record = findRecord(state, change.entity, change.id);
  if (change.action === 'delete') {
    deleteRecord({ state, clock, webhooks }, { entity: change.entity, record, userId: user.id, changeSource: 'app' });
    return record;
  }
  const before = snapshotRecord(state, change.entity, record);
  const values = { ...change.values } as Record<string, unknown>;
  if (change.entity === 'person' && typeof values['name'] === 'string' && values['firstName'] === undefined) {
    Object.assign(values, splitName(values['name']));
  }
  Object.assign(record, values, { updateTime: now });
  emit(change.entity, 'change', record, before);
  return record;
}

function findRecord<E extends RecordEntity>(
  state: PipedriveState,
  entity: E,
  id: RecordKinds[E]['id'],
): RecordKinds[E] {
  const maps = {
    person: state.persons,
    deal: state.deals,
    lead: state.leads,
    note: state.notes,
    activity: state.activities,
    organization: state.organizations,
  } as unknown as Record<E, Map<RecordKinds[E]['id'], RecordKinds[E]>>;
  const record = maps[entity].get(id);
  if (!record) throw new Error(`unknown ${entity} ${String(id)}`);
  return record;
}

function requirePerson(state: PipedriveState, id: number): Person {
  const person = state.persons.get(id);
  if (!person || person.isDeleted) throw new Error(`unknown person ${id}`);
  return person;
}
