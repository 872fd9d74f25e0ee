/**
 * PostgreSQL `text` and `jsonb` cannot hold U+0000 (reliability.md B14), and Meta's JSON may carry it
 * as `\u0000`. The rule: NUL characters are dropped from every string and key; nothing else changes.
 */
export function withoutNulDeep(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (Array.isArray(value)) return value.map(withoutNulDeep);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key.replaceAll('\u0000', '')] = withoutNulDeep(item);
    return result;
  }
  return value;
}
