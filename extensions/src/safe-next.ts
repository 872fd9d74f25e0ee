/**
 * Where the sign-in page may send the browser next: a path on Parley's own origin, nothing else.
 *
 * Prefix checks on the raw string are not enough (issue 7, finding 3): URL parsers drop tabs and
 * newlines and read `\` as `/`, so `/<TAB>/evil.example` passed a "starts with one slash" test and
 * resolved to `//evil.example`. The value is therefore resolved with the URL parser against the
 * origin, must stay on that origin with a path starting with exactly one `/`, and what is returned
 * is the parser's result — the URL that was checked is the URL that is followed.
 */
export function safeNext(value: string | null, fallback: string, origin: string): string {
  if (value === null || !value.startsWith('/') || hasControlOrBackslash(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== new URL(origin).origin || !url.pathname.startsWith('/') || url.pathname.startsWith('//'))
    return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Control characters and backslashes have no business in a path Parley links to. */
function hasControlOrBackslash(value: string): boolean {
  for (const character of value) {
    const code = character.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || character === '\\') return true;
  }
  return false;
}
