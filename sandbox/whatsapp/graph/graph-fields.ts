import { graphErrors } from './graph-errors.ts';

/**
 * Graph's `fields` parameter: a comma-separated list of the fields to return (`id` always comes
 * back). Without it, the object's default fields are returned. A field the node does not have is
 * refused like Graph does (`(#100) Tried accessing nonexisting field`); `knownExtra` names real
 * fields of the node that the sandbox leaves out of its default answer (asked for, they are absent).
 */
export function pickFields(
  object: Record<string, unknown>,
  fields: string | undefined,
  node: { type: string; knownExtra?: readonly string[] },
): Record<string, unknown> {
  if (fields === undefined || fields.trim() === '') return object;
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  for (const field of wanted) {
    if (!(field in object) && !(node.knownExtra ?? []).includes(field))
      throw graphErrors.nonexistingField(field, node.type);
  }
  wanted.add('id');
  return Object.fromEntries(Object.entries(object).filter(([key]) => wanted.has(key)));
}
