import type { SandboxClock } from '../clock.ts';
import type { Person, PipedriveState } from './state.ts';
import type { WebhookDispatcher } from './webhooks/dispatcher.ts';
import type { ChangeSource } from './webhooks/payloads.ts';
import { emitRecordChange, snapshotRecord, type RecordEntity, type RecordKinds } from './webhooks/entity-events.ts';

/**
 * Deleting and merging records, shared by the API (`change_source: "api"`) and `simulateChange`
 * (`"app"`). Deleted persons, deals, organizations and activities stay with `is_deleted: true`
 * (Pipedrive keeps them for 30 days) and disappear from reads; notes turn inactive; leads go.
 */
export interface LifecycleDeps {
  state: PipedriveState;
  clock: SandboxClock;
  webhooks: WebhookDispatcher;
}

export function deleteRecord<E extends RecordEntity>(
  deps: LifecycleDeps,
  change: { entity: E; record: RecordKinds[E]; userId: number; changeSource: ChangeSource },
): void {
  const before = snapshotRecord(deps.state, change.entity, change.record);
  const now = deps.clock.now();
  if (change.entity === 'lead') deps.state.leads.delete(change.record.id as string);
  else if (change.entity === 'note') Object.assign(change.record, { activeFlag: false, updateTime: now });
  else Object.assign(change.record, { isDeleted: true, updateTime: now });
  emitRecordChange(deps.state, deps.webhooks, {
    entity: change.entity,
    action: 'delete',
    record: change.record,
    before,
    userId: change.userId,
    changeSource: change.changeSource,
  });
}

/**
 * Merges person `from` into `into` as Pipedrive does: the survivor keeps its own fields and gains
 * the other's phones and emails it lacks; deals, leads, notes and activities move to it. Webhooks:
 * a `delete` of `from` with `merged_to_id`, then a `change` of the survivor with `merged_from_id`.
 */
export function mergePersons(
  deps: LifecycleDeps,
  change: { from: Person; into: Person; userId: number; changeSource: ChangeSource },
): Person {
  const { state } = deps;
  const { from, into } = change;
  const now = deps.clock.now();
  const beforeInto = snapshotRecord(state, 'person', into);
  const beforeFrom = snapshotRecord(state, 'person', from);
  const add = (mine: Person['phones'], theirs: Person['phones'], key: (value: string) => string) => {
    const known = new Set(mine.map((entry) => key(entry.value)));
    return [
      ...mine,
      ...theirs.filter((entry) => !known.has(key(entry.value))).map((entry) => ({ ...entry, primary: false })),
    ];
  };
  into.phones = add(into.phones, from.phones, (value) => value.replace(/\D/g, ''));
  into.emails = add(into.emails, from.emails, (value) => value.toLowerCase());
  into.updateTime = now;
  for (const records of [state.deals.values(), state.leads.values(), state.notes.values(), state.activities.values()]) {
    for (const record of records) if (record.personId === from.id) record.personId = into.id;
  }
  Object.assign(from, { isDeleted: true, updateTime: now });
  const common = { userId: change.userId, changeSource: change.changeSource };
  emitRecordChange(state, deps.webhooks, {
    entity: 'person',
    action: 'delete',
    record: from,
    before: beforeFrom,
    mergedToId: into.id,
    ...common,
  });
  emitRecordChange(state, deps.webhooks, {
    entity: 'person',
    action: 'change',
    record: into,
    before: beforeInto,
    mergedFromId: from.id,
    ...common,
  });
  return into;
}
