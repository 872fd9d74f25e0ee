import type { PipedriveContext } from '../emulator.ts';
import type { PersonField } from '../state.ts';
import { fieldMap, newFieldKey, type FieldEntity } from './custom-fields.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, notFound } from './envelope.ts';
import { paginateByCursor, paginateByOffset } from './pagination.ts';
import { SCOPES } from './scopes.ts';
import { serializePersonFieldV1 } from './serializers/v1.ts';
import { serializeFieldV2 } from './serializers/v2.ts';
import { arrayOf, field, parse, queryString, readObjectBody, requiredField, type Body } from './validation.ts';

const FIELD_TYPES = ['varchar', 'text', 'phone', 'date', 'double', 'enum', 'set', 'user', 'org', 'people'] as const;

/** `include_fields` values of the v2 field lists (the official client's enum). */
const INCLUDE_FIELDS = ['ui_visibility', 'important_fields', 'required_fields'];

/**
 * `GET /v1/dealFields`, `GET /v1/organizationFields` (`GET /v1/personFields` is in
 * metadata.routes.ts) and `POST /v1/{person,deal,organization}Fields`: a custom field with a new
 * 40-character key (`name`, `field_type`, `options: [{ label }]` for enum/set).
 */
export function registerFieldEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;
  const kinds: [FieldEntity, string, readonly string[], readonly string[]][] = [
    ['person', '/v1/personFields', SCOPES.contactsRead, SCOPES.contactsFull],
    ['deal', '/v1/dealFields', SCOPES.dealsRead, SCOPES.dealsFull],
    ['organization', '/v1/organizationFields', SCOPES.contactsRead, SCOPES.contactsFull],
  ];
  for (const [entity, url, readScopes, writeScopes] of kinds) {
    registerV2FieldEndpoints(endpoint, context, entity, url.replace('/v1/', '/v2/'), readScopes, writeScopes);
    if (entity !== 'person') {
      endpoint({
        method: 'GET',
        url,
        version: 'v1',
        operation: 'list',
        scopes: readScopes,
        handler: ({ caller, query }) => {
          const fields = [...fieldMap(state, entity).values()].filter((item) => item.companyId === caller.company.id);
          const { page, pagination } = paginateByOffset(fields, query);
          return {
            success: true,
            data: page.map((item, index) => serializePersonFieldV1(item, pagination.start + index + 1)),
            additional_data: { pagination },
          };
        },
      });
    }
    endpoint({
      method: 'POST',
      url,
      version: 'v1',
      operation: 'create',
      scopes: writeScopes,
      status: 201,
      handler: ({ caller, body: rawBody }) => {
        const body = readObjectBody(rawBody);
        const definition = newFieldDefinition(context, caller.company.id, entity, {
          name: requiredField(body, 'name', parse.string, 'loose'),
          fieldType: requiredField(body, 'field_type', parse.string, 'loose'),
          options: field(body, 'options', arrayOf(parse.object), 'loose') ?? [],
          prefix: '',
        });
        fieldMap(state, entity).set(definition.id, definition);
        const position = [...fieldMap(state, entity).values()].filter(
          (item) => item.companyId === caller.company.id,
        ).length;
        return { success: true, data: serializePersonFieldV1(definition, position) };
      },
    });
  }
}

/**
 * The v2 field endpoints the official client's `PersonFieldsApi` / `DealFieldsApi` /
 * `OrganizationFieldsApi` call: `GET /v2/{entity}Fields` (cursor pagination, `include_fields`),
 * `GET /v2/{entity}Fields/{field_code}` and `POST /v2/{entity}Fields` (`field_name`, `field_type`,
 * `options: [{ label }]`). Fields are addressed by `field_code` (the 40-character key of a custom
 * field; the sandbox's built-in ones keep their v1 keys, a GUESS where v2 may name them differently).
 */
function registerV2FieldEndpoints(
  endpoint: DefineEndpoint,
  context: PipedriveContext,
  entity: FieldEntity,
  url: string,
  readScopes: readonly string[],
  writeScopes: readonly string[],
): void {
  const { state } = context;
  const companyFields = (companyId: number) =>
    [...fieldMap(state, entity).values()].filter((item) => item.companyId === companyId);
  endpoint({
    method: 'GET',
    url,
    version: 'v2',
    operation: 'list',
    scopes: readScopes,
    handler: ({ caller, query }) => {
      checkIncludeFields(query);
      const { page, nextCursor } = paginateByCursor(companyFields(caller.company.id), query);
      return { success: true, data: page.map(serializeFieldV2), additional_data: { next_cursor: nextCursor } };
    },
  });
  endpoint({
    method: 'GET',
    url: `${url}/:field_code`,
    version: 'v2',
    operation: 'get',
    scopes: readScopes,
    handler: ({ caller, params, query }) => {
      checkIncludeFields(query);
      const found = companyFields(caller.company.id).find((item) => item.key === params['field_code']);
      if (found === undefined) throw notFound('Field not found');
      return { success: true, data: serializeFieldV2(found) };
    },
  });
  endpoint({
    method: 'POST',
    url,
    version: 'v2',
    operation: 'create',
    scopes: writeScopes,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      const definition = newFieldDefinition(context, caller.company.id, entity, {
        name: requiredField(body, 'field_name', parse.string, 'strict'),
        fieldType: requiredField(body, 'field_type', parse.string, 'strict'),
        options: field(body, 'options', arrayOf(parse.object), 'strict') ?? [],
        prefix: 'field_',
      });
      fieldMap(state, entity).set(definition.id, definition);
      return { success: true, data: serializeFieldV2(definition) };
    },
  });
}

function checkIncludeFields(query: Body): void {
  const value = queryString(query, 'include_fields');
  if (value === undefined) return;
  const unknown = value.split(',').filter((name) => !INCLUDE_FIELDS.includes(name));
  if (unknown.length > 0)
    throw badRequest(`Validation failed: include_fields: must be a list of ${INCLUDE_FIELDS.join(', ')}`);
}

/** A custom field as both API versions create it; `prefix` names the body's fields in errors (`field_` in v2). */
function newFieldDefinition(
  context: PipedriveContext,
  companyId: number,
  entity: FieldEntity,
  input: { name: string; fieldType: string; options: Record<string, unknown>[]; prefix: string },
): PersonField {
  const { state } = context;
  const name = input.name.trim();
  if (name === '') throw badRequest(`Validation failed: ${input.prefix}name: must not be empty`);
  if (!(FIELD_TYPES as readonly string[]).includes(input.fieldType)) {
    throw badRequest(`Validation failed: field_type: must be one of ${FIELD_TYPES.join(', ')}`);
  }
  const withOptions = input.fieldType === 'enum' || input.fieldType === 'set';
  if (withOptions && input.options.length === 0) {
    throw badRequest('Validation failed: options: required for enum and set fields');
  }
  const now = context.clock.now();
  return {
    id: state.nextId('personField'),
    companyId,
    entity,
    key: newFieldKey(),
    name,
    fieldType: input.fieldType as PersonField['fieldType'],
    isCustom: true,
    ...(input.options.length > 0
      ? {
          options: input.options.map((option, index) => {
            if (typeof option['label'] !== 'string' || option['label'] === '') {
              throw badRequest(`Validation failed: options[${index}].label: required`);
            }
            return { id: state.nextId('fieldOption'), label: option['label'] };
          }),
        }
      : {}),
    addTime: now,
    updateTime: now,
  };
}
