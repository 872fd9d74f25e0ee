import { Type } from 'typebox';

/**
 * A Pipedrive id (company, user) as Parley stores it: a positive integer that fits the `bigint`
 * column and JavaScript numbers exactly. 1.5, -1, 2^63 or "abc" are refused with 400 before any
 * query runs, instead of failing inside PostgreSQL.
 */
export const PipedriveIdSchema = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

/** Whether a value is an id `PipedriveIdSchema` accepts (for ids that arrive outside a schema: tokens, JSON). */
export const isPipedriveId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
