/**
 * Graph's `fields` parameter: a comma-separated list of the fields to return (`id` always comes
 * back). Without it, the object's default fields are returned.
 */
export function pickFields(object: Record<string, unknown>, fields: string | undefined): Record<string, unknown> {
  if (fields === undefined || fields.trim() === '') return object;
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  wanted.add('id');
  return Object.fromEntries(Object.entries(object).filter(([key]) => wanted.has(key)));
}
