import { badRequest } from './envelope.ts';

/**
 * Note content is HTML that Pipedrive sanitizes server-side. The sandbox removes what a browser
 * would run (script-like elements, event-handler attributes, `javascript:` URLs) and keeps the rest,
 * so an app sees its markup round-trip the way Pipedrive keeps harmless formatting.
 *
 * Size: Pipedrive's limit is about 100 KB (unconfirmed, reliability.md §6.5); the sandbox refuses
 * content above 100 KiB of UTF-8 so that an app's truncation is exercised.
 */
export const MAX_NOTE_BYTES = 100 * 1024;

const DANGEROUS_ELEMENTS =
  /<(script|style|iframe|object|embed|template)\b[^>]*>[\s\S]*?<\/\1\s*>|<(script|style|iframe|object|embed|link|meta|base)\b[^>]*\/?>/gi;
const EVENT_ATTRIBUTES = /\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;
const SCRIPT_URLS = /(href|src)\s*=\s*("\s*javascript:[^"]*"|'\s*javascript:[^']*'|javascript:[^\s>]+)/gi;

export function sanitizeNoteContent(content: string): string {
  if (Buffer.byteLength(content, 'utf8') > MAX_NOTE_BYTES) {
    throw badRequest(`Validation failed: content: must be at most ${MAX_NOTE_BYTES} bytes`);
  }
  return content.replace(DANGEROUS_ELEMENTS, '').replace(EVENT_ATTRIBUTES, '').replace(SCRIPT_URLS, '$1="#"');
}
