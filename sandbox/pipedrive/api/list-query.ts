import { badRequest } from './envelope.ts';
import { queryInteger, queryString, type Body } from './validation.ts';

interface Listable {
  id: number | string;
  addTime: Date;
  updateTime: Date;
}

type Filters<T> = Record<string, (item: T) => number | string | null>;

/**
 * The common query of API v2 lists: `ids`, equality filters (`owner_id`, `person_id`…),
 * `updated_since` / `updated_until` (RFC 3339), `sort_by` (id, update_time, add_time) and
 * `sort_direction`. Unknown sort fields are a 400, as v2 validates its query.
 */
export function applyListQuery<T extends Listable>(
  items: T[],
  query: Body,
  filters: Filters<T>,
  extraSorts: Record<string, (item: T) => number | string> = {},
): T[] {
  let result = items;
  const ids = queryString(query, 'ids');
  if (ids !== undefined) {
    const wanted = ids.split(',').map((id) => id.trim());
    if (wanted.length > 100 || wanted.some((id) => !/^\d+$/.test(id))) {
      throw badRequest('Validation failed: ids: must be up to 100 comma-separated integers');
    }
    result = result.filter((item) => wanted.includes(String(item.id)));
  }
  for (const [key, read] of Object.entries(filters)) {
    const wanted = key.endsWith('lead_id') ? queryString(query, key) : queryInteger(query, key);
    if (wanted !== undefined) result = result.filter((item) => read(item) === wanted);
  }
  const since = readTime(query, 'updated_since');
  const until = readTime(query, 'updated_until');
  if (since) result = result.filter((item) => item.updateTime.getTime() >= since.getTime());
  if (until) result = result.filter((item) => item.updateTime.getTime() < until.getTime());
  return sortItems(result, query, extraSorts);
}

function sortItems<T extends Listable>(
  items: T[],
  query: Body,
  extraSorts: Record<string, (item: T) => number | string>,
): T[] {
  const sorts: Record<string, (item: T) => number | string> = {
    id: (item) => item.id,
    update_time: (item) => item.updateTime.getTime(),
    add_time: (item) => item.addTime.getTime(),
    ...extraSorts,
  };
  const sortBy = queryString(query, 'sort_by') ?? 'id';
  const direction = queryString(query, 'sort_direction') ?? 'asc';
  const key = sorts[sortBy];
  if (!key) throw badRequest(`Validation failed: sort_by: must be one of ${Object.keys(sorts).join(', ')}`);
  if (direction !== 'asc' && direction !== 'desc') {
    throw badRequest('Validation failed: sort_direction: must be asc or desc');
  }
  const sorted = [...items].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === y) return a.id < b.id ? -1 : 1;
    return x < y ? -1 : 1;
  });
  return direction === 'desc' ? sorted.reverse() : sorted;
}

function readTime(query: Body, key: string): Date | undefined {
  const value = queryString(query, key);
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  // The documented format only (`2025-01-01T10:20:00Z`): no bare dates, no missing seconds or zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(time)) {
    throw badRequest(`Validation failed: ${key}: must be an RFC 3339 date-time`);
  }
  return new Date(time);
}
