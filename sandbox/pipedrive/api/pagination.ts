import { badRequest } from './envelope.ts';
import { queryInteger, queryString, type Body } from './validation.ts';

/** Page size limits for both styles (RD:core-api-concepts-pagination): default 100, max 500. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

/**
 * v2 cursor pagination: `cursor` + `limit`; `additional_data.next_cursor` is null at the end. The
 * cursor is opaque (base64url of the next offset here). v2 refuses a limit above 500.
 */
export function paginateByCursor<T>(items: T[], query: Body): { page: T[]; nextCursor: string | null } {
  const limit = queryInteger(query, 'limit') ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > MAX_LIMIT) throw badRequest(`Validation failed: limit: must be between 1 and ${MAX_LIMIT}`);
  const cursor = queryString(query, 'cursor');
  const offset = cursor === undefined || cursor === '' ? 0 : decodeCursor(cursor);
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return { page, nextCursor: next < items.length ? encodeCursor(next) : null };
}

/** v1 offset pagination: `start` + `limit` (a limit above 500 is clamped, v1 being lenient). */
export function paginateByOffset<T>(
  items: T[],
  query: Body,
): { page: T[]; pagination: { start: number; limit: number; more_items_in_collection: boolean; next_start?: number } } {
  const start = queryInteger(query, 'start') ?? 0;
  const limit = Math.min(queryInteger(query, 'limit') ?? DEFAULT_LIMIT, MAX_LIMIT);
  if (start < 0 || limit < 1) throw badRequest('Validation failed: start and limit must be positive');
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return {
    page,
    pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) },
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('Validation failed: cursor: invalid cursor');
}
