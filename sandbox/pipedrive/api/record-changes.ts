import type { PipedriveContext } from '../emulator.ts';
import { emitRecordChange, snapshotRecord, type RecordEntity, type RecordKinds } from '../webhooks/entity-events.ts';
import type { Caller } from './caller.ts';

/** Announces a record created through the API (`change_source: "api"`); the caller has stored it. */
export function announceCreated<E extends RecordEntity>(
  context: PipedriveContext,
  caller: Caller,
  entity: E,
  record: RecordKinds[E],
): RecordKinds[E] {
  emitRecordChange(context.state, context.webhooks, {
    entity,
    action: 'create',
    record,
    before: null,
    userId: caller.user.id,
    changeSource: 'api',
  });
  return record;
}

/**
 * Applies an API update: `apply` validates and writes into a draft copy, so a 400 leaves the
 * record untouched; then the record takes the draft, `updateTime` moves and a `change` event fires.
 */
export function updateRecord<E extends RecordEntity>(
  context: PipedriveContext,
  caller: Caller,
  entity: E,
  record: RecordKinds[E],
  apply: (draft: RecordKinds[E]) => void,
): RecordKinds[E] {
  const before = snapshotRecord(context.state, entity, record);
  const draft = { ...record };
  apply(draft);
  Object.assign(record, draft, { updateTime: context.clock.now() });
  emitRecordChange(context.state, context.webhooks, {
    entity,
    action: 'change',
    record,
    before,
    userId: caller.user.id,
    changeSource: 'api',
  });
  return record;
}
