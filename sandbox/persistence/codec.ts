/**
 * JSON for the sandbox's snapshot: the state holds Maps, Sets, Dates and Buffers, which plain JSON
 * flattens beyond recovery. Each becomes `{ "$t": kind, "v": … }`; a plain object that happens to
 * have a `$t` key (a webhook body, a custom field value) is wrapped as `{ "$t": "object" }` so it is
 * never mistaken for one of them.
 */
type Tagged = { $t: 'map' | 'set' | 'date' | 'bytes' | 'object'; v: unknown };

export function encodeSnapshot(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, encoded: unknown) {
    // `this[key]` is the value before its own toJSON ran (Date and Buffer have one).
    const raw = this[key];
    if (raw instanceof Date) return { $t: 'date', v: raw.toISOString() };
    if (Buffer.isBuffer(raw)) return { $t: 'bytes', v: raw.toString('base64') };
    if (raw instanceof Map) return { $t: 'map', v: [...raw.entries()] };
    if (raw instanceof Set) return { $t: 'set', v: [...raw.values()] };
    // As entries: the reviver works inside out, so an object under `v` would be read as a tag first.
    if (isPlainObject(encoded) && Object.hasOwn(encoded, '$t')) return { $t: 'object', v: Object.entries(encoded) };
    return encoded;
  });
}

export function decodeSnapshot(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (!isPlainObject(value) || !Object.hasOwn(value, '$t')) return value;
    const { $t: kind, v } = value as Tagged;
    switch (kind) {
      case 'date':
        return new Date(String(v));
      case 'bytes':
        return Buffer.from(String(v), 'base64');
      case 'map':
        return new Map(v as [unknown, unknown][]);
      case 'set':
        return new Set(v as unknown[]);
      case 'object':
        return Object.fromEntries(v as [string, unknown][]);
      default:
        throw new Error(`unknown tag "${String(kind)}" in the sandbox snapshot`);
    }
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
