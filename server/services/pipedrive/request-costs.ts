/**
 * Our estimate of what each call costs against the company's daily token budget
 * (pipedrive-platform.md §5: get 2, list 20, update 10, delete 6, search 40 in v1; v2 about half).
 * Pipedrive does not report the cost per request, so the budget meter shows this estimate.
 */
export type RequestKind = 'get' | 'list' | 'create' | 'update' | 'delete' | 'search';

const V1_COSTS: Record<RequestKind, number> = { get: 2, list: 20, create: 10, update: 10, delete: 6, search: 40 };

export function estimateCost(kind: RequestKind, version: 'v1' | 'v2'): number {
  const cost = V1_COSTS[kind];
  return version === 'v2' ? Math.max(1, Math.ceil(cost / 2)) : cost;
}

/** Requests per 2-second window per OAuth token, by plan; search endpoints allow 10 on every plan. */
export const DEFAULT_BURST_LIMIT = 80;
export const SEARCH_BURST_LIMIT = 10;
export const BURST_WINDOW_MS = 2000;
