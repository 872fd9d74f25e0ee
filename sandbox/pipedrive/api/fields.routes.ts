import type { PipedriveContext } from '../emulator.ts';
import type { PersonField } from '../state.ts';
import { fieldMap, newFieldKey, type FieldEntity } from './custom-fields.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { paginateByOffset } from './pagination.ts';
import { SCOPES } from './scopes.ts';
import { serializePersonFieldV1 } from './serializers/v1.ts';
import { arrayOf, field, parse, readObjectBody, requiredField } from './validation.ts';

const FIELD_TYPES = ['varchar', 'text', 'phone', 'date', 'double', 'enum', 'set', 'user', 'org', 'people'] as const;

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
        const name = requiredField(body, 'name', parse.string, 'loose').trim();
        const fieldType = requiredField(body, 'field_type', parse.string, 'loose');
        if (!(FIELD_TYPES as readonly string[]).includes(fieldType)) {
          throw badRequest(`Validation failed: field_type: must be one of ${FIELD_TYPES.join(', ')}`);
        }
        const labels = field(body, 'options', arrayOf(parse.object), 'loose') ?? [];
        if ((fieldType === 'enum' || fieldType === 'set') && labels.length === 0) {
          throw badRequest('Validation failed: options: required for enum and set fields');
        }
        const now = context.clock.now();
        const definition: PersonField = {
          id: state.nextId('personField'),
          companyId: caller.company.id,
          entity,
          key: newFieldKey(),
          name,
          fieldType: fieldType as PersonField['fieldType'],
          isCustom: true,
          ...(labels.length > 0
            ? {
                options: labels.map((option, index) => {
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
        fieldMap(state, entity).set(definition.id, definition);
        const position = [...fieldMap(state, entity).values()].filter(
          (item) => item.companyId === caller.company.id,
        ).length;
        return { success: true, data: serializePersonFieldV1(definition, position) };
      },
    });
  }
}
