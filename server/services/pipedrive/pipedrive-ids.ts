/** A Pipedrive id (company, user) as Parley stores it; the schema is part of the HTTP contract. */
export { PipedriveId as PipedriveIdSchema } from '../../../contracts/common.schemas.ts';

/** Whether a value is an id `PipedriveIdSchema` accepts (for ids that arrive outside a schema: tokens, JSON). */
export const isPipedriveId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
