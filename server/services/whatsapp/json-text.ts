/**
 * PostgreSQL `text` and `jsonb` cannot hold U+0000 (reliability.md B14), and Meta's JSON may carry it
 * as `\u0000`. The rule: NUL characters are dropped from every string and key; nothing else changes.
 */
export function withoutNulDeep(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (Array.isArray(value)) return value.map(withoutNulDeep);
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const clean = key.replaceAll('\u0000', '');
      // `"\u0000__proto__"` becomes `__proto__`: an assignment would set the copy's prototype.
      if (clean === '__proto__')
        Object.defineProperty(result, clean, {
          value: withoutNulDeep(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else result[clean] = withoutNulDeep(item);
    }
    return result;
  }
  return value;
}
