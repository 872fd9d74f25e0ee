import type { AddActivityTypeRequestIconKeyConst } from 'pipedrive/v1';
import type { PipedriveContext } from '../emulator.ts';
import type { ActivityType } from '../state.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest } from './envelope.ts';
import { paginateByOffset } from './pagination.ts';
import { SCOPES } from './scopes.ts';
import { serializeActivityTypeV1, serializePersonFieldV1 } from './serializers/v1.ts';
import { field, oneOf, parse, readObjectBody, requiredField } from './validation.ts';

/** `icon_key` values of `AddActivityTypeRequest` (the `satisfies` keeps the list in step with the client). */
const ICON_KEYS = [
  'task',
  'email',
  'meeting',
  'deadline',
  'call',
  'lunch',
  'calendar',
  'downarrow',
  'document',
  'smartphone',
  'camera',
  'scissors',
  'cogs',
  'bubble',
  'uparrow',
  'checkbox',
  'signpost',
  'shuffle',
  'addressbook',
  'linegraph',
  'picture',
  'car',
  'world',
  'search',
  'clip',
  'sound',
  'brush',
  'key',
  'padlock',
  'pricetag',
  'suitcase',
  'finish',
  'plane',
  'loop',
  'wifi',
  'truck',
  'cart',
  'bulb',
  'bell',
  'presentation',
] as const satisfies readonly AddActivityTypeRequestIconKeyConst[];

/** API v1 activity types (list, create) and person fields (list). */
export function registerMetadataEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;

  endpoint({
    method: 'GET',
    url: '/v1/activityTypes',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.activitiesRead,
    handler: ({ caller }) => ({
      success: true,
      data: [...state.activityTypes.values()]
        .filter((type) => type.companyId === caller.company.id)
        .sort((a, b) => a.orderNr - b.orderNr)
        .map(serializeActivityTypeV1),
    }),
  });

  endpoint({
    method: 'POST',
    url: '/v1/activityTypes',
    version: 'v1',
    operation: 'create',
    scopes: SCOPES.activityTypesFull,
    status: 201,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      const name = requiredField(body, 'name', parse.string, 'loose').trim();
      const iconKey = requiredField(body, 'icon_key', oneOf(ICON_KEYS, parse.string), 'loose');
      const color = field(body, 'color', parse.string, 'loose');
      if (color !== undefined && !/^[0-9A-Fa-f]{6}$/.test(color)) {
        throw badRequest('Validation failed: color: must be a 6-character HEX color');
      }
      const companyTypes = [...state.activityTypes.values()].filter((type) => type.companyId === caller.company.id);
      const now = context.clock.now();
      const type: ActivityType = {
        id: state.nextId('activityType'),
        companyId: caller.company.id,
        name,
        keyString: uniqueKey(name, companyTypes),
        iconKey,
        color: color ?? null,
        orderNr: Math.max(0, ...companyTypes.map((existing) => existing.orderNr)) + 1,
        isCustom: true,
        active: true,
        addTime: now,
        updateTime: now,
      };
      state.activityTypes.set(type.id, type);
      return { success: true, data: serializeActivityTypeV1(type) };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/personFields',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.contactsRead,
    handler: ({ caller, query }) => {
      const fields = [...state.personFields.values()].filter(
        (personField) => personField.companyId === caller.company.id,
      );
      const { page, pagination } = paginateByOffset(fields, query);
      const start = pagination.start;
      return {
        success: true,
        data: page.map((personField, index) => serializePersonFieldV1(personField, start + index + 1)),
        additional_data: { pagination },
      };
    },
  });
}

/** Pipedrive derives `key_string` from the name ("WhatsApp chat" → `whatsapp_chat`); it never changes afterwards. */
function uniqueKey(name: string, existing: ActivityType[]): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'activity';
  const taken = new Set(existing.map((type) => type.keyString));
  let key = base;
  for (let suffix = 2; taken.has(key); suffix += 1) key = `${base}_${suffix}`;
  return key;
}
