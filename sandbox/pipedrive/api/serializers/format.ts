/** API v2 timestamps: RFC 3339 in UTC without milliseconds (`2025-01-01T10:20:00Z`). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** API v1 timestamps: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function v1Time(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The client's models mark many fields optional and non-null where the API sends `null`
 * (`org_id`, `deal_id`…). This keeps the model's field names and value types but allows the null.
 */
export type WithNulls<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> | null };
