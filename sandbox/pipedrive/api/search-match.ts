import type { PipedriveKnobs } from '../knobs.ts';

/**
 * How the search endpoints score one stored value against the term: 1 for a full match
 * (case-insensitive), term length / value length for a substring match unless `exact`, 0 for none.
 * Phones follow the `phoneSearch` knob (knobs.ts): compared as typed (`literal`) or by their digits
 * only (`digits`); Pipedrive's own phone normalization is undocumented.
 */
export interface MatchOptions {
  term: string;
  exact: boolean;
  phoneSearch: PipedriveKnobs['phoneSearch'];
}

/** How a value is compared: phones by digits under the `digits` knob, text trimmed and (unless case-sensitive) lower-cased. */
export function normalizer(
  kind: 'text' | 'phone',
  phoneSearch: PipedriveKnobs['phoneSearch'],
  caseSensitive = false,
): (text: string) => string {
  if (kind === 'phone' && phoneSearch === 'digits') return digitsOf;
  return caseSensitive ? (text) => text.trim() : foldText;
}

export function scoreValue(value: string, kind: 'text' | 'phone', options: MatchOptions): number {
  const normalize = normalizer(kind, options.phoneSearch);
  const stored = normalize(value);
  const term = normalize(options.term);
  if (term === '' || stored === '') return 0;
  if (stored === term) return 1;
  if (options.exact || !stored.includes(term)) return 0;
  return Math.round((term.length / stored.length) * 1000) / 1000;
}

export function bestScore(values: { value: string; kind: 'text' | 'phone' }[], options: MatchOptions): number {
  return Math.max(0, ...values.map(({ value, kind }) => scoreValue(value, kind, options)));
}

function foldText(text: string): string {
  return text.trim().toLowerCase();
}

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
