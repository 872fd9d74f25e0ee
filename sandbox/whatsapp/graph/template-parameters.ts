import { GraphError, graphErrors } from './graph-errors.ts';

/** One entry of a component's `parameters` array, as sent. */
export type ParameterInput = Record<string, unknown>;

/** The distinct placeholders of a template text, in order of first appearance ({{1}} or {{first_name}}). */
export function placeholdersOf(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    const name = match[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

export function asParameters(component: Record<string, unknown> | undefined, label: string): ParameterInput[] {
  if (component === undefined || component['parameters'] === undefined) return [];
  const parameters = component['parameters'];
  if (!Array.isArray(parameters) || parameters.some((p) => typeof p !== 'object' || p === null || Array.isArray(p))) {
    throw graphErrors.invalidParameter(`${label}: parameters must be an array of objects`);
  }
  return parameters as ParameterInput[];
}

/** The value a text-like parameter stands for: text, or the fallback of currency/date_time. */
function textValue(parameter: ParameterInput, label: string): string {
  const type = parameter['type'];
  let value: unknown;
  if (type === 'text') value = parameter['text'];
  else if (type === 'currency' || type === 'date_time') {
    const inner = parameter[type] as Record<string, unknown> | undefined;
    value = inner?.['fallback_value'];
  } else {
    throw graphErrors.parameterFormat(
      `${label}: Format mismatch, expected TEXT, received ${String(type).toUpperCase()}`,
    );
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw graphErrors.requiredMessageParameter(`${label}: Parameter of type ${String(type)} is missing text value`);
  }
  return value;
}

/**
 * Meta rejects body and header parameter values with line breaks, tabs or more than four
 * consecutive spaces (error 132018), a common failure when a CRM note is pasted into a template.
 */
function rejectLayoutCharacters(value: string, label: string): void {
  if (/[\n\t]| {5,}/.test(value)) {
    throw new GraphError(400, {
      message: '(#132018) There was an issue with the parameters in your template.',
      type: 'OAuthException',
      code: 132018,
      error_data: {
        messaging_product: 'whatsapp',
        details: `${label}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces`,
      },
    });
  }
}

/**
 * Checks a text component's parameters against the template's placeholders and renders the text.
 * Counts must match exactly (132000); named templates need `parameter_name` on every parameter
 * (Meta: 100 "Parameter name is missing or empty").
 */
export function renderTextParameters(
  text: string,
  parameters: ParameterInput[],
  options: { label: string; named: boolean },
): string {
  const expected = placeholdersOf(text);
  if (parameters.length !== expected.length) {
    throw graphErrors.parameterCount(options.label, parameters.length, expected.length);
  }
  const values = new Map<string, string>();
  parameters.forEach((parameter, index) => {
    const value = textValue(parameter, options.label);
    rejectLayoutCharacters(value, options.label);
    if (!options.named) {
      values.set(String(index + 1), value);
      return;
    }
    const name = parameter['parameter_name'];
    if (typeof name !== 'string' || name === '')
      throw graphErrors.invalidParameter('Parameter name is missing or empty');
    // Meta's wording for an unknown or repeated name is not documented; the code is the same "invalid parameter".
    if (!expected.includes(name) || values.has(name)) {
      throw graphErrors.invalidParameter(`${options.label}: parameter name (${name}) does not match the template`);
    }
    values.set(name, value);
  });
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => values.get(name) ?? whole);
}

/** A media header parameter: `{type:'image', image:{link|id}}` matching the template's format. */
export function checkMediaParameter(
  format: 'IMAGE' | 'VIDEO' | 'DOCUMENT',
  parameter: ParameterInput,
): { link?: string; id?: string; filename?: string } {
  const type = String(parameter['type']);
  if (type !== format.toLowerCase()) {
    throw graphErrors.parameterFormat(`header: Format mismatch, expected ${format}, received ${type.toUpperCase()}`);
  }
  const media = parameter[type] as Record<string, unknown> | undefined;
  const link = media?.['link'];
  const id = media?.['id'];
  if (typeof link !== 'string' && typeof id !== 'string') {
    throw graphErrors.requiredMessageParameter(`header: Param ${type} must have either a link or an id`);
  }
  const filename = media?.['filename'];
  return {
    ...(typeof link === 'string' ? { link } : {}),
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof filename === 'string' ? { filename } : {}),
  };
}
