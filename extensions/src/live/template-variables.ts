import type { TemplateFill, TemplateSummary } from '../../../contracts/panel-chat.ts';

/** The text of a template's BODY component (where `{{1}}` or `{{name}}` placeholders live). */
export function templateBody(template: TemplateSummary): string {
  for (const component of template.components) {
    const candidate = component as { type?: unknown; text?: unknown };
    if (String(candidate.type).toUpperCase() === 'BODY' && typeof candidate.text === 'string') return candidate.text;
  }
  return '';
}

/** Placeholder names in order of first appearance: `['1', '2']` or `['first_name', 'order']`. */
export function templateVariables(body: string): string[] {
  const names: string[] = [];
  for (const match of body.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
    const name = match[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Pipedrive values in the order positional templates most often use them. */
const POSITIONAL: (keyof TemplateFill)[] = ['firstName', 'dealTitle', 'dealValue', 'ownerName', 'viewerName'];

/** Named placeholders matched to Pipedrive values by the words in their names. */
const NAMED: [RegExp, keyof TemplateFill][] = [
  [/first/i, 'firstName'],
  [/(customer|contact|person|client)?_?name$/i, 'personName'],
  [/deal|title|order|project/i, 'dealTitle'],
  [/value|amount|price|total/i, 'dealValue'],
  [/owner|manager/i, 'ownerName'],
  [/agent|sender|rep|user|me/i, 'viewerName'],
];

/** Initial values for each placeholder, from Pipedrive; the user edits them before sending. */
export function prefill(names: string[], fill: TemplateFill): Record<string, string> {
  const values: Record<string, string> = {};
  names.forEach((name) => {
    let key: keyof TemplateFill | undefined;
    if (/^\d+$/.test(name)) key = POSITIONAL[Number(name) - 1];
    else key = NAMED.find(([pattern]) => pattern.test(name))?.[1];
    const value = key === undefined ? null : key === 'firstName' ? (fill.firstName ?? fill.personName) : fill[key];
    values[name] = value ?? '';
  });
  return values;
}

/** The body with placeholders replaced (the preview the user sees before sending). */
export function renderTemplate(body: string, values: Record<string, string>): string {
  return body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => values[name] || whole);
}
