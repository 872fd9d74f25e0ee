import { badRequest, PipedriveApiError } from './envelope.ts';

/**
 * Input checks. API v2 is strict (numbers are numbers, booleans are `true`/`false`, unknown body
 * fields are refused); v1 is looser (numeric strings and 0/1 pass), as the v2 migration guide
 * describes. The wording of the messages is the sandbox's own (`Validation failed: field: reason`).
 */
export type Body = Record<string, unknown>;
export type Strictness = 'strict' | 'loose';
type Parser<T> = (value: unknown, strictness: Strictness) => T;

class Invalid extends Error {}

export function readObjectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Validation failed: body: must be a JSON object');
  }
  return body as Body;
}

/**
 * API v2 refuses parameters its schema lacks, in Pipedrive's words (seen on a real v2 PATCH,
 * pipedrive/client-nodejs#651): `Validation failed: k: Parameter 'k' is not allowed for this
 * request; …` with `code: "ERR_SCHEMA_VALIDATION_FAILED"`.
 */
export function rejectUnknownFields(body: Body, allowed: readonly string[], path = ''): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length === 0) return;
  const reasons = unknown.map((key) => `${path}${key}: Parameter '${key}' is not allowed for this request`);
  throw new PipedriveApiError(400, `Validation failed: ${reasons.join('; ')}`, { code: SCHEMA_VALIDATION_FAILED });
}

export const SCHEMA_VALIDATION_FAILED = 'ERR_SCHEMA_VALIDATION_FAILED';

/** Reads `source[key]`: undefined when absent; a 400 naming the field when it does not parse. */
export function field<T>(source: Body, key: string, parse: Parser<T>, strictness: Strictness): T | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  try {
    return parse(value, strictness);
  } catch (error) {
    if (error instanceof Invalid) throw badRequest(`Validation failed: ${key}: ${error.message}`);
    throw error;
  }
}

export function requiredField<T>(source: Body, key: string, parse: Parser<T>, strictness: Strictness): T {
  const value = field(source, key, parse, strictness);
  if (value === undefined || value === null || value === '') throw badRequest(`Validation failed: ${key}: required`);
  return value;
}

export const parse = {
  integer: ((value, strictness) => {
    const number = strictness === 'loose' && typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) throw new Invalid('must be an integer');
    return number;
  }) satisfies Parser<number>,
  number: ((value, strictness) => {
    const number = strictness === 'loose' && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) throw new Invalid('must be a number');
    return number;
  }) satisfies Parser<number>,
  string: ((value) => {
    if (typeof value !== 'string') throw new Invalid('must be a string');
    return value;
  }) satisfies Parser<string>,
  boolean: ((value, strictness) => {
    if (typeof value === 'boolean') return value;
    if (strictness === 'loose' && [0, 1, '0', '1', 'true', 'false'].includes(value as string)) {
      return value === 1 || value === '1' || value === 'true';
    }
    throw new Invalid(strictness === 'strict' ? 'must be a boolean (true or false)' : 'must be a boolean');
  }) satisfies Parser<boolean>,
  /** YYYY-MM-DD. */
  date: ((value) => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
      throw new Invalid('must be a date in YYYY-MM-DD format');
    }
    return value;
  }) satisfies Parser<string>,
  /** HH:MM. */
  time: ((value) => {
    if (typeof value !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) throw new Invalid('must be HH:MM');
    return value;
  }) satisfies Parser<string>,
  object: ((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Invalid('must be an object');
    return value as Body;
  }) satisfies Parser<Body>,
};

export function nullable<T>(inner: Parser<T>): Parser<T | null> {
  return (value, strictness) => (value === null ? null : inner(value, strictness));
}

export function oneOf<T extends string | number>(values: readonly T[], inner: Parser<string | number>): Parser<T> {
  return (value, strictness) => {
    const parsed = inner(value, strictness);
    if (!(values as readonly (string | number)[]).includes(parsed)) {
      throw new Invalid(`must be one of ${values.join(', ')}`);
    }
    return parsed as T;
  };
}

export function arrayOf<T>(inner: Parser<T>): Parser<T[]> {
  return (value, strictness) => {
    if (!Array.isArray(value)) throw new Invalid('must be an array');
    return value.map((item) => inner(item, strictness));
  };
}

/** Query parameters arrive as strings: v2 wants exact forms, v1 accepts 0/1 for booleans. */
export function queryInteger(query: Body, key: string): number | undefined {
  return field(query, key, parse.integer, 'loose');
}

export function queryBoolean(query: Body, key: string, strictness: Strictness): boolean | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  if (strictness === 'loose' && (value === '1' || value === '0')) return value === '1';
  throw badRequest(`Validation failed: ${key}: must be a boolean (true or false)`);
}

export function queryString(query: Body, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Validation failed: ${key}: must be given once`);
  return value;
}

/** Path ids: positive integers, else 400 like Pipedrive's router. */
export function pathId(params: Record<string, string>, key = 'id'): number {
  const value = params[key] ?? '';
  if (!/^\d+$/.test(value)) throw badRequest(`Validation failed: ${key}: must be an integer`);
  return Number(value);
}
