import { randomBytes } from 'node:crypto';
import type { PersonField, PipedriveState } from '../state.ts';
import { PipedriveApiError } from './envelope.ts';
import { field, parse, SCHEMA_VALIDATION_FAILED, type Body } from './validation.ts';

/**
 * Custom fields of persons, deals and organizations: definitions live in `personFields`,
 * `dealFields` and `organizationFields` (40-character hex keys); v2 writes them in `custom_fields`
 * and refuses keys the company does not have, or values of the wrong type, with Pipedrive's schema
 * error. Types checked: text-like (varchar, text, phone, varchar_auto, address) take strings,
 * `double` / `monetary` numbers, `enum` one option id, `set` an array of option ids; `null` clears.
 * The exact message for a bad custom field is unconfirmed (modelled on the top-level one).
 */
export type FieldEntity = 'person' | 'deal' | 'organization';

export function fieldMap(state: PipedriveState, entity: FieldEntity): Map<number, PersonField> {
  if (entity === 'deal') return state.dealFields;
  if (entity === 'organization') return state.organizationFields;
  return state.personFields;
}

export function newFieldKey(): string {
  return randomBytes(20).toString('hex');
}

export function readCustomFields(
  state: PipedriveState,
  companyId: number,
  entity: FieldEntity,
  body: Body,
): Record<string, unknown> | undefined {
  const values = field(body, 'custom_fields', parse.object, 'strict');
  if (values === undefined) return undefined;
  const definitions = new Map(
    [...fieldMap(state, entity).values()]
      .filter((definition) => definition.companyId === companyId && definition.isCustom)
      .map((definition) => [definition.key, definition]),
  );
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const definition = definitions.get(key);
    if (!definition) problems.push(`custom_fields.${key}: Parameter '${key}' is not allowed for this request`);
    else if (value !== null && !valueFits(definition, value)) {
      problems.push(`custom_fields.${key}: must be ${expected(definition)}`);
    }
  }
  if (problems.length > 0) {
    throw new PipedriveApiError(400, `Validation failed: ${problems.join('; ')}`, { code: SCHEMA_VALIDATION_FAILED });
  }
  return values;
}

function valueFits(definition: PersonField, value: unknown): boolean {
  const optionIds = (definition.options ?? []).map((option) => option.id);
  switch (definition.fieldType) {
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'enum':
      return typeof value === 'number' && optionIds.includes(value);
    case 'set':
      return Array.isArray(value) && value.every((item) => typeof item === 'number' && optionIds.includes(item));
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
    case 'user':
    case 'org':
    case 'people':
      return typeof value === 'number' && Number.isInteger(value);
    default:
      return typeof value === 'string';
  }
}

function expected(definition: PersonField): string {
  switch (definition.fieldType) {
    case 'double':
      return 'a number';
    case 'enum':
      return `one of the option ids ${(definition.options ?? []).map((option) => option.id).join(', ')}`;
    case 'set':
      return 'an array of option ids';
    case 'date':
      return 'a date in YYYY-MM-DD format';
    case 'user':
    case 'org':
    case 'people':
      return 'an id';
    default:
      return 'a string';
  }
}
