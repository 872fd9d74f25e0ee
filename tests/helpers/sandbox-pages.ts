/** Reading the sandbox's server-rendered pages over real HTTP, without a browser. */
export interface PageResponse {
  status: number;
  /** The Location header of a redirect (never followed). */
  location: string | null;
  setCookie: string | null;
  body: string;
}

export async function fetchPage(
  url: string,
  options: { cookie?: string; form?: Record<string, string>; method?: string } = {},
): Promise<PageResponse> {
  const headers: Record<string, string> = {};
  if (options.cookie !== undefined) headers['cookie'] = options.cookie;
  if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, {
    method: options.method ?? (options.form === undefined ? 'GET' : 'POST'),
    headers,
    redirect: 'manual',
    ...(options.form === undefined ? {} : { body: new URLSearchParams(options.form).toString() }),
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    setCookie: response.headers.get('set-cookie'),
    body: await response.text(),
  };
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The URL of every `<iframe>` on a page (`data-src` until the host script loads it), with its `data-kind`. */
export function iframesOf(html: string): { url: URL; kind: string }[] {
  return [...html.matchAll(/<iframe\b[^>]*>/g)].map(([tag]) => ({
    url: new URL(unescapeAttribute(/\s(?:data-)?src="([^"]*)"/.exec(tag)?.[1] ?? '')),
    kind: /\sdata-kind="([^"]*)"/.exec(tag)?.[1] ?? '',
  }));
}

/** Text content roughly as a person reads it (tags dropped, whitespace collapsed). */
export function textOf(html: string): string {
  return unescapeAttribute(html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}
